import type { IncomingMessage } from 'node:http';
import type { Logger } from '@gqlcast/core';
import type { Subprotocol, SubscribePayload, WireResult } from '@gqlcast/core/protocol';
import type {
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLResolveInfo,
  GraphQLSchema,
  ValidationRule,
} from 'graphql';

/**
 * Runs a document's selection set: graphql-js `execute`, or a compiled
 * equivalent such as graphql-jit's (see docs/performance.md for a recipe).
 */
export type ExecuteFunction = (args: ExecutionArgs) => ExecutionResult<unknown> | Promise<ExecutionResult<unknown>>;

/**
 * What a connection keeps of its HTTP upgrade request. Read cookies and
 * authorization from `headers`. The `IncomingMessage` itself is not kept (it
 * would cost about 0.9 KB per connection for its lifetime): `allowedOrigins`
 * gets it whole, at upgrade time.
 */
export interface UpgradeRequest {
  /** The request's headers, lower-cased names (Node's `IncomingMessage.headers`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request URL: path and query. */
  readonly url?: string | undefined;
  /** The peer's IP address, when known (behind a proxy, see `x-forwarded-for` in `headers`). */
  readonly remoteAddress?: string | undefined;
}

/**
 * One WebSocket connection, as hooks and `context` see it.
 *
 * `state`, `connectionParams` and `acknowledged` are accessors (the object is
 * kept small, one per socket): read them, do not spread or serialize the
 * connection to copy them.
 *
 * @typeParam State - the shape of `state`.
 */
export interface Connection<State extends object = Record<string, unknown>> {
  /** Unique within the server, for logs. */
  readonly id: string;
  /** The subprotocol negotiated for this connection. */
  readonly protocol: Subprotocol;
  /**
   * What the connection keeps of its upgrade request: `headers` (cookies,
   * authorization), `url`, `remoteAddress`. Not the `IncomingMessage` itself.
   */
  readonly request: UpgradeRequest;
  /**
   * Made on first use; lives as long as the socket and is shared by all its operations
   * (DjangoChannelsGraphqlWs's `scope`): store the logged-in user here, and every later operation sees it.
   */
  readonly state: State;
  /** The `connection_init` payload, once it arrived. */
  readonly connectionParams: Readonly<Record<string, unknown>> | undefined;
  /** Whether `connection_ack` was sent. */
  readonly acknowledged: boolean;
  /**
   * Closes the connection from the server, for example when the
   * authorization it was accepted with expires or is revoked. Its
   * subscriptions end (their `unsubscribed` hooks get `disconnect`) and
   * `onDisconnect` runs, as for any close.
   *
   * @param code - `1000`, or an application code from 4000 to 4999. Use
   *   4403 (Forbidden) for an expired or revoked authorization: graphql-ws's
   *   client and `@gqlcast/client` then reconnect, calling a
   *   `connectionParams` function again for fresh credentials. Another code
   *   throws a `TypeError`.
   * @param reason - shown to the client; cut to the 123 bytes a close frame
   *   allows. Do not put secrets in it.
   */
  close(code?: number, reason?: string): void;
}

/** What `context` receives besides the connection: the operation's message. */
export interface OperationMessage {
  readonly id: string;
  readonly payload: SubscribePayload;
}

/** The context operations get when no `context` option is given. */
export interface DefaultContext<State extends object = Record<string, unknown>> {
  readonly connection: Connection<State>;
  /** `connection.state`: shared by all operations of the connection. */
  readonly state: State;
  /** `connection.request`: the upgrade request's `headers`, `url` and `remoteAddress`. */
  readonly request: UpgradeRequest;
  /** The `connection_init` payload. */
  readonly connectionParams: Readonly<Record<string, unknown>> | undefined;
  /** The protocol id of the operation. */
  readonly operationId: string;
  /** The name the client sent, or else the one the document's operation carries. */
  readonly operationName: string | null | undefined;
}

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

/** Who may open a connection from a browser: exact origins, or a function of the origin and the whole upgrade request. */
export type OriginCheck = readonly string[] | ((origin: string, request: IncomingMessage) => boolean);

/**
 * Options of `createGraphqlWsServer`.
 *
 * Hooks that throw are handled as described on each; a hook never brings the
 * server down, and other connections are never affected.
 */
export interface ServerOptions<Context = DefaultContext, State extends object = Record<string, unknown>> {
  /** The graphql-js schema to serve (any: Pothos, SDL-first, code-first). */
  schema: GraphQLSchema;

