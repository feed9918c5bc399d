import { fatalCloseCodes, type WireError } from '@gqlcast/core/protocol';

/**
 * The connection ended (or could not be opened) and the client gave up on
 * it: an `execute` in flight rejects with it, and so do the iterators of
 * subscriptions when no retry is left.
 */
export class ConnectionClosedError extends Error {
  /** The WebSocket close code (1006 when the connection dropped or could not open). */
  readonly code: number;
  /** The close reason the server gave, if any. */
  readonly reason: string;
  /** Whether a retry could help (false for the codes in `fatalCloseCodes`). */
  readonly retryable: boolean;

  /** The close `code` and `reason`; `cause` keeps the underlying failure. */
  constructor(code: number, reason: string, options?: { cause?: unknown }) {
    const fatal = fatalCloseCodes.get(code);
    super(
      `GraphQL WebSocket connection closed with ${code}${reason ? ` "${reason}"` : ''}${fatal ? `: ${fatal}` : ''}.`,
      options,
    );
    this.name = 'ConnectionClosedError';
    this.code = code;
    this.reason = reason;
    this.retryable = fatal === undefined;
  }
}

/** The server refused a subscription: `errors` says why. `ready` rejects with it. */
export class SubscriptionRefusedError extends Error {
  readonly errors: readonly WireError[];
  /** An error listing the `errors` the server answered the subscription with. */
  constructor(errors: readonly WireError[]) {
    super(`The server refused the subscription: ${errors.map((error) => error.message).join('; ')}`);
    this.name = 'SubscriptionRefusedError';
    this.errors = errors;
  }
}
