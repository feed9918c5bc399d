import type { Transport } from '@gqlcast/core/protocol';

/** Reconnection policy. */
export interface RetryOptions {
  /** Reconnection attempts after a connection is lost, before giving up. @defaultValue `10` */
  attempts?: number | undefined;
  /** The first delay, in ms. @defaultValue `500` */
  minDelay?: number | undefined;
  /** The longest delay, in ms. @defaultValue `30_000` */
  maxDelay?: number | undefined;
  /** How much the delay grows per attempt. @defaultValue `2` */
  factor?: number | undefined;
  /**
   * Random spread: each delay is drawn from `[delay * (1 - jitter), delay]`, so
   * clients of a restarted server do not all come back at once. `0` turns it off.
   * @defaultValue `0.5`
   */
  jitter?: number | undefined;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** How to reach the server: `webSocketTransport(url)`, `inProcessTransport(server)`, or your own. */
  transport: Transport;
  /** The subprotocol to speak. @defaultValue `'graphql-transport-ws'` */
  protocol?: 'graphql-transport-ws' | 'graphql-ws' | undefined;
  /**
   * The `connection_init` payload (auth tokens...). A function is called on every
   * (re)connection, so a refreshed token is sent after a reconnect.
   */
  connectionParams?:
    | Record<string, unknown>
    | (() => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>)
    | undefined;
  /**
   * Reconnect when the connection is lost (server restart, network drop), then
   * re-subscribe every active subscription. `false` turns it off. Close codes
   * that a retry cannot fix (4400, 4401, 4403, 4406, 4409, 4429) are never retried.
   * @defaultValue `{ attempts: 10, minDelay: 500, maxDelay: 30_000, factor: 2, jitter: 0.5 }`
   */
  retry?: RetryOptions | false | undefined;
  /**
   * How long a connection may wait for `connection_ack` (ms). Then it is closed
   * with 4408 and retried, so a server or proxy that never answers cannot leave
   * requests waiting forever.
   * @defaultValue `10_000`
   */
  connectionAckTimeout?: number | undefined;
  /**
   * `true`: connect on the first operation. `false`: connect at once.
   * Either way the connection then stays open until `close()`.
   * @defaultValue `true`
   */
  lazy?: boolean | undefined;
}

/** A retry policy with every field set. */
export type ResolvedRetry = { readonly [K in keyof RetryOptions]-?: number };

/** The reconnection policy used when `retry` is not given. */
export const retryDefaults: ResolvedRetry = { attempts: 10, minDelay: 500, maxDelay: 30_000, factor: 2, jitter: 0.5 };

/** Fills in the defaults; misuse is a `TypeError` naming the option. */
export function resolveRetry(retry: RetryOptions | false | undefined): ResolvedRetry | undefined {
  if (retry === false) return undefined;
  const resolved = { ...retryDefaults };
  for (const [key, value] of Object.entries(retry ?? {}) as [keyof RetryOptions, unknown][]) {
    if (value === undefined) continue;
    const jitter = key === 'jitter';
    // `!(… >= 0)` refuses NaN too.
    if (typeof value !== 'number' || !(value >= 0) || (jitter && value > 1)) {
      throw new TypeError(
        `createClient: retry.${key} must be a number ≥ 0${jitter ? ' and ≤ 1' : ''}, got ${String(value)}.`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

/** The delay before reconnection attempt `attempt` (0-based): exponential, capped, jittered. */
export function retryDelay(retry: ResolvedRetry, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxDelay, retry.minDelay * retry.factor ** attempt);
  return Math.round(ceiling * (1 - retry.jitter * random()));
}
