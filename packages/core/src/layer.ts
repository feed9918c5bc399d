import type { RetainPolicy } from './retain.js';

/**
 * A layer carries bytes from `publish` to every `subscribe` handler of the same
 * topic, in this process (`memoryLayer`) or across processes (`redisLayer`).
 * The hub is its only user; write one to carry broadcasts over any bus.
 *
 * The contract, which `layerConformance` from `@gqlcast/core/testing` checks:
 *
 * - **Bytes in, same bytes out.** Messages are opaque binary (any byte values);
 *   no encoding detour.
 * - **Confirmation means delivery.** `subscribe` resolves only when the
 *   subscription is active: a message published after it resolves reaches the handler.
 * - **Order.** Messages published to one topic by one caller, in call order
 *   (even without awaiting `publish`), reach each handler in that order.
 * - **Isolation.** A handler that throws does not stop delivery to others;
 *   the layer reports it and goes on.
 * - **Several handlers per topic** are allowed; each gets every message.
 *   The hub keeps to one per topic per process, so a layer may assume few.
 * - **`unsubscribe`** stops delivery to that handler once it resolves; it is
 *   idempotent.
 * - **`publish` never hangs without bound.** When the backend is unreachable it
 *   rejects with a `GQLCAST_LAYER_UNAVAILABLE` error (or buffers within a
 *   documented bound); after `close` it rejects with `GQLCAST_LAYER_CLOSED`.
 */
export interface Layer {
  /** A short name for logs and errors, e.g. `memory` or `redis(127.0.0.1:6379)`. */
  readonly name: string;

  /**
   * Whether messages may come from other processes or programs. The hub then
   * checks each received payload against its channel's schema (once per
   * process), and drops what fails. The memory layer leaves it unset: its
   * payloads were validated by the broadcast in this very process.
   */
  readonly remote?: boolean | undefined;

  /**
   * Sends `message` to every handler subscribed to `topic`. Resolves once the layer has taken it.
   * With `retain` (a layer that has {@link Layer.history}), the message is also
   * kept in the topic's history under a new event id; without it nothing is stored.
   */
  publish(topic: string, message: Uint8Array, retain?: RetainPolicy): Promise<void>;

  /**
   * Calls `onMessage` with every message published to `topic` from now on.
   * Resolves once the subscription is active (the confirmation). A retained
   * message arrives with its event id (the same id {@link Layer.history} reports).
   */
  subscribe(topic: string, onMessage: (message: Uint8Array, id?: string) => void): Promise<LayerSubscription>;

  /**
   * Present on layers that retain history (the resume seam, docs/resume.md).
   * The retention contract, which `layerConformance` checks:
   *
   * - **Ids are monotonic per topic and the same in every process**: each
   *   retained message gets one id, and {@link compareEventIds} orders them.
   * - **The live message carries its id**: `subscribe`'s handler gets it.
   * - **History after an id**: the retained messages of `topic` published after
   *   `afterId`, oldest first (`afterId` `"0"`: all of them), and whether
   *   `afterId` was still within retention, so a gap can be reported (for
   *   `"0"`: whether nothing was ever trimmed, with the count when known).
   * - **The last id**: {@link Layer.lastEventId}, where a new subscriber starts.
   */
  history?(topic: string, afterId: string): Promise<LayerHistory>;

  /**
   * The id of the last message retained on `topic` (`"0"` when none): where a new
   * subscriber starts, so its cursor covers groups that sent it nothing yet. Present
   * on layers that have {@link Layer.history}.
   */
  lastEventId?(topic: string): Promise<string>;

  /** How the layer is doing right now; cheap enough to call from a health endpoint. */
  health(): LayerHealth;

  /** Stops all delivery and releases connections. Idempotent. */
  close(): Promise<void>;
}

/** A retained message and its event id. */
export interface LayerEvent {
  readonly id: string;
  readonly message: Uint8Array;
}

/** What {@link Layer.history} returns. */
export interface LayerHistory {
  /** The retained messages after the id asked for, oldest first. */
  readonly events: readonly LayerEvent[];
  /**
   * Whether nothing after the id asked for was lost to retention. When
   * `false`, `missed` counts the lost messages if the layer can count them.
   */
  readonly complete: boolean;
  readonly missed?: number | undefined;
}

/**
 * Orders two event ids: `<0`, `0` or `>0`. Ids are `ms-seq` (Redis stream ids)
 * or plain decimal integers (`seq`, the memory layer), compared part by part as numbers.
 */
export function compareEventIds(a: string, b: string): number {
  // Runs for each live notification of a retaining subscription: no split, no substring.
  const aDash = a.indexOf('-');
  const bDash = b.indexOf('-');
  const aMsEnd = aDash === -1 ? a.length : aDash;
  const bMsEnd = bDash === -1 ? b.length : bDash;
  const byMs = compareDigits(a, 0, aMsEnd, b, 0, bMsEnd);
  if (byMs !== 0) return byMs;
  // A missing sequence part counts as 0.
  return compareDigits(
    a,
    aDash === -1 ? a.length : aDash + 1,
    a.length,
    b,
    bDash === -1 ? b.length : bDash + 1,
    b.length,
  );
}

/**
 * Compares two decimal numbers written in `a[aStart, aEnd)` and `b[bStart, bEnd)`, without
 * leading zeros (an empty range is 0): the longer is larger, else the first differing digit.
 */
function compareDigits(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart === 1 && a.charCodeAt(aStart) === 48 ? 0 : aEnd - aStart;
  const bLength = bEnd - bStart === 1 && b.charCodeAt(bStart) === 48 ? 0 : bEnd - bStart;
  if (aLength !== bLength) return aLength - bLength;
  for (let i = 0; i < aLength; i++) {
    const difference = a.charCodeAt(aStart + i) - b.charCodeAt(bStart + i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** An active subscription of a layer topic. */
export interface LayerSubscription {
  /** Stops delivery to this handler. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** What {@link Layer.health} reports. */
export interface LayerHealth {
  /**
   * - `up`: publishing and delivery work.
   * - `down`: the backend is unreachable; broadcasts fail and subscriptions wait to be re-established.
   * - `closed`: `close()` was called.
   */
  readonly status: 'up' | 'down' | 'closed';
  /** A human-readable cause when not `up`. */
  readonly detail?: string;
}
