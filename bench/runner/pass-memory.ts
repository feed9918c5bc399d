// One contender's first pass on the memory layer, on one connection set: S4 (memory and connect
// cost, step by step), then S1 (identical fan-out), S1b (100 distinct results), S2 (rooms with
// a 50 % SKIP). Each connection holds a `global`, a `room` and a `shaped` subscription.

import type { ContenderInfo } from './contenders.js';
import { type Ctx, closeAll, connect, type Phase, phase, probe, roomProbe, roomTotal, subscribe } from './measure.js';
import { type ScenarioId, windowFor } from './profile.js';
import type { HostStats } from './protocol.js';

const kb = (bytes: number) => bytes / 1024;

export interface MemoryPassResult {
  /** S1 broadcasts per wall second (the S3 reference when this is the best peer). */
  s1BroadcastsPerS?: number;
}

function fanoutMetrics(p: Phase) {
  const cpuS = p.stats.cpuUs / 1e6;
  const received = p.verified.received;
  return {
    notifPerCpuS: received / cpuS,
    usPerNotif: p.stats.cpuUs / received,
    notifPerS: received / p.spanS,
    broadcastsPerS: p.done.sent / p.spanS,
    completionP50Ms: p.verified.completion?.p50 ?? Number.NaN,
    completionP99Ms: p.verified.completion?.p99 ?? Number.NaN,
    latencyP99Ms: p.verified.latency.p99,
    serverCpuPct: (p.stats.cpuUs / 1e3 / (p.spanS * 1000)) * 100,
    loopDelayP99Ms: p.stats.loopDelayP99Ms,
    loadgenCpuPct: p.verified.cpuPct,
  };
}

/**
 * S1b: GraphQL executions per broadcast. Counted where the server exposes an `executes` counter
 * (gqlcast wraps its `execute` option); the peers run graphql-js once per subscriber per event
 * (graphql-ws's and mercurius's subscribe → execute per event), so they are N by construction,
 * reported as such and marked; the limits execute nothing and report no figure.
 */
function executesPerBroadcast(p: Phase, role: ContenderInfo['role'], n: number): Record<string, number> {
  // Connection i holds document i % 10 with variant ⌊i / 10⌋ % 10: min(N, 100) distinct results.
  const distinctResults = Math.min(n, 100);
  const executes = p.stats.counters?.executes;
  if (executes !== undefined) return { executesPerBroadcast: executes / p.done.sent, distinctResults };
  if (role === 'peer') return { executesPerBroadcast: n, executesByConstruction: 1, distinctResults };
  return { distinctResults };
}

function histograms(p: Phase): Record<string, string> {
  return {
    latency: p.verified.latency.encoded,
    ...(p.verified.completion ? { completion: p.verified.completion.encoded } : {}),
  };
}

