import type { IncomingMessage } from 'node:http';
import type { Logger } from '@gqlcast/core';
import type { SubscribePayload, WireError, WireResult } from '@gqlcast/core/protocol';
import type { GraphQLError, GraphQLFormattedError, ValidationRule } from 'graphql';
import type { Connection, DefaultContext, OperationMessage } from './connection-types.js';
import type { CostLimit } from './cost-limit.js';

export type { Connection, DefaultContext, OperationMessage, UpgradeRequest } from './connection-types.js';
export type {
  ConnectDecision,
  ExecuteFunction,
  MessageLimits,
  Middleware,
  OriginCheck,
  SubscribeDecision,
} from './option-types.js';

import type {
  ConnectDecision,
  ExecuteFunction,
  MessageLimits,
  Middleware,
  OriginCheck,
  SubscribeDecision,
} from './option-types.js';
import type { SchemaOption } from './schema-source.js';

/** The `telemetry` option. */
export interface TelemetryOptions {
  /** @defaultValue `true` */
  enabled?: boolean | undefined;
  /** Span names `query GetUser` instead of `query`. @defaultValue `false` */
  includeOperationName?: boolean | undefined;
  /** The query text as `graphql.document`. @defaultValue `false` */
  includeDocument?: boolean | undefined;
}

/**
 * Options of `createGraphqlWsServer`.
 *
 * Hooks that throw are handled as described on each; a hook never brings the
 * server down, and other connections are never affected.
 */
export interface ServerOptions<Context = DefaultContext, State extends object = Record<string, unknown>> {
  /**
   * The graphql-js schema to serve (any: Pothos, SDL-first, code-first), or a
   * function choosing each operation's schema (multi-tenant servers):
   * `(connection, payload) => schema`, sync or async, called once per
   * operation after `onSubscribe` and before parsing (read the tenant from
   * `connection.state`, `connection.connectionParams` or
   * `connection.request.headers`). Return the same schema object for the same
   * tenant: documents, automatic sharing verdicts and projection plans are
   * cached per schema object. A function that throws, rejects or returns
   * something else refuses that operation with `GQLCAST_SCHEMA_UNAVAILABLE`
   * (the cause is logged, not sent); the connection goes on.
   */
  schema: SchemaOption<State>;

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
   * Runs first for each operation, before its document is parsed: it may
   * replace what the client sent (a persisted document's text for its id, see
   * {@link persistedDocuments}) or refuse the operation.
   * - return nothing: the operation runs as sent;
   * - return `{ query?, variables?, operationName? }`: those replace the
   *   client's (the replacement is parsed, validated and limited like any query);
   * - return a list of `GraphQLError`s: the client gets an `error` with them
   *   (`extensions.code` `GQLCAST_OPERATION_REFUSED` unless they carry one).
   * A throw refuses the operation in the same way, with the error's message.
   */
  onSubscribe?:
    | ((
        connection: Connection<State>,
        id: string,
        payload: SubscribePayload,
      ) => SubscribeDecision | Promise<SubscribeDecision>)
    | undefined;

  /**
   * Runs for each result sent (a query's or mutation's answer, each
   * notification; not the confirmation), synchronously, just before it is
   * sent: return a replacement (redacted data, added `extensions`) or nothing
   * to send it as it is. A throw is logged and the original is sent. Setting
   * it makes subscriptions of gqlcast fields run per subscriber (each
   * notification must pass the hook on its own): no shared executions.
   */
  onNext?:
    | ((
        connection: Connection<State>,
        id: string,
        payload: SubscribePayload,
        result: WireResult,
        // biome-ignore lint/suspicious/noConfusingVoidType: a hook with no return statement sends the result as it is.
      ) => WireResult | undefined | void)
    | undefined;