  /**
   * Builds each operation's context (`info.context` in resolvers). Called once
   * per operation, after `onOperation`. Throwing refuses that operation.
   * @defaultValue a {@link DefaultContext}: `{ connection, state, request, connectionParams, operationId, operationName }`
   */
  context?: ((connection: Connection<State>, message: OperationMessage) => Context | Promise<Context>) | undefined;

  /**
   * Runs on `connection_init` with its payload (the client's `connectionParams`).
   * - return nothing or `true`: accept;
   * - return an object: accept, and send it as the `connection_ack` payload;
   * - return `false` or throw: refuse. graphql-transport-ws: close 4403 with
   *   the error's message; legacy: `connection_error` with it, then close 4403.
   * Until it settles, the connection is not acknowledged.
   */
  onConnect?:
    | ((
        connection: Connection<State>,
        payload: Readonly<Record<string, unknown>> | undefined,
      ) => ConnectDecision | Promise<ConnectDecision>)
    | undefined;

  /**
   * Runs once when an acknowledged connection closes, after all its
   * operations were stopped (their `unsubscribed` hooks ran with `disconnect`).
   * Connections that were never acknowledged do not reach it. Errors are logged.
   */
  onDisconnect?: ((connection: Connection<State>, code: number, reason: string) => void | Promise<void>) | undefined;

  /**
   * Runs before each operation (query, mutation or subscription) is executed,
   * after it parsed and validated. Throw to refuse that one operation: the
   * client gets an `error` for its id; the connection stays open.
   */
  onOperation?:
    | ((connection: Connection<State>, id: string, payload: SubscribePayload) => void | Promise<void>)
    | undefined;

  /**
   * Sends a protocol keep-alive every this many milliseconds after the
   * acknowledgement: `ping` on graphql-transport-ws, `ka` on the legacy
   * protocol (the first right after `connection_ack`). `false` or `0` turns it off.
   * @defaultValue `false`
   */
  keepAlive?: number | false | undefined;

  /**
   * Closes with 4408 a connection whose `connection_init` did not arrive within
   * this many milliseconds. `0` turns it off.
   * @defaultValue `3_000`
   */
  connectionInitTimeout?: number | undefined;

  /**
   * Sends a WebSocket ping frame every this many milliseconds and terminates a
   * connection whose peer did not answer the previous one (a dead peer).
   * Independent of `keepAlive`. `false` or `0` turns it off.
   * @defaultValue `30_000`
   */
  heartbeatInterval?: number | false | undefined;

  /**
   * `false`: a connection's messages are processed concurrently (a slow mutation
   * does not hold up a fast query). `true`: strictly one after another; a
   * subscription counts as processed once it is active.
   * @defaultValue `false`
   */
  strictOrdering?: boolean | undefined;

  /**
   * After a subscription is active (its groups subscribed in the layer), send
   * one extra `next` (`data` on legacy) carrying `confirmationMessage`, before any
   * notification. The `connection_ack` payload then says
   * `{ confirmSubscriptions: true }`, so clients can tell.
   * @defaultValue `false`
   */
  confirmSubscriptions?: boolean | undefined;

  /** What the confirmation carries. @defaultValue `{ data: null }` */
  confirmationMessage?: WireResult | undefined;

  /**
   * Field middleware for queries, mutations and notifications. The first in the
   * list is closest to the resolver; the last is outermost (as in DjangoChannelsGraphqlWs).
   * Skipped for introspection (`__schema`, `__type` and introspection types, and
   * any operation named `IntrospectionQuery`).
   * @defaultValue `[]`
   */
  middleware?: readonly Middleware[] | undefined;

  /**
   * Logs a warning for a query or mutation that took longer than this many
   * milliseconds (name, id, duration). `false` turns it off.
   * @defaultValue `1_000`
   */
  slowOperationWarning?: number | false | undefined;

  /** Shapes every error sent to clients. @defaultValue `(error) => error.toJSON()` */
  formatError?: ((error: GraphQLError) => GraphQLFormattedError) | undefined;

  /** Validation rules run in addition to graphql-js's specified rules. @defaultValue `[]` */
  validationRules?: readonly ValidationRule[] | undefined;

  /**
   * Executes queries, mutations and each notification of a subscription (once
   * per shared execution). Replace it with a compiled executor (graphql-jit)
   * when many subscribers each get their own execution; the document it gets
   * is the same object for the same query text, so a `WeakMap` keyed by
   * `args.document` is a sound compile cache.
   * @defaultValue graphql-js `execute`
   */
  execute?: ExecuteFunction | undefined;

