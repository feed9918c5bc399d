import type { IncomingMessage } from 'node:http';
import type { ExecutionArgs, ExecutionResult, GraphQLError, GraphQLResolveInfo } from 'graphql';

// The types the options of `createGraphqlWsServer` are made of (options.ts holds the options themselves).

/**
 * Runs a document's selection set: graphql-js `execute`, or a compiled
 * equivalent such as graphql-jit's (see docs/performance.md for a recipe).
 */
export type ExecuteFunction = (args: ExecutionArgs) => ExecutionResult<unknown> | Promise<ExecutionResult<unknown>>;

/**
 * A field middleware: runs around every field resolver of queries, mutations
 * and notifications (not around a subscription's `subscribe`).
 * Call `next` to run the rest of the chain and the resolver.
 */
export type Middleware = (
  next: (root: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo) => unknown,
  root: unknown,
  args: Record<string, unknown>,
  context: unknown,
  info: GraphQLResolveInfo,
) => unknown;

/**
 * What `onConnect` returns: `true` or nothing accepts, an object accepts and
 * becomes the ack payload, `false` refuses.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` lets a hook with no return statement accept.
export type ConnectDecision = boolean | undefined | void | Record<string, unknown>;

/** What `onSubscribe` returns: nothing, a replacement for parts of the request, or errors refusing it. */
export type SubscribeDecision =
  // biome-ignore lint/suspicious/noConfusingVoidType: `void` lets a hook with no return statement run the operation as sent.
  | void
  | undefined
  | {
      readonly query?: string | undefined;
      readonly variables?: Readonly<Record<string, unknown>> | null | undefined;
      readonly operationName?: string | null | undefined;
    }
  | readonly GraphQLError[];

/** Who may open a connection from a browser: exact origins, or a function of the origin and the whole upgrade request. */
export type OriginCheck = readonly string[] | ((origin: string, request: IncomingMessage) => boolean);

/** Size limits on what a client message carries, in UTF-8 bytes (see `ServerOptions.messageLimits`). */
export interface MessageLimits {
  /** An operation id: graphql-ws's client sends UUIDs (36 bytes), Apollo's and urql's small numbers. */
  readonly operationId: number;
  /** `payload.operationName`. */
  readonly operationName: number;
  /** A graphql-transport-ws `ping`'s or `pong`'s whole message (the server echoes a ping's payload). */
  readonly pingPayload: number;
}