  /**
   * Runs, synchronously, for the errors of an operation that cannot run or
   * failed (the `error` message), just before they are sent: return the list
   * to send instead, or nothing. A throw is logged and the originals are sent.
   */
  onError?:
    | ((
        connection: Connection<State>,
        id: string,
        payload: SubscribePayload,
        errors: readonly WireError[],
        // biome-ignore lint/suspicious/noConfusingVoidType: a hook with no return statement sends the errors as they are.
      ) => readonly WireError[] | undefined | void)
    | undefined;

  /**
   * Runs once when an operation ends, whatever ended it: answered, its stream
   * over, failed or refused, stopped by the client, or its connection closed.
   * Errors are logged.
   */
  onComplete?: ((connection: Connection<State>, id: string, payload: SubscribePayload) => void) | undefined;

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

  /**
   * OpenTelemetry traces (docs/observability.md): a SERVER span per operation,
   * named by its type (`query`, `mutation`, `subscription`), with
   * `graphql.operation.type` and `graphql.operation.name`; a subscription's span
   * lasts until it ends and records why (`gqlcast.end_reason`). Spans appear
   * only with `@opentelemetry/api` installed and an SDK registered.
   * `includeOperationName` adds the operation name to span names and
   * `includeDocument` the query text (`graphql.document`): both off, for
   * cardinality and size. `false` turns tracing off.
   * @defaultValue `{ enabled: true, includeOperationName: false, includeDocument: false }`
   */
  telemetry?: TelemetryOptions | false | undefined;

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
   * Automatic sharing: subscribers of the same document, operation name and
   * variables whose `publish` returned the very same value share one execution
   * and serialization per notification, when nothing under their field can
   * read the context (see docs/performance.md). Needs no `share` on the field.
   * With a custom `execute`, the server cannot know it ignores the context:
   * set `true` to declare it does (graphql-jit's compiled queries do).
   * @defaultValue `true` with graphql-js `execute`, `false` with a custom `execute`
   */
  autoShare?: boolean | undefined;

  /**
   * How many distinct query texts keep their parsed and validated document.
   * A repeated query is neither parsed nor validated again.
   * @defaultValue `1_000`
   */
  documentCacheSize?: number | undefined;

  /**
   * The most heap the document cache may hold, in bytes (estimated: AST nodes,
   * kept without locations, and the query texts); least recently used out
   * first. Invalid queries keep only their errors' messages and positions.
   * @defaultValue `16_777_216` (16 MiB)
   */
  documentCacheBytes?: number | undefined;

  /**
   * Where hook failures, slow operations and socket errors are reported: a
   * console-like logger, or a pino or winston logger passed as it is (each is
   * called with its own argument order; see `loggerFrom` in `@gqlcast/core`).
   * Every message and string detail is escaped and cut first (`logText`).
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

  /**
   * A limit on what an operation may cost, checked before it executes (see
   * {@link CostLimit}): every field counts once per place it is used (fragments
   * expanded, aliases counted, introspection included), and a list field's
   * selection counts `listFactor` times. Refused operations get an error with
   * code `GQLCAST_QUERY_TOO_COSTLY`. `false` turns it off.
   * @defaultValue `{ maxCost: 100_000, listFactor: 10 }`: the full introspection
   * query costs about 52,000; a query three lists deep selecting ten fields at
   * each level costs about 11,000.
   */
  costLimit?: Partial<CostLimit> | false | undefined;

  /**
   * How much time one connection may spend having new documents parsed and
   * validated (documents the cache has seen cost nothing): a token bucket of
   * `milliseconds`, refilled at `milliseconds` per `interval` ms. Once spent,
   * new documents are refused (`GQLCAST_VALIDATION_BUDGET_EXCEEDED`) until it
   * refills; the connection stays open. Validation can take tens of
   * milliseconds for a document that passes every size limit (hundreds of
   * overlapping fragment spreads), and the message rate alone would let one
   * connection keep a core busy. `false` turns it off.
   * @defaultValue `{ milliseconds: 1_000, interval: 10_000 }`: bursts of one
   * second, at most a tenth of a core sustained per connection; a real client
   * has a few dozen documents validated, once each
   */
  validationBudget?: { milliseconds: number; interval: number } | false | undefined;

  /**
   * Whether `__schema` and `__type` may be queried.
   * @defaultValue `true`, except when `process.env.NODE_ENV` is `'production'` at
   * server creation: then `false`
   */
  introspection?: boolean | undefined;

  /**
   * Whether validation errors may suggest names (`Did you mean "login"?`). They
   * reveal the schema's field, argument and type names to anyone who guesses near them.
   * @defaultValue the value of `introspection`: on in development, off in production
   */
  fieldSuggestions?: boolean | undefined;

  /**
   * Size limits on parts of a client message that the server keeps or echoes,
   * in UTF-8 bytes. A message over a limit is a protocol error: graphql-transport-ws
   * closes with 4400 and says which limit; the legacy protocol answers an `error`
   * (code `GQLCAST_BAD_MESSAGE`, without echoing the id) and keeps the connection.
   * @defaultValue `{ operationId: 128, operationName: 1_024, pingPayload: 4_096 }`
   */
  messageLimits?: Partial<MessageLimits> | undefined;

  /**
   * The most bytes of operation messages (query, variables and extensions, as
   * received) one connection's subscriptions may hold while they run, legacy
   * `start`s waiting for the acknowledgement included. A subscription that
   * would pass it is refused with `GQLCAST_CONNECTION_MEMORY_EXCEEDED`; the
   * others go on. Together with `maxSubscriptionsPerConnection` and
   * `maxSendBuffer`, this is the per-connection memory budget of docs/security.md.
   * @defaultValue `4_194_304` (4 MiB)
   */
  maxRetainedBytesPerConnection?: number | undefined;

  /**
   * How long a closing socket may take to answer the server's close frame
   * before it is destroyed, in milliseconds. A peer that never answers would
   * otherwise hold its socket for `ws`'s 30 seconds (`0`: `ws`'s own timeout).
   * `close()` also waits up to this long, before its close frames, for the
   * shared executions and outboxes to write what they hold (`0`: it does not wait).
   * @defaultValue `1_000`
   */
  closeTimeout?: number | undefined;

  /**
   * The most connections open at once from one client address; the next
   * upgrade from it gets HTTP 429. `undefined` turns it off. Behind a proxy,
   * every client has the proxy's address: pass `clientAddress` to read the
   * real one from a header your proxy sets (docs/security.md).
   * @defaultValue `undefined` — no per-address limit
   */
  maxConnectionsPerAddress?: number | undefined;

  /**
   * The client address `maxConnectionsPerAddress` counts by. Only read a
   * header such as `x-forwarded-for` when a proxy you run sets it (else a
   * client can write any address in it), and take the entry your proxy added.
   * @defaultValue the socket's remote address
   */
  clientAddress?: ((request: IncomingMessage) => string | undefined) | undefined;

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
   * flushed to the network, its notifications wait in its outbox, at most
   * `queueLimit` (the field's or the hub's) per subscription, the oldest
   * dropped with a warning; pulled subscriptions stop pulling meanwhile.
   * @defaultValue `1_048_576` (1 MiB)
   */
  sendHighWaterMark?: number | undefined;

  /**
   * The hard cap on what one connection may hold unsent, in bytes: what waits
   * in its outbox plus what its socket buffers. A notification that would pass
   * it drops the connection's oldest waiting notifications first; anything
   * else (query answers, `complete`, pongs) that passes it terminates a peer
   * that stopped reading (the socket is destroyed, no close frame: it could
   * not be read anyway). Logged as a warning.
   * @defaultValue `16_777_216` (16 MiB)
   */
  maxSendBuffer?: number | undefined;
}

export type { ResolvedOptions } from './resolve-options.js';
