import { isGqlcastError } from '@gqlcast/core/support';
import { GraphQLError } from 'graphql';

/**
 * The `extensions.code` of every error the server itself sends to a client
 * (listed in docs/errors.md). A client tells failures apart by this code, never
 * by the message, which may change.
 */
export const ServerErrorCode = {
  /** The document does not parse or validate, or names no operation of it. */
  InvalidOperation: 'GQLCAST_INVALID_OPERATION',
  /** The operation was refused before it started: `onOperation` threw, or its subscription could not start. */
  OperationRefused: 'GQLCAST_OPERATION_REFUSED',
  /** `maxSubscriptionsPerConnection` is reached. */
  TooManySubscriptions: 'GQLCAST_TOO_MANY_SUBSCRIPTIONS',
  /** Legacy protocol: a message of a wrong type or format (graphql-transport-ws closes with 4400 instead). */
  BadMessage: 'GQLCAST_BAD_MESSAGE',
  /** Legacy protocol: `start` before `connection_init`. */
  NotInitialised: 'GQLCAST_NOT_INITIALISED',
  /** Legacy protocol: `start` with the id of an operation still running. */
  DuplicateId: 'GQLCAST_DUPLICATE_ID',
  /** Legacy protocol: `onConnect` refused the connection (`connection_error`, then close 4403). */
  ConnectionRefused: 'GQLCAST_CONNECTION_REFUSED',
  /** A persisted document's id that the store does not know (see `persistedDocuments`). */
  PersistedDocumentNotFound: 'GQLCAST_PERSISTED_DOCUMENT_NOT_FOUND',
  /** A query text where only persisted documents are accepted (`persistedDocuments({ required: true })`). */
  PersistedDocumentRequired: 'GQLCAST_PERSISTED_DOCUMENT_REQUIRED',
  /** The operation's estimated cost is above `costLimit.maxCost` (see docs/security.md). */
  QueryTooCostly: 'GQLCAST_QUERY_TOO_COSTLY',
  /**
   * Legacy protocol: more `start`s arrived before `connection_ack` than the server holds
   * (`maxSubscriptionsPerConnection`); the extra ones are refused.
   */
  TooManyHeldOperations: 'GQLCAST_TOO_MANY_HELD_OPERATIONS',
  /** The connection spent its `validationBudget` on new documents; it refills with time. */
  ValidationBudgetExceeded: 'GQLCAST_VALIDATION_BUDGET_EXCEEDED',
  /** The connection's operations would retain more than `maxRetainedBytesPerConnection`. */
  ConnectionMemoryExceeded: 'GQLCAST_CONNECTION_MEMORY_EXCEEDED',
  /** A running subscription failed on the server (its execution threw). */
  SubscriptionFailed: 'GQLCAST_SUBSCRIPTION_FAILED',
  /**
   * A `resumeFrom` (in `extensions.gqlcast` of `subscribe`/`start`) that is not a
   * cursor this server wrote, nor `"0"` (docs/resume.md): the subscription is refused.
   */
  ResumeCursorInvalid: 'GQLCAST_RESUME_CURSOR_INVALID',
  /** The `schema` function threw, rejected, or returned something that is not a schema. */
  SchemaUnavailable: 'GQLCAST_SCHEMA_UNAVAILABLE',
} as const;

export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/**
 * `error` with an `extensions.code`: its own if it has one, else the code of a
 * gqlcast error it wraps (e.g. `GQLCAST_INVALID_GROUP` from `subscribe`), else `fallback`.
 */
export function withCode(error: GraphQLError, fallback: ServerErrorCode): GraphQLError {
  if (typeof error.extensions?.code === 'string') return error;
  const original = error.originalError;
  const code = isGqlcastError(original) ? original.code : fallback;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: original ?? null,
    extensions: { ...error.extensions, code },
  });
}
