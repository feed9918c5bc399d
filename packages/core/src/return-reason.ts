/**
 * Why a subscription field's stream ended, as its `unsubscribed` hook sees it:
 * - `complete`: the client completed (stopped) the operation.
 * - `unsubscribe`: `channel.unsubscribe()` stopped its group, from any process.
 * - `disconnect`: the client's connection closed.
 * - `shutdown`: the server or the hub was closed.
 * - `error`: the layer could not subscribe the groups; the client got the error.
 */
export type UnsubscribeReason = 'complete' | 'unsubscribe' | 'disconnect' | 'shutdown' | 'error';

// One slot per process, shared by every copy of the package (Symbol.for).
const slot = Symbol.for('gqlcast.returnReason');
const ambient = globalThis as { [slot]?: UnsubscribeReason | undefined };

/**
 * Calls `iterator.return()` and tells gqlcast streams underneath why.
 * Transports call this instead of `return()`, so `unsubscribed` hooks learn
 * whether the client completed, disconnected, or the server shut down.
 *
 * @remarks
 * graphql-js wraps a field's stream in its own iterator, which forwards
 * `return()` synchronously; the reason rides along in a process-wide slot for
 * the duration of that synchronous call.
 */
export function returnWithReason<T, R>(
  iterator: AsyncIterator<T, R>,
  reason: UnsubscribeReason,
): Promise<IteratorResult<T, R | undefined>> {
  const previous = ambient[slot];
  ambient[slot] = reason;
  try {
    return iterator.return ? iterator.return() : Promise.resolve({ done: true, value: undefined });
  } finally {
    ambient[slot] = previous;
  }
}

/** The reason given to the `returnWithReason` call in progress, if any. */
export function currentReturnReason(): UnsubscribeReason | undefined {
  return ambient[slot];
}
