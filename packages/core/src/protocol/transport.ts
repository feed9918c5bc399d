/**
 * How a client reaches a server: the WebSocket transport of `@gqlcast/client`,
 * the in-process transport of `@gqlcast/server/testing`, or one you write.
 * A transport moves text frames; the client speaks the protocol.
 */
export interface Transport {
  /**
   * Opens one connection offering `protocol`. Resolves once it is open; rejects
   * when it cannot be (with a {@link TransportError} when the close code is known). Frames and the close arrive through
   * `events`, in order, never synchronously inside `connect` or `send`.
   */
  connect(protocol: string, events: TransportEvents): Promise<TransportConnection>;
}

/** What a transport reports about one connection. */
export interface TransportEvents {
  /** One text frame from the server. */
  message(data: string): void;
  /** The connection ended, with the WebSocket close code and reason (1006 when it just dropped). */
  closed(code: number, reason: string): void;
}

/** One open connection of a transport. */
export interface TransportConnection {
  /** The subprotocol the server chose. */
  readonly protocol: string;
  /** Sends one text frame; ignored once the connection is closing. */
  send(data: string): void;
  /** Starts closing; `closed` follows. */
  close(code: number, reason: string): void;
}

/**
 * What a transport's `connect` rejects with when it knows the close code: the
 * client decides on a retry by it (`4406` for a refused subprotocol is not retried).
 */
export class TransportError extends Error {
  readonly code: number;
  /**
   * Creates the error.
   * @param code - the close code that says why (4406: no common subprotocol; 1006: could not connect).
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}
