import type { WireError, WireResult } from '@gqlcast/core/protocol';
import type { ExecutionResult, GraphQLError } from 'graphql';

/** An execution result as it goes on the wire: errors through `formatError`, empty parts left out. */
export function toWireResult(
  result: ExecutionResult<unknown>,
  formatError: (error: GraphQLError) => unknown,
): WireResult {
  const out: { data?: unknown; errors?: WireError[]; extensions?: Record<string, unknown> } = {};
  if (result.data !== undefined) out.data = result.data;
  if (result.errors !== undefined && result.errors.length > 0)
    out.errors = result.errors.map(formatError) as WireError[];
  if (result.extensions !== undefined) out.extensions = result.extensions;
  return out;
}
