import type { SubscribePayload } from '@gqlcast/core/protocol';
import type { ExecutionArgs } from 'graphql';
import type { Operation, OperationRegistry } from './registry.js';

/** The `contextValue` of an operation: the `context` option's, or the connection's own view. */
export async function contextFor(
  registry: OperationRegistry,
  id: string,
  payload: SubscribePayload,
  operationName: string | null | undefined,
): Promise<unknown> {
  const { options } = registry.scope;
  const connection = registry.connection;
  if (options.context !== undefined) return options.context(connection, { id, payload });
  return {
    connection,
    state: connection.state,
    request: connection.request,
    connectionParams: connection.connectionParams,
    operationId: id,
    operationName,
  };
}

/** A query or a mutation: executed once, answered with one result and `complete` (slow ones logged). */
export async function executeOperation(
  registry: OperationRegistry,
  operation: Operation,
  args: ExecutionArgs,
  payload: SubscribePayload,
  operationName: string | null | undefined,
): Promise<void> {
  const { options } = registry.scope;
  const connection = registry.connection;
  const started = performance.now();
  const result = await options.execute(args);
  const elapsed = performance.now() - started;
  if (options.slowOperationWarning > 0 && elapsed >= options.slowOperationWarning) {
    options.logger.warn(
      `Slow operation ${operationName ?? '(anonymous)'} (id ${operation.id}) took ${Math.round(elapsed)} ms.`,
      { connection: connection.id, operationId: operation.id, operationName, ms: elapsed },
    );
    options.logger.debug('Slow operation details.', { query: payload.query, variables: payload.variables });
  }
  if (operation.state === 'done') return;
  registry.release(operation);
  registry.sink.next(operation.id, registry.formatResult(result));
  registry.sink.complete(operation.id);
}
