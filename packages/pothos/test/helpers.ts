import { type ExecutionResult, type GraphQLSchema, parse, subscribe } from 'graphql';
import type { Context } from './example/schema.js';

export type Results = AsyncGenerator<ExecutionResult, undefined>;

/** Subscribes through plain graphql-js, as any server would; fails the test on an immediate error. */
export async function open(
  schema: GraphQLSchema,
  query: string,
  contextValue: Context = { userId: 'u1', loggedIn: false },
  variableValues?: Record<string, unknown>,
): Promise<Results> {
  const result = await subscribe({ schema, document: parse(query), contextValue, variableValues });
  if (!(Symbol.asyncIterator in result)) throw new Error(`subscribe failed: ${JSON.stringify(result.errors)}`);
  return result as Results;
}

/** The immediate result of a subscription that fails before it starts. */
export async function refused(schema: GraphQLSchema, query: string, contextValue: Context): Promise<ExecutionResult> {
  const result = await subscribe({ schema, document: parse(query), contextValue });
  if (Symbol.asyncIterator in result) throw new Error('expected the subscription to be refused');
  return result;
}

export async function nextResult(results: Results): Promise<ExecutionResult> {
  const item = await results.next();
  if (item.done) throw new Error('the subscription ended');
  return item.value;
}

export async function nextData(results: Results): Promise<unknown> {
  const result = await nextResult(results);
  if (result.errors) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}
