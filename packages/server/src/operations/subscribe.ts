import type { ResumeGap } from '@gqlcast/core';
import { type PublishCall, type PullRoot, pullRootKey } from '@gqlcast/core/push';
import { returnWithReason } from '@gqlcast/core/support';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { ServerErrorCode as Codes } from '../error-codes.js';
import { createSourceEventStream } from '../graphql-compat.js';
import type { ExecuteFunction } from '../options.js';
import type { Operation, OperationRegistry } from './registry.js';
import { confirmationOf, markResult } from './resume.js';

/**
 * The pull path, for any subscription field (and a gqlcast field another
 * plugin replaced): the server pulls the field's stream and executes each
 * event, as graphql-js's `subscribe` would.
 */
export async function subscribePull(
  registry: OperationRegistry,
  operation: Operation,
  args: ExecutionArgs,
  source?: AsyncIterator<unknown> & AsyncIterable<unknown>,
  /** A resume asked of a stream that keeps no history: said on the first `next`. */
  gap?: ResumeGap,
): Promise<void> {
  const { options, wrapPublish } = registry.scope;
  // A gqlcast field pulled here still runs its `publish` inside the middleware, as on the push path.
  const rootValue = wrapPublish === undefined ? undefined : new MiddlewareRoot(wrapPublish);
  const stream = source ?? (await createSourceEventStream(rootValue === undefined ? args : { ...args, rootValue }));
  const result = isAsyncIterator(stream)
    ? mapSourceToResponse(stream, args, options.execute)
    : (stream as ExecutionResult);
  if (!isAsyncIterator(result)) {
    // Refused before it started (its resolver threw, variables did not coerce): an error, so that
    // a subscription's first `next` is always a result (or, with confirmations, its confirmation).
    if (operation.state === 'done') return;
    registry.refuse(
      operation,
      registry.formatErrors((result as ExecutionResult).errors, Codes.OperationRefused),
      'refused',
    );
    return;
  }
  operation.iterator = result;
  if (operation.state === 'done') {
    // Completed while starting: end the stream now, with the reason the stop gave.
    registry.confirmLate(operation);
    await endStream(registry, operation, result);
    return;
  }
  operation.state = 'running';
  // The stream is active (gqlcast fields resolve only once their groups are subscribed): confirm first.
  if (options.confirmSubscriptions) {
    registry.sink.next(operation.id, confirmationOf(options.confirmationMessage, undefined, gap), 'confirmation');
    gap = undefined;
  }
  pump(registry, operation, result, gap).catch((error: unknown) => {
    options.logger.error(`Subscription ${operation.id} could not report its failure.`, { error });
  });
}

async function pump(
  registry: OperationRegistry,
  operation: Operation,
  iterator: AsyncIterator<ExecutionResult<unknown>>,
  gap: ResumeGap | undefined,
): Promise<void> {
  const { options } = registry.scope;
  const sink = registry.sink;
  const connection = registry.connection;
  try {
    for (;;) {
      const item = await iterator.next();
      // graphql-transport-ws: nothing for an id after its completion.
      if (operation.state === 'done') return;
      if (item.done) break;
      const result = registry.formatResult(item.value);
      sink.next(operation.id, gap === undefined ? result : markResult(result, { gap }));
      operation.pulled++;
      gap = undefined;
      // The same outbox as the push path: one drain wait, the same byte cap.
      const drained = sink.outbox.drained();
      if (drained !== undefined) await drained;
    }
    // The stream ended on the server's side (e.g. channel.unsubscribe): tell the client.
    registry.release(operation);
    sink.complete(operation.id);
  } catch (error) {
    // The stream may still hold its source: end it (with reason `error`) so nothing leaks.
    void endStream(registry, { ...operation, reason: 'error' }, iterator);
    if (operation.state === 'done') return;
    options.logger.error(`Subscription ${operation.id} failed on connection ${connection.id}.`, {
      connection: connection.id,
      operationId: operation.id,
      error,
    });
    registry.refuse(operation, [registry.formatThrown(error, Codes.SubscriptionFailed)], 'refused');
  }
}

/** Ends a pulled stream with the operation's reason; a failing `return()` is logged, never thrown. */
export function endStream(
  registry: OperationRegistry,
  operation: Operation,
  iterator: AsyncIterator<ExecutionResult<unknown>>,
): Promise<void> {
  return returnWithReason(iterator, operation.reason).then(
    () => undefined,
    (error: unknown) => {
      registry.scope.options.logger.warn(`Ending subscription ${operation.id} failed.`, { error });
    },
  );
}

/**
 * What graphql-js's `subscribe` does with a source stream: executes each event.
 * Unlike graphql-js's wrapper, `return(reason)` hands its argument to the
 * source, so the field's `unsubscribed` hook learns why (`returnWithReason`).
 */
function mapSourceToResponse(
  source: AsyncIterator<unknown>,
  args: ExecutionArgs,
  execute: ExecuteFunction,
): AsyncIterableIterator<ExecutionResult<unknown>> {
  const done = (): Promise<IteratorResult<ExecutionResult<unknown>>> =>
    Promise.resolve({ done: true, value: undefined });
  const mapped: AsyncIterableIterator<ExecutionResult<unknown>> = {
    async next() {
      const item = await source.next();
      if (item.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await execute({ ...args, rootValue: item.value }) };
      } catch (error) {
        // As graphql-js does: a failed mapping ends the source, so its `unsubscribed` runs (reason `error`).
        await returnWithReason(source, 'error');
        throw error;
      }
    },
    return: (reason?: unknown) =>
      source.return === undefined ? done() : source.return(reason).then(() => ({ done: true, value: undefined })),
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}

export function isAsyncIterator(
  value: unknown,
): value is AsyncIterator<ExecutionResult<unknown>> & AsyncIterable<ExecutionResult> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
}

/** The root value of a pulled subscription when the server has middleware (see `PullRoot`). */
class MiddlewareRoot implements PullRoot {
  declare readonly [pullRootKey]: true;
  constructor(readonly wrapPublish: (publish: PublishCall) => PublishCall) {}
}
Object.defineProperty(MiddlewareRoot.prototype, pullRootKey, { value: true });
