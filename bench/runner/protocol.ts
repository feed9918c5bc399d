// The IPC messages between the runner (parent) and its children: the contender host
// (contenders/host.ts, one per server or publisher process) and the load generator
// (loadgen/main.ts). Every request is answered by exactly one message of the named reply type.
import type { Subprotocol } from '../contenders/api.js';

/** Where scheduled events go: one topic, or random rooms `r0`…`r<rooms-1>`. */
export type Target = { kind: 'global' } | { kind: 'shaped' } | { kind: 'rooms'; rooms: number };

export type HostRequest =
  /** Resets the CPU, wall-clock and event-loop-delay baselines. Reply `marked`. */
  | { type: 'mark' }
  /** Reply `stats`; `gc` forces two full collections first (memory figures after GC). */
  | { type: 'stats'; gc: boolean }
  /** Publishes these events at once (warm-ups, readiness probes). Reply `done`. */
  | { type: 'burst'; topics: string[] }
  /**
   * Publishes to `target` at `rate` events/s for `durationMs`, on schedule. Reply `done`. The loop
   * checks the schedule every millisecond; with `sleep` it sleeps until each event is due instead
   * (S6: at one event per 20 ms, the checks would be counted as subscribe CPU).
   */
  | { type: 'rate'; target: Target; rate: number; durationMs: number; sleep?: boolean }
  /**
   * Back-to-back: keeps `window` events in flight (published, not yet complete at the load
   * generator) for `durationMs`; `credit` messages report completions. Reply `done`.
   */
  | { type: 'window'; target: Target; window: number; durationMs: number }
  | { type: 'credit'; completed: number }
  /** Ends the running `rate` loop now (S6 publishes until the churn is over); its `done` follows. */
  | { type: 'stop' }
  | { type: 'exit' };

export interface HostReady {
  type: 'ready';
  id: string;
  description: string;
  role: 'under-test' | 'peer' | 'limit';
  packages: string[];
  /** Servers only. */
  port?: number;
  path?: string;
  subprotocols?: Subprotocol[];
  layers: ('memory' | 'redis')[];
}

export interface HostStats {
  type: 'stats';
  /** User + system CPU since `mark`, every thread (GC included), µs. */
  cpuUs: number;
  elapsedMs: number;
  rss: number;
  heapUsed: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Rejected or thrown `publish` calls since the process started. */
  publishErrors: number;
  lastError?: string;
  /** The server's own counters (`ContenderServer.counters`), their increase since `mark`. */
  counters?: Record<string, number>;
}

export interface HostDone {
  type: 'done';
  sent: number;
  /** Rooms target: events sent per room and seq parity, `[room * 2 + seq % 2]`. */
  matrix?: number[];
  /** How far behind its schedule the publisher was at worst (rate mode), ms. */
  lagMaxMs: number;
  elapsedMs: number;
}

/** How a connection subscribes, by its index `i` (the load generator derives the arguments). */
export type SubscriptionKind =
  /** id `g`: `globalDocument`. */
  | 'global'
  /** id `r`: `roomDocument`, room `r<i % rooms>`, parity `⌊i / rooms⌋ % 2`. */
  | 'room'
  /** id `s`: `shapedDocuments[i % 10]`, variant `⌊i / 10⌋ % 10`. */
  | 'shaped'
  /** ids `x0`…`x4`: five `room` subscriptions of rooms never published (memory only). */
  | 'idle';

export type LoadgenRequest =
  | { type: 'connect'; port: number; path: string; protocol: Subprotocol; count: number; batch: number }
  | { type: 'subscribe'; kind: SubscriptionKind; rooms?: number; first?: number }
  | { type: 'unsubscribe'; kind: SubscriptionKind; first?: number }
  /** A transport-level round trip on every connection (ping/pong; legacy: none). Reply `settled`. */
  | { type: 'settle' }
  /**
   * Starts a measured phase: counters and histograms reset. With `completion`, every event is
   * expected `completion` times and its completion (last arrival − t) is recorded; `credit`
   * messages go to the parent as events complete.
   */
  | { type: 'phase'; name: string; completion?: number }
  /** Waits until `expected` notifications arrived, or progress stopped for `quietMs`. Reply `drained`. */
  | { type: 'drain'; expected: number; quietMs: number; timeoutMs: number }
  /** Checks every connection's counts against the expectation. Reply `verified`. */
  | { type: 'verify'; expect: Expectation }
  /**
   * S6: every connection subscribes to `global` with a fresh id (`c<n>`) every `periodMs`
   * (staggered evenly), completes each subscription on its first `next`, for `durationMs`; then
   * waits up to `timeoutMs` for the last first `next`s. Reply `churned`.
   */
  | { type: 'churn'; periodMs: number; durationMs: number; timeoutMs: number }
  | { type: 'close' }
  | { type: 'exit' };

export interface LoadgenChurned {
  type: 'churned';
  /** Ticks due (connections × durationMs / periodMs) and subscribes sent. */
  offered: number;
  subscribes: number;
  /** Ticks whose connection still waited for its previous subscription's first `next`. */
  skipped: number;
  /** Subscriptions that got their first `next` (and were completed). */
  firstNexts: number;
  /** Subscriptions still without a `next` at the end: loss. */
  open: number;
  /** Notifications for a subscription already completed (in flight when the server got it). */
  nextsAfterComplete: number;
  /** Subscribe frame written → its first `next` read, ms. */
  firstNext: LatencySummary;
  /** How far behind its schedule the load generator's ticks were at worst, ms. */
  tickLagMaxMs: number;
  /** Wrong frames, errors, a mismatching sampled frame: empty when correct. */
  problems: string[];
  /** Load generator CPU over the churn, % of one core. */
  cpuPct: number;
}

/** What each connection should have received in the phase, per subscription kind. */
export interface Expectation {
  global?: number;
  shaped?: number;
  /** Per room and parity (`matrix` of `HostDone`), with the room count used to subscribe. */
  room?: { rooms: number; matrix: number[] };
}

export interface LoadgenDrained {
  type: 'drained';
  received: number;
  /** From the phase start to the last notification, ms. */
  spanMs: number;
  /** From this request to done, ms. */
  drainMs: number;
  complete: boolean;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** hdr-histogram-js compressed base64, µs. */
  encoded: string;
}

export interface LoadgenVerified {
  type: 'verified';
  ok: boolean;
  received: number;
  expected: number;
  /** The first few mismatching connections. */
  problems: string[];
  /** The sampled frame, JSON-parsed and compared with the expected result. */
  sample: { checked: number; ok: boolean; detail?: string };
  /** Notification latency, receive − intended send time, ms. */
  latency: LatencySummary;
  /** Completion phases: per event, last arrival − t, ms. */
  completion?: LatencySummary;
  /** Load generator CPU over the phase (start → drain), % of one core. */
  cpuPct: number;
}
