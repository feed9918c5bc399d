/**
 * What an {@link OrderedRunner} runs its items with. One object rather than three functions:
 * there is a runner per subscription (its feed and its execution), and closures would cost
 * each of them a few hundred bytes.
 */
export interface OrderedSteps<T> {
  /** Runs one item; a promise makes later items wait for it. */
  runStep(item: T): PromiseLike<void> | undefined;
  /** How many items may wait; beyond it the oldest is dropped. */
  readonly waitLimit: number;
  /** Called with each dropped item. */
  stepDropped(item: T): void;
}

/**
 * Runs a step on each item in arrival order, synchronously while the step is
 * synchronous. When a step returns a promise (an async `publish`, resolver or
 * `execute`), later items wait — at most `limit` of them: beyond that the
 * oldest waiting item is dropped and `onDrop` is told, so a slow async step
 * cannot pile up notifications without bound (the Python library drops the
 * oldest and delivers the newest, too). No promise is made per item unless a
 * step is async.
 */
export class OrderedRunner<T> {
  readonly #steps: OrderedSteps<T>;
  /** Items waiting for an async step to finish (made on first use). */
  #waiting: T[] | undefined;
  #head = 0;
  #busy = false;
  /** Called once nothing runs and nothing waits. */
  #onIdle: (() => void) | undefined;

  /** Creates a runner of `steps`' items. */
  constructor(steps: OrderedSteps<T>) {
    this.#steps = steps;
  }

  /** Whether a step is running or items wait. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Runs `item` now, or after the items before it. */
  push(item: T): void {
    if (this.#busy) {
      this.#waiting ??= [];
      const waiting = this.#waiting;
      if (waiting.length - this.#head >= this.#steps.waitLimit) {
        // Drop the oldest: a subscriber that is behind cares most about what is newest.
        const dropped = waiting[this.#head] as T;
        waiting[this.#head++] = undefined as T;
        this.#steps.stepDropped(dropped);
      }
      waiting.push(item);
      return;
    }
    this.#run(item);
  }

  /** Runs `then` once every item pushed so far was handled (at once when idle). Each caller's `then` runs. */
  whenIdle(then: () => void): void {
    if (!this.#busy) {
      then();
      return;
    }
    const before = this.#onIdle;
    this.#onIdle =
      before === undefined
        ? then
        : () => {
            before();
            then();
          };
  }

  #run(first: T): void {
    let item: T | undefined = first;
    let has = true;
    while (has) {
      const pending = this.#steps.runStep(item as T);
      if (pending !== undefined) {
        this.#busy = true;
        const resume = () => this.#resume();
        pending.then(resume, resume);
        return;
      }
      // The common case: every step so far was synchronous, so nothing waits.
      if (this.#waiting === undefined) return;
      [has, item] = this.#shift();
    }
  }

  #resume(): void {
    this.#busy = false;
    const [has, item] = this.#shift();
    if (has) this.#run(item as T);
    if (!this.#busy) {
      const idle = this.#onIdle;
      this.#onIdle = undefined;
      idle?.();
    }
  }

  #shift(): [boolean, T | undefined] {
    const waiting = this.#waiting;
    if (waiting === undefined || this.#head >= waiting.length) {
      this.#waiting = undefined;
      this.#head = 0;
      return [false, undefined];
    }
    const item = waiting[this.#head] as T;
    waiting[this.#head++] = undefined as T;
    return [true, item];
  }
}
