/**
 * Every WebSocket close code gqlcast's server sends, in one table. The 44xx
 * codes are those of the graphql-transport-ws protocol (graphql-ws PROTOCOL.md);
 * the legacy subprotocol uses the same ones.
 */
export const CloseCode = {
  /** The client asked to end (legacy `connection_terminate`), or a normal close. */
  Normal: 1000,
  /** Going away: the graphql-ws compatibility `useServer`'s `dispose()` closes with it, as graphql-ws does. */
  GoingAway: 1001,
  /** The connection sent messages faster than `messageRate` allows. */
  PolicyViolation: 1008,
  /** A frame was larger than `maxPayload`. */
  MessageTooBig: 1009,
  /**
   * Service Restart: the server shuts down (`close()`, a rolling deploy). Clients
   * reconnect at once, to another instance or to this one once restarted, and
   * subscribe again (resuming from their last cursor on a retaining channel).
   */
  ServiceRestart: 1012,
  /** A message broke the protocol (bad JSON, unknown type, missing id). */
  BadRequest: 4400,
  /** `subscribe` was sent before the server acknowledged the connection. */
  Unauthorized: 4401,
  /** `onConnect` refused the connection. */
  Forbidden: 4403,
  /** The client offered no subprotocol this server speaks. */
  SubprotocolNotAcceptable: 4406,
  /** No `connection_init` arrived within `connectionInitTimeout`. */
  ConnectionInitialisationTimeout: 4408,
  /** `subscribe` reused the id of an operation still running. */
  SubscriberAlreadyExists: 4409,
  /** A second `connection_init` arrived. */
  TooManyInitialisationRequests: 4429,
  /** The server failed unexpectedly. */
  InternalServerError: 4500,
} as const;

/** One of the values of {@link CloseCode}. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close codes after which reconnecting cannot help: the same request would be
 * refused again. A client stops retrying on these (the rest are retried).
 * The codes are literals (named in comments) so a browser bundle that needs
 * this table does not carry {@link CloseCode} too.
 */
export const fatalCloseCodes: ReadonlyMap<number, string> = new Map([
  [4400 /* BadRequest */, 'the client sent a message the server cannot accept'],
  [4401 /* Unauthorized */, 'the client subscribed before the connection was acknowledged'],
  [4403 /* Forbidden */, 'the server refused the connection'],
  [4406 /* SubprotocolNotAcceptable */, 'the server speaks none of the offered subprotocols'],
  [4409 /* SubscriberAlreadyExists */, 'the client reused the id of a running operation'],
  [4429 /* TooManyInitialisationRequests */, 'the client initialised twice'],
  // Not fatal: 4408 (a slow network may init late), 4500 (may be transient), 1001 and 1012 (restart;
  // @gqlcast/client reconnects at once on 1012).
]);

/** The most a close reason may take, in UTF-8 bytes: 125 for a control frame minus 2 for the code. */
export const maxCloseReasonBytes = 123;

/** Cuts a close reason to fit one control frame, counting UTF-8 bytes (not characters). */
export function limitCloseReason(reason: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(reason).length <= maxCloseReasonBytes) return reason;
  let cut = '';
  let bytes = 0;
  // Iterate code points so a multi-byte character is never split.
  for (const character of reason) {
    const size = encoder.encode(character).length;
    if (bytes + size > maxCloseReasonBytes - 3) break;
    cut += character;
    bytes += size;
  }
  return `${cut}...`;
}
