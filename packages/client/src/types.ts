import type { WireError } from '@gqlcast/core/protocol';
import type { DocumentNode } from 'graphql';

/**
 * A document that carries its result and variables types, as produced by
 * GraphQL Code Generator (compatible with `@graphql-typed-document-node/core`).
 */
export interface TypedDocumentNode<Result = Record<string, unknown>, Variables = Record<string, unknown>>
  extends DocumentNode {
  /** Carries the types only; never set at run time. */
  readonly __apiType?: (variables: Variables) => Result;
}

/** What to run: a query text or a (typed) document, with its variables. */
export interface OperationRequest<Data, Variables> {
  query: string | TypedDocumentNode<Data, Variables>;
  /** Checked against the document's variables type (inferred from `query` only). */
  variables?: NoInfer<Variables> | undefined;
  operationName?: string | undefined;
  extensions?: Record<string, unknown> | undefined;
}

/**
 * What a gqlcast server adds to a subscription's results, under
 * `extensions.gqlcast`, on a channel that retains its history (docs/resume-client.md).
 */
export interface GqlcastExtensions {
  /**
   * Where this notification sits in its channel's history: an opaque string.
   * The client keeps the last one it handed you and resumes from it after a
   * reconnection; store it yourself to resume later (`extensions.gqlcast.resumeFrom`).
   */
  readonly cursor?: string;
  /**
   * Notifications were lost before this result: the resume point was too old
   * or unknown to the server. `missed` says how many, when the server can count them.
   * Retained history, then live notifications, follow.
   */
  readonly gap?: { readonly missed?: number };
}

/** A result as the server sent it. */
export interface ClientResult<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: readonly WireError[];
  extensions?: { gqlcast?: GqlcastExtensions; [key: string]: unknown };
}

/** A live subscription: an async iterator of its results. */
export interface ClientSubscription<Data = Record<string, unknown>>
  extends AsyncIterableIterator<ClientResult<Data>, undefined, undefined> {
  /** The protocol id of the operation. */
  readonly id: string;
  /**
   * With a server that confirms subscriptions (its `connection_ack` says
   * `confirmSubscriptions: true`): resolves with the confirmation once the
   * subscription is active on the server, so a broadcast sent after that is
   * delivered. The confirmation is never yielded as a result.
   *
   * Otherwise: resolves (with `undefined`) once the subscribe message is sent,
   * which does not mean the server has set the subscription up yet.
   *
   * Rejects if the server refuses the subscription or the connection is lost for good.
   */
  readonly ready: Promise<ClientResult<unknown> | undefined>;
  /** Stops the subscription (tells the server); the iterator ends. Idempotent. */
  complete(): void;
}

/** What `client.on` reports. */
export interface ClientEvents {
  /** A connection attempt starts (`attempt` 0 is the first, later ones are reconnections). */
  connecting: { attempt: number };
  /** The server acknowledged the connection. */
  connected: { protocol: string; payload: Record<string, unknown> | undefined };
  /** A connection ended. */
  closed: { code: number; reason: string };
  /**
   * A reconnection is scheduled after `delay` ms (0 after a close with 1012,
   * Service Restart: the server asks its clients to go elsewhere at once).
   */
  reconnecting: { attempt: number; delay: number };
  /**
   * The server reported lost notifications for subscription `id` (its resume
   * point was too old or unknown): `missed` of them when countable. The result
   * that says so is also yielded, with `extensions.gqlcast.gap`.
   */
  gap: { id: string; missed: number | undefined };
}

/** The client's connection state. */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';
