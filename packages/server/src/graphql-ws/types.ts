import type { IncomingMessage } from 'node:http';
import type { SubscribePayload } from '@gqlcast/core/protocol';
import type {
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  OperationTypeNode,
  parse,
  validate,
} from 'graphql';
import type { WebSocket } from 'ws';
import type { Socket } from '../connection.js';

// The shapes of graphql-ws 6's server options, declared here so that the compatibility entry
// needs no graphql-ws installed (a program moving to gqlcast may remove it). They are structurally
// the same as graphql-ws's own: its `ServerOptions` object is accepted as it is.

/** What an operation resolves to: one result, or a stream of them (subscriptions, `@defer`-style). */
export type OperationResult =
  | Promise<AsyncGenerator<ExecutionResult> | AsyncIterable<ExecutionResult> | ExecutionResult>
  | AsyncGenerator<ExecutionResult>
  | AsyncIterable<ExecutionResult>
  | ExecutionResult;

/** Anything graphql-js accepts as the context value. */
export type GraphQLExecutionContextValue = object | symbol | number | string | boolean | undefined | null;

/** What a `connection_init` may carry (graphql-ws's `ConnectionInitMessage['payload']`). */
export type InitPayload = Readonly<Record<string, unknown>> | null | undefined;

/** A connection, as graphql-ws's hooks see it. */
export interface Context<P extends InitPayload = InitPayload, E = unknown> {
  /** `connection_init` arrived (the hooks may still be deciding). */
  readonly connectionInitReceived: boolean;
  /** `connection_ack` was sent. */
  readonly acknowledged: boolean;
  /** The `connection_init` payload, when it was an object. */
  readonly connectionParams?: Readonly<P>;
  /** Operations by id: a stream while it streams, `null` while it starts or is a single result. */
  readonly subscriptions: Record<string, AsyncGenerator<unknown> | AsyncIterable<unknown> | null>;
  /** What the transport adds: for `ws`, `{ socket, request }`. */
  extra: E;
}

