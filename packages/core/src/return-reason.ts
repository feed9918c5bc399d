/**
 * Why a subscription field's stream ended, as its `unsubscribed` hook sees it:
 * - `complete`: the client completed (stopped) the operation.
 * - `unsubscribe`: `channel.unsubscribe()` stopped its group, from any process.
 * - `disconnect`: the client's connection closed.
 * - `shutdown`: the server or the hub was closed.
 * - `error`: the layer could not subscribe the groups; the client got the error.
 */
export type UnsubscribeReason = 'complete' | 'unsubscribe' | 'disconnect' | 'shutdown' | 'error';

const reasons: ReadonlySet<unknown> = new Set<UnsubscribeReason>([
  'complete',
  'unsubscribe',
  'disconnect',
  'shutdown',
  'error',
]);

/**
 * Ends a field's source stream and tells it why: the reason is passed as the
 * argument of `return()`, so `unsubscribed` hooks learn whether the client
 * completed, disconnected, or the server shut down.
 *
 * @remarks
 * Call it on the *source* stream (graphql-js `createSourceEventStream`), as
 * gqlcast's server does: graphql-js's `subscribe()` wraps that stream in an
 * iterator whose `return()` drops its argument, so through that wrapper the
 * stream ends with reason `complete`.
 */
export function returnWithReason<T, R>(
  iterator: AsyncIterator<T, R>,
  reason: UnsubscribeReason,
): Promise<IteratorResult<T, R | undefined>> {
  if (iterator.return === undefined) return Promise.resolve({ done: true, value: undefined });
  return iterator.return(reason as unknown as R);
}

/** The reason a stream's `return(value)` was given: `value` if it names one, else `complete` (a bare `return()`). */
export function toReturnReason(value: unknown): UnsubscribeReason {
  return reasons.has(value) ? (value as UnsubscribeReason) : 'complete';
}
