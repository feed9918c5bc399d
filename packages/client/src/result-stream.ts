/**
 * An unbounded async queue of one subscription's results: the client pushes,
 * the user's `for await` pulls. Ends normally, or with an error.
 */
export class ResultStream<T> implements AsyncIterableIterator<T, undefined, undefined> {
  readonly #items: T[] = [];
  #waiters: { resolve: (result: IteratorResult<T, undefined>) => void; reject: (error: unknown) => void }[] = [];
  #ended = false;
  #error: { value: unknown } | undefined;
  readonly #onReturn: () => void;

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ done: false, value: item });
    else this.#items.push(item);
  }

  /** Ends after the queued items; with an error, the next read after them rejects. */
  end(error?: { value: unknown }): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (this.#error) {
        waiter.reject(this.#error.value);
        this.#error = undefined;
      } else waiter.resolve({ done: true, value: undefined });
    }
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#items.length > 0) return Promise.resolve({ done: false, value: this.#items.shift() as T });
    if (this.#ended) {
      if (this.#error) {
        const error = this.#error.value;
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.#items.length = 0;
    this.#error = undefined;
    if (!this.#ended) {
      this.end();
      this.#onReturn();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
