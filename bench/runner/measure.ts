// The building blocks of every scenario: connect and subscribe a connection set, prove the
// subscriptions active, and run one measured phase (publish → drain → server stats → verify).
import type { Subprotocol } from '../contenders/api.js';
import { roomOf } from '../loadgen/subscriptions.js';
import type { Child } from './child.js';
import type { ContenderInfo } from './contenders.js';
import type { Profile } from './profile.js';
import type {
  Expectation,
  HostDone,
  HostRequest,
  HostStats,
  LoadgenDrained,
  LoadgenVerified,
  SubscriptionKind,
} from './protocol.js';
import type { Collector } from './results.js';

/** The load generator may use this much of its core before a measure is invalid (method 4.1.3). */
export const loadgenLimitPct = 70;
/** A server using this much of its core is the bottleneck of the measure. */
export const serverBusyPct = 90;

export interface Ctx {
  loadgen: Child;
  server: Child;
  contender: ContenderInfo;
  collector: Collector;
  profile: Profile;
  round: number;
  /** The connections of the current set. */
  connections: number;
}

export async function connect(ctx: Ctx, server: { port: number; path: string }, protocol: Subprotocol, count: number) {
  const reply = await ctx.loadgen.ask<{ ms: number; failed: number; failures: string[] }>(
    { type: 'connect', port: server.port, path: server.path, protocol, count, batch: ctx.profile.connectBatch },
    'connected',
    300_000,
  );
  if (reply.failed > 0) throw new Error(`${reply.failed} of ${count} connections failed: ${reply.failures.join('; ')}`);
  ctx.connections = count;
  return reply;
}

export async function subscribe(ctx: Ctx, kind: SubscriptionKind, options: { rooms?: number; first?: number } = {}) {
  await ctx.loadgen.ask({ type: 'subscribe', kind, ...options }, 'subscribed');
  await ctx.loadgen.ask({ type: 'settle' }, 'settled', 60_000);
}

export async function closeAll(ctx: Ctx): Promise<void> {
  const { errors } = await ctx.loadgen.ask<{ errors: string[] }>({ type: 'close' }, 'closed', 60_000);
  if (errors.length > 0) throw new Error(`while closing: ${errors.join('; ')}`);
  ctx.connections = 0;
}

/** Notifications the room subscribers of the first `count` connections should get. */
export function roomTotal(count: number, rooms: number, matrix: number[]): number {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const { room, parity } = roomOf(i, rooms);
    total += matrix[room * 2 + parity]!;
  }
  return total;
}

/** One event per room and parity (consecutive seqs alternate parity). */
export function roomProbe(rooms: number): { topics: string[]; matrix: number[] } {
  const topics = Array.from({ length: rooms }, (_, r) => [`room:r${r}`, `room:r${r}`]).flat();
  return { topics, matrix: new Array<number>(rooms * 2).fill(1) };
}

/**
 * Publishes `topics` until one burst reaches every subscriber exactly as expected: proves the
 * subscriptions active (no stack here confirms a subscribe) and warms the path up.
 */
export async function probe(ctx: Ctx, publisher: Child, topics: string[], expect: Expectation, total: number) {
  let last: LoadgenVerified | undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    await ctx.loadgen.ask({ type: 'phase', name: 'probe' }, 'phased');
    await publisher.ask({ type: 'burst', topics }, 'done');
    await ctx.loadgen.ask({ type: 'drain', expected: total, quietMs: 1_000, timeoutMs: 30_000 }, 'drained', 60_000);
    last = await ctx.loadgen.ask<LoadgenVerified>({ type: 'verify', expect }, 'verified');
    if (last.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250 * (attempt + 1)));
  }
  throw new Error(
    `subscriptions never all became active: ${last?.received}/${last?.expected}; ${last?.problems.slice(0, 3).join('; ')}`,
  );
}

export interface Phase {
  done: HostDone;
  drained: LoadgenDrained;
  stats: HostStats;
  verified: LoadgenVerified;
  /** Phase start → last notification, s. */
  spanS: number;
  flags: string[];
}

export interface PhaseOptions {
  scenario: string;
  request: HostRequest;
  /** Publishes (S5: the publisher process); defaults to the server. */
  publisher?: Child;
  /** Completion phases: each event is expected this many times. */
  completion?: number;
  expect: (done: HostDone) => Expectation;
  total: (done: HostDone) => number;
}

/** Runs one measured phase; loss and an over-busy load generator are recorded as failures. */
export async function phase(ctx: Ctx, options: PhaseOptions): Promise<Phase> {
  const publisher = options.publisher ?? ctx.server;
  const { loadgen } = ctx;
  await loadgen.ask({ type: 'phase', name: options.scenario, completion: options.completion ?? 0 }, 'phased');
  await ctx.server.ask({ type: 'mark' }, 'marked');
  // Completions go from the load generator straight back to the publishing loop.
  const relay = (message: { type?: string }) => {
    if (message.type === 'credit') publisher.send(message);
  };
  loadgen.process.on('message', relay);
  let done: HostDone;
  try {
    done = await publisher.ask<HostDone>(options.request, 'done', 600_000);
  } finally {
    loadgen.process.off('message', relay);
  }
  const total = options.total(done);
  const drained = await loadgen.ask<LoadgenDrained>(
    { type: 'drain', expected: total, quietMs: 3_000, timeoutMs: 120_000 },
    'drained',
    180_000,
  );
  const stats = await ctx.server.ask<HostStats>({ type: 'stats', gc: false }, 'stats');
  const verified = await loadgen.ask<LoadgenVerified>({ type: 'verify', expect: options.expect(done) }, 'verified');
  const flags: string[] = [];
  const who = ctx.contender.id;
  if (!verified.ok) {
    const detail = verified.problems.length > 0 ? verified.problems.slice(0, 3).join('; ') : verified.sample.detail;
    ctx.collector.fail({
      kind: 'loss',
      contender: who,
      scenario: options.scenario,
      message: `delivered ${verified.received} of ${verified.expected} expected; ${detail ?? ''}`,
    });
    flags.push('LOSS');
  }
  const spanS = Math.max(drained.spanMs, 1) / 1000;
  flags.push(...loadgenCheck(ctx, options.scenario, verified.cpuPct, stats.cpuUs / 1e4 / spanS));
  if (stats.publishErrors > 0) flags.push(`publish errors: ${stats.publishErrors} (${stats.lastError ?? ''})`);
  return { done, drained, stats, verified, spanS, flags };
}

/**
 * Whether the load generator limited a measure (recorded as an invalid run) and the flags that
 * say so. It did only if it was busy while the server had time to spare: with the server's core
 * full, the server was the bottleneck whatever the generator did.
 */
export function loadgenCheck(ctx: Ctx, scenario: string, loadgenPct: number, serverPct: number): string[] {
  const who = ctx.contender.id;
  if (loadgenPct <= loadgenLimitPct) return [];
  // L-frame is the absolute floor, reported and never a target: when even it outruns the load
  // generator, its figure is a lower bound, flagged as such, and the run stays valid.
  if (serverPct < serverBusyPct && who === 'L-frame') return [`lower bound: load generator ${loadgenPct.toFixed(0)} %`];
  if (serverPct < serverBusyPct) {
    ctx.collector.fail({
      kind: 'invalid',
      contender: who,
      scenario,
      message: `load generator at ${loadgenPct.toFixed(0)} % of its core (limit ${loadgenLimitPct} %) while the server used ${serverPct.toFixed(0)} % of its own`,
    });
    return ['invalid: load generator saturated'];
  }
  return [`load generator ${loadgenPct.toFixed(0)} % (server core full)`];
}
