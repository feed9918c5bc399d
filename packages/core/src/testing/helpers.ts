/** A promise with its resolve and reject exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  /** Resolves `promise`. */
  resolve(value: T): void;
  /** Rejects `promise`. */
  reject(error: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Collects messages from a callback and lets a test wait for the n-th one,
 * without any timer: the wait ends when the message arrives (or the test times out).
 */
export function collect<T>(): {
  readonly items: T[];
  /** Records one message (pass it as the callback). */
  push(item: T): void;
  /** Resolves with the first `count` messages once they have arrived. */
  waitFor(count: number): Promise<T[]>;
} {
  const items: T[] = [];
  const waiters: { count: number; done: Deferred<T[]> }[] = [];
  return {
    items,
    push(item) {
      items.push(item);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i];
        if (waiter !== undefined && items.length >= waiter.count) {
          waiters.splice(i, 1);
          waiter.done.resolve(items.slice(0, waiter.count));
        }
      }
    },
    waitFor(count) {
      if (items.length >= count) return Promise.resolve(items.slice(0, count));
      const done = deferred<T[]>();
      waiters.push({ count, done });
      return done.promise;
    },
  };
}
