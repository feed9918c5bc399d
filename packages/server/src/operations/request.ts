// What an operation will run: its request (after `onSubscribe`) and its schema (the `schema` option).
import type { SubscribePayload } from '@gqlcast/core/protocol';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { ServerErrorCode as Codes } from '../error-codes.js';
import type { SubscribeDecision } from '../options.js';
import type { ChosenSchema } from '../schema-source.js';
import type { Operation, OperationRegistry } from './registry.js';

/**
 * `onSubscribe`'s decision: the request to run (the client's, or parts of it replaced), or
 * `undefined` when the hook refused it (the refusal is sent) or the client stopped it meanwhile.
 */
export async function decide(
  registry: OperationRegistry,
  operation: Operation,
  sent: SubscribePayload,
): Promise<SubscribePayload | undefined> {
  const onSubscribe = registry.scope.options.onSubscribe;
  if (onSubscribe === undefined) return sent;
  let decision: SubscribeDecision;
  try {
    decision = await onSubscribe(registry.connection, operation.id, sent);
  } catch (error) {
    if (operation.state !== 'done') {
      registry.refuse(operation, [registry.formatThrown(error, Codes.OperationRefused)], 'refused');
    }
    return undefined;
  }
  if (operation.state === 'done') return undefined;
  if (Array.isArray(decision)) {
    registry.refuse(
      operation,
      registry.formatErrors(decision as readonly GraphQLError[], Codes.OperationRefused),
      'refused',
    );
    return undefined;
  }
  if (decision === undefined || decision === null) return sent;
  const replaced = decision as {
    query?: string;
    variables?: Record<string, unknown> | null;
    operationName?: string | null;
  };
  return {
    ...sent,
    query: replaced.query ?? sent.query,
    variables: replaced.variables === undefined ? sent.variables : replaced.variables,
    operationName: replaced.operationName === undefined ? sent.operationName : replaced.operationName,
  } as SubscribePayload;
}

/**
 * The schema `payload` runs against (the `schema` option), at once when it is fixed; or
 * `undefined` when none is available (the refusal is sent, the cause logged) or the
 * client stopped the operation meanwhile.
 */
export function schemaFor(
  registry: OperationRegistry,
  operation: Operation,
  payload: SubscribePayload,
): GraphQLSchema | undefined | Promise<GraphQLSchema | undefined> {
  const chosen = registry.scope.schemas.choose(registry.connection, payload);
  if (!(chosen instanceof Promise)) return settle(chosen);
  return chosen.then(settle);

  function settle(result: ChosenSchema): GraphQLSchema | undefined {
    if (operation.state === 'done') return undefined;
    if ('schema' in result) return result.schema;
    registry.scope.options.logger.warn(`No schema for operation ${operation.id}: ${result.cause}.`, {
      operationId: operation.id,
    });
    registry.refuse(operation, [result.refusal], 'refused');
    return undefined;
  }
}
