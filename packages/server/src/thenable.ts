/** Whether `value` is a promise or any thenable (a resolver's, a hook's, `execute`'s answer). */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}