export async function memoryPass(
  ctx: Ctx,
  server: { port: number; path: string },
  scenarios: ReadonlySet<ScenarioId>,
): Promise<MemoryPassResult> {
  const { profile, collector, contender, round } = ctx;
  const n = profile.connections;
  const rooms = Math.max(1, Math.round(n / 10));
  const stats = () => ctx.server.ask<HostStats>({ type: 'stats', gc: true }, 'stats', 60_000);
  const result: MemoryPassResult = {};

  const base = await stats();
  const { ms: connectMs } = await connect(ctx, server, 'graphql-transport-ws', n);
  const connected = await stats();
  await subscribe(ctx, 'global');
  await probe(ctx, ctx.server, ['global'], { global: 1 }, n);
  const withSub = await stats();
  let extra: HostStats | undefined;
  const extraOn = Math.min(profile.s4Extra, n);
  if (scenarios.has('S4')) {
    await subscribe(ctx, 'idle', { first: extraOn });
    extra = await stats();
    await ctx.loadgen.ask({ type: 'unsubscribe', kind: 'idle', first: extraOn }, 'unsubscribed');
    await ctx.loadgen.ask({ type: 'settle' }, 'settled', 60_000);
  }

  await subscribe(ctx, 'room', { rooms });
  await subscribe(ctx, 'shaped');
  const probeRooms = roomProbe(rooms);
  await probe(ctx, ctx.server, probeRooms.topics, { room: { rooms, matrix: probeRooms.matrix } }, n);
  await probe(ctx, ctx.server, ['shaped'], { shaped: 1 }, n);

  const window = windowFor(n);
  const durationMs = profile.windowMs;
  if (scenarios.has('S1') || scenarios.has('S3') || scenarios.has('S7')) {
    const p = await phase(ctx, {
      scenario: 'S1',
      request: { type: 'window', target: { kind: 'global' }, window, durationMs },
      completion: n,
      expect: (done) => ({ global: done.sent }),
      total: (done) => done.sent * n,
    });
    const metrics = { ...fanoutMetrics(p), window };
    result.s1BroadcastsPerS = metrics.broadcastsPerS;
    if (scenarios.has('S1')) {
      collector.add({
        scenario: 'S1',
        contender: contender.id,
        round,
        metrics,
        flags: p.flags,
        histograms: histograms(p),
      });
    }
  }
  if (scenarios.has('S1b')) {
    const p = await phase(ctx, {
      scenario: 'S1b',
      request: { type: 'window', target: { kind: 'shaped' }, window, durationMs },
      completion: n,
      expect: (done) => ({ shaped: done.sent }),
      total: (done) => done.sent * n,
    });
    const metrics = { ...fanoutMetrics(p), window, ...executesPerBroadcast(p, contender.role, n) };
    collector.add({
      scenario: 'S1b',
      contender: contender.id,
      round,
      metrics,
      flags: p.flags,
      histograms: histograms(p),
    });
  }
  if (scenarios.has('S2')) {
    const p = await phase(ctx, {
      scenario: 'S2',
      request: { type: 'rate', target: { kind: 'rooms', rooms }, rate: profile.s2Rate, durationMs },
      expect: (done) => ({ room: { rooms, matrix: done.matrix! } }),
      total: (done) => roomTotal(n, rooms, done.matrix!),
    });
    const cpuS = p.stats.cpuUs / 1e6;
    // Behind schedule, as in S3: delivery went on well past the end of the schedule.
    const behind = p.done.lagMaxMs > 250 || p.drained.drainMs > 250 + 2000 / profile.s2Rate;
    const metrics = {
      saturated: behind ? 1 : 0,
      deliveredPerS: p.verified.received / p.spanS,
      deliveredPerCpuS: p.verified.received / cpuS,
      cpuUsPerEvent: p.stats.cpuUs / p.done.sent,
      events: p.done.sent,
      delivered: p.verified.received,
      skipped: p.done.sent * 10 - p.verified.received,
      p50Ms: p.verified.latency.p50,
      p99Ms: p.verified.latency.p99,
      p999Ms: p.verified.latency.p999,
      serverCpuPct: (p.stats.cpuUs / 1e3 / (p.spanS * 1000)) * 100,
      loopDelayP99Ms: p.stats.loopDelayP99Ms,
      loadgenCpuPct: p.verified.cpuPct,
    };
    collector.add({
      scenario: 'S2',
      contender: contender.id,
      round,
      metrics,
      flags: p.flags,
      histograms: histograms(p),
    });
  }

  await closeAll(ctx);
  if (scenarios.has('S4')) {
    // Let the server notice every close before measuring what is left.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await stats();
    const metrics = {
      connectPerS: n / (connectMs / 1000),
      rssPerConnKB: kb((connected.rss - base.rss) / n),
      heapPerConnKB: kb((connected.heapUsed - base.heapUsed) / n),
      rssPerConnSubKB: kb((withSub.rss - base.rss) / n),
      heapPerConnSubKB: kb((withSub.heapUsed - base.heapUsed) / n),
      rssPerExtraSubKB: kb((extra!.rss - withSub.rss) / (5 * extraOn)),
      heapPerExtraSubKB: kb((extra!.heapUsed - withSub.heapUsed) / (5 * extraOn)),
      heapLeftPerConnB: (after.heapUsed - base.heapUsed) / n,
      rssLeftMB: (after.rss - base.rss) / 2 ** 20,
    };
    // Heap left after everyone left, beyond a quarter of what the subscribed connections cost (+2 MiB of caches and code): a leak?
    const leak = after.heapUsed - base.heapUsed > 0.25 * (withSub.heapUsed - base.heapUsed) + 2 ** 21;
    collector.add({
      scenario: 'S4',
      contender: contender.id,
      round,
      metrics,
      flags: leak ? ['leak?'] : [],
      histograms: {},
    });
  }
  return result;
}
