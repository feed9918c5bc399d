import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import * as graphql from 'graphql';

/**
 * graphql-js 17 removed the `ExecutionArgs` form of `createSourceEventStream`:
 * the arguments go through `validateSubscriptionArgs` first, which returns
 * either validated arguments or the errors that refuse the operation. graphql
 * 16 has no `validateSubscriptionArgs` and takes the arguments as they are.
 * Read through the namespace, so graphql 16's ESM build links without it.
 */
type ValidateSubscriptionArgs = (args: ExecutionArgs) => readonly GraphQLError[] | object;

const validateSubscriptionArgs = (graphql as unknown as { validateSubscriptionArgs?: ValidateSubscriptionArgs })
  .validateSubscriptionArgs;

const createSourceEventStreamAny = graphql.createSourceEventStream as unknown as (
  args: unknown,
) => ReturnType<typeof graphql.createSourceEventStream>;

/** `createSourceEventStream` as graphql 16 takes it, on graphql 16 or 17. */
export function createSourceEventStream(
  args: ExecutionArgs,
): ReturnType<typeof graphql.createSourceEventStream> | Promise<ExecutionResult> {
  if (validateSubscriptionArgs === undefined) return createSourceEventStreamAny(args);
  const validated = validateSubscriptionArgs(args);
  if (Array.isArray(validated)) return Promise.resolve({ errors: validated });
  return createSourceEventStreamAny(validated);
}
