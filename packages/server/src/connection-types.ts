import type { Subprotocol, SubscribePayload } from '@gqlcast/core/protocol';

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
   * Made on first use; lives as long as the socket and is shared by all its operations (the
   * DjangoChannelsGraphqlWs's `scope`): store the logged-in user here, and every later operation sees it.
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