/** What the `ws` transport puts in `ctx.extra`. */
export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** graphql-ws 6's `ServerOptions`: each option and hook as graphql-ws documents it. */
// biome-ignore-start lint/suspicious/noConfusingVoidType: graphql-ws's hooks may return nothing (`void`).
export interface ServerOptions<P extends InitPayload = InitPayload, E = unknown> {
  /** The schema, or a function of the request choosing one (per connection, per operation). */
  schema?:
    | GraphQLSchema
    | ((
        ctx: Context<P, E>,
        id: string,
        payload: SubscribePayload,
        args: Omit<ExecutionArgs, 'schema'>,
      ) => Promise<GraphQLSchema> | GraphQLSchema)
    | undefined;
  /** The context value, or a function of the request returning it. */
  context?:
    | GraphQLExecutionContextValue
    | ((
        ctx: Context<P, E>,
        id: string,
        payload: SubscribePayload,
        args: ExecutionArgs,
      ) => Promise<GraphQLExecutionContextValue> | GraphQLExecutionContextValue)
    | undefined;
  /** Root values per operation type (`query`, `mutation`, `subscription`), used when `onSubscribe` gives none. */
  roots?: { [operation in OperationTypeNode]?: Record<string, unknown> } | undefined;
  /** Parses the query text; graphql-js `parse` by default. */
  parse?: typeof parse | undefined;
  /** Validates the document; graphql-js `validate` by default (its specified rules). */
  validate?: typeof validate | undefined;
  /** Executes queries and mutations; may return an `AsyncIterable` of results. */
  execute?: ((args: ExecutionArgs) => OperationResult) | undefined;
  /** Runs subscriptions; graphql-js `subscribe` by default. */
  subscribe?: ((args: ExecutionArgs) => OperationResult) | undefined;
  /** Milliseconds to wait for `connection_init` before closing with 4408. @defaultValue `3_000` */
  connectionInitWaitTimeout?: number | undefined;
  /** On `connection_init`: `false` refuses (4403), an object is the ack's payload, a throw closes with 4500. */
  onConnect?:
    | ((
        ctx: Context<P, E>,
      ) =>
        | Promise<Record<string, unknown> | boolean | undefined | void>
        | Record<string, unknown>
        | boolean
        | undefined
        | void)
    | undefined;
  /** When an acknowledged socket closes, after its operations ended. */
  onDisconnect?: ((ctx: Context<P, E>, code?: number, reason?: string) => Promise<void> | void) | undefined;
  /** When any socket closes, acknowledged or not (after `onDisconnect`). */
  onClose?: ((ctx: Context<P, E>, code?: number, reason?: string) => Promise<void> | void) | undefined;
  /** Before an operation runs: return `ExecutionArgs` to run instead, `GraphQLError`s to refuse it, or nothing. */
  onSubscribe?:
    | ((
        ctx: Context<P, E>,
        id: string,
        payload: SubscribePayload,
      ) =>
        | Promise<ExecutionArgs | readonly GraphQLError[] | undefined | void>
        | ExecutionArgs
        | readonly GraphQLError[]
        | undefined
        | void)
    | undefined;
  /** After execution starts: return another result (or stream) to send instead. */
  onOperation?:
    | ((
        ctx: Context<P, E>,
        id: string,
        payload: SubscribePayload,
        args: ExecutionArgs,
        result: OperationResult,
      ) => Promise<OperationResult | undefined | void> | OperationResult | undefined | void)
    | undefined;
  /** Before an `error` message is sent: return the formatted errors to send instead. */
  onError?:
    | ((
        ctx: Context<P, E>,
        id: string,
        payload: SubscribePayload,
        errors: readonly GraphQLError[],
      ) =>
        | Promise<readonly GraphQLFormattedError[] | undefined | void>
        | readonly GraphQLFormattedError[]
        | undefined
        | void)
    | undefined;
  /** Before a `next` message is sent: return the result to send instead. */
  onNext?:
    | ((
        ctx: Context<P, E>,
        id: string,
        payload: SubscribePayload,
        args: ExecutionArgs,
        result: ExecutionResult,
      ) => Promise<FormattedExecutionResult | undefined | void> | FormattedExecutionResult | undefined | void)
    | undefined;
  /** When an operation completes, on the server's side or the client's. */
  onComplete?: ((ctx: Context<P, E>, id: string, payload: SubscribePayload) => Promise<void> | void) | undefined;
  /** Passed to `JSON.parse` for every message received. */
  jsonMessageReviver?: ((this: unknown, key: string, value: unknown) => unknown) | undefined;
  /** Passed to `JSON.stringify` for every message sent. */
  jsonMessageReplacer?: ((this: unknown, key: string, value: unknown) => unknown) | undefined;
}
// biome-ignore-end lint/suspicious/noConfusingVoidType: graphql-ws's hooks may return nothing (`void`).

/** The socket a {@link Server} speaks over (graphql-ws's transport interface). */
export interface CompatSocket {
  readonly protocol: string;
  /** Sends one text frame. */
  send(data: string): Promise<void> | void;
  /** Closes the socket with a code and a reason. */
  close(code?: number, reason?: string): Promise<void> | void;
  /** Registers the listener of every text frame received. */
  onMessage(listener: (data: string) => Promise<void>): void;
  /** When given, pings are handed to it and not answered automatically. */
  onPing?(payload: Record<string, unknown> | undefined): Promise<void> | void;
  /** Receives pongs' payloads. */
  onPong?(payload: Record<string, unknown> | undefined): Promise<void> | void;
  /**
   * gqlcast's addition, set by `useServer`: the same socket with its buffer level, so that a
   * `@gqlcast/pothos` field is pushed (shared executions, a bounded outbox) rather than pulled.
   * A transport of your own may leave it out: its subscriptions are then pulled, as graphql-ws runs them.
   */
  readonly gqlcastSocket?: Socket | undefined;
}

/** graphql-ws's transport-independent server: `opened` per socket returns what to call when it closes. */
export interface Server<E = unknown> {
  /** A socket opened: returns what to call when it closes. */
  opened(socket: CompatSocket, extra: E): (code?: number, reason?: string) => Promise<void>;
}

/** What `useServer` returns. */
export interface Disposable {
  /** Closes every socket with 1001 and stops listening. */
  dispose(): Promise<void>;
}