  /**
   * How many distinct query texts keep their parsed and validated document.
   * A repeated query is neither parsed nor validated again.
   * @defaultValue `1_000`
   */
  documentCacheSize?: number | undefined;

  /**
   * Where hook failures, slow operations and socket errors are reported: a
   * console-like logger, or a pino or winston logger passed as it is (each is
   * called with its own argument order; see `loggerFrom` in `@gqlcast/core`).
   * Anything else is a `TypeError` naming `logger`.
   * @defaultValue `consoleLogger` (info, warnings and errors to the console)
   */
  logger?: Logger | undefined;

  /**
   * How many messages one connection may send: a token bucket of `messages`,
   * refilled at `messages` per `interval` ms. Beyond it the connection is closed
   * with 1008 ("Too many messages"); others are unaffected. `false` turns it off.
   * @defaultValue `{ messages: 2_000, interval: 10_000 }` (bursts of 2,000, 200 per second sustained)
   */
  messageRate?: { messages: number; interval: number } | false | undefined;

  /** The deepest nesting of fields an operation may have (fragments followed). @defaultValue `20` */
  maxDepth?: number | undefined;

  /** The most aliases one document may use (alias amplification). @defaultValue `50` */
  maxAliases?: number | undefined;

  /** The most tokens one document may have; parsing stops beyond it. @defaultValue `5_000` */
  maxTokens?: number | undefined;

  /** Whether `__schema` and `__type` may be queried. @defaultValue `true` */
  introspection?: boolean | undefined;

  /**
   * The largest message accepted, in bytes. A larger frame closes the
   * connection with 1009; other connections are unaffected.
   * @defaultValue `1_048_576` (1 MiB)
   */
  maxPayload?: number | undefined;

  /**
   * Subscriptions one connection may hold at once (running or starting).
   * Beyond it, a new subscription gets an error and the others go on.
   * @defaultValue `100`
   */
  maxSubscriptionsPerConnection?: number | undefined;

  /**
   * Origins allowed to open a connection from a browser; others get HTTP 403
   * before the upgrade (cross-site WebSocket hijacking). Requests without an
   * `Origin` header (non-browser clients) are allowed.
   * @defaultValue `undefined` — every origin
   */
  allowedOrigins?: OriginCheck | undefined;

  /**
   * While a connection has more than this many bytes written but not yet
   * flushed to the network, its subscriptions stop pulling notifications; the
   * per-subscriber queue (`queueLimit` of the hub) then bounds memory by
   * dropping the oldest, with a warning.
   * @defaultValue `1_048_576` (1 MiB)
   */
  sendHighWaterMark?: number | undefined;

  /**
   * The hard cap on what one connection may hold written but not flushed, in
   * bytes: a peer that stops reading is terminated (the socket is destroyed,
   * no close frame: it could not be read anyway) once its buffer passes this,
   * whatever filled it — notifications, query answers or pongs. Subscriptions
   * stop at `sendHighWaterMark` long before (their oldest notifications are
   * dropped); this bounds everything else. Logged as a warning.
   * @defaultValue `16_777_216` (16 MiB)
   */
  maxSendBuffer?: number | undefined;
}

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly schema: GraphQLSchema;
  readonly context: ServerOptions<unknown, object>['context'];
  readonly onConnect: ServerOptions<unknown, object>['onConnect'];
  readonly onDisconnect: ServerOptions<unknown, object>['onDisconnect'];
  readonly onOperation: ServerOptions<unknown, object>['onOperation'];
  readonly keepAlive: number;
  readonly connectionInitTimeout: number;
  readonly heartbeatInterval: number;
  readonly strictOrdering: boolean;
  readonly confirmSubscriptions: boolean;
  readonly confirmationMessage: WireResult;
  readonly middleware: readonly Middleware[];
  readonly slowOperationWarning: number;
  readonly formatError: (error: GraphQLError) => GraphQLFormattedError;
  readonly validationRules: readonly ValidationRule[];
  readonly execute: ExecuteFunction;
  readonly documentCacheSize: number;
  readonly logger: Logger;
  readonly maxPayload: number;
  readonly maxSubscriptionsPerConnection: number;
  readonly allowedOrigins: OriginCheck | undefined;
  readonly sendHighWaterMark: number;
  readonly maxSendBuffer: number;
  readonly messageRate: { readonly messages: number; readonly interval: number } | undefined;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly introspection: boolean;
}
