// S6 churn (graphql-ws #396): on a fresh connection set of min(connections, 2,000), every
// connection re-subscribes to `global` every 500 ms with a fresh id and completes each
// subscription on its first `next` (loadgen/churn.ts says why), while the server's own rate loop
// publishes one `global` broadcast every 20 ms, stamped with its intended send time. One unmeasured
// warm-up churn first, then the measured window. Measured: server CPU per subscribe (everything
// the server process did from mark to stats — subscribes, the first `next`s, completes, the
// broadcasts, one ping round trip per connection at the end — divided by the subscriptions that
// completed), subscribe → first `next` latency, subscribes per second. A subscription without a
// `next` or a wrong frame fails the run as loss.
import { type Ctx, closeAll, connect, loadgenCheck } from './measure.js';
import type { HostDone, HostStats, LoadgenChurned } from './protocol.js';

/** Each client's period: one subscribe and one complete per this many ms. */
export const s6PeriodMs = 500;
/** The method's client count; the quick profile's connection count caps it (2,000 too). */
export const s6MaxClients = 2_000;
/** One broadcast to the churning group every this many ms: a first `next` waits at most this. */
export const s6EventIntervalMs = 20;
/** After the window, how long a subscription may still wait for its first `next` before it is loss. */
const s6TimeoutMs = 10_000;
/** Fewer subscribes than this share of the ticks due: the server could not keep up. */
const s6KeptUp = 0.99;

async function churnPhase(ctx: Ctx, scenario: string, durationMs: number) {
  const { loadgen, server } = ctx;
  await loadgen.ask({ type: 'phase', name: scenario }, 'phased');
  await server.ask({ type: 'mark' }, 'marked');
  // Publishes until told to stop (below), so the last subscriptions get their first `next` too.
  const published = server.ask<HostDone>(
    {
      type: 'rate',
      target: { kind: 'global' },
      rate: 1000 / s6EventIntervalMs,
      durationMs: durationMs + s6TimeoutMs + 5_000,
      // Not polling the schedule every millisecond: that would be counted as subscribe CPU.
      sleep: true,
    },
    'done',
    durationMs + s6TimeoutMs + 60_000,
  );
  const churned = await loadgen.ask<LoadgenChurned>(
    { type: 'churn', periodMs: s6PeriodMs, durationMs, timeoutMs: s6TimeoutMs },
    'churned',
    durationMs + s6TimeoutMs + 60_000,
  );
  // One ping round trip per connection: the server has read every complete before its stats.
  await loadgen.ask({ type: 'settle' }, 'settled', 60_000);
  server.send({ type: 'stop' });
  const done = await published;
  const stats = await server.ask<HostStats>({ type: 'stats', gc: false }, 'stats');
  const flags: string[] = [];
  if (churned.problems.length > 0) {
    ctx.collector.fail({
      kind: 'loss',
      contender: ctx.contender.id,
      scenario,
      message: `${churned.firstNexts} of ${churned.subscribes} subscriptions got their first next; ${churned.problems.slice(0, 3).join('; ')}`,
    });
    flags.push('LOSS');
  }
  return { churned, done, stats, flags };
}

export async function churnPass(ctx: Ctx, server: { port: number; path: string }): Promise<void> {
  const { profile } = ctx;
  const n = Math.min(profile.connections, s6MaxClients);
  await connect(ctx, server, 'graphql-transport-ws', n);
  // Warms the subscribe and complete paths up (JIT, caches, pools); correctness still checked.
  await churnPhase(ctx, 'S6 warm-up', Math.min(1_000, profile.windowMs));
  const windowS = profile.windowMs / 1000;
  const { churned, done, stats, flags } = await churnPhase(ctx, 'S6', profile.windowMs);
  const serverPct = stats.cpuUs / 1e4 / Math.max(stats.elapsedMs / 1000, 0.001);
  flags.push(...loadgenCheck(ctx, 'S6', churned.cpuPct, serverPct));
  const behind = churned.subscribes < s6KeptUp * churned.offered;
  if (behind) flags.push('saturated');
  if (churned.tickLagMaxMs > 100) flags.push(`load generator ticks up to ${churned.tickLagMaxMs.toFixed(0)} ms late`);
  if (stats.publishErrors > 0) flags.push(`publish errors: ${stats.publishErrors} (${stats.lastError ?? ''})`);
  const latency = churned.firstNext;
  ctx.collector.add({
    scenario: 'S6',
    contender: ctx.contender.id,
    round: ctx.round,
    metrics: {
      subscribesPerS: churned.firstNexts / windowS,
      offeredPerS: churned.offered / windowS,
      cpuUsPerSubscribe: stats.cpuUs / churned.firstNexts,
      firstNextP50Ms: latency.p50,
      firstNextP99Ms: latency.p99,
      firstNextP999Ms: latency.p999,
      firstNextMaxMs: latency.max,
      clients: n,
      subscribes: churned.subscribes,
      skippedTicks: churned.skipped,
      nextsAfterComplete: churned.nextsAfterComplete,
      broadcasts: done.sent,
      serverCpuPct: serverPct,
      loopDelayP99Ms: stats.loopDelayP99Ms,
      saturated: behind ? 1 : 0,
      loadgenCpuPct: churned.cpuPct,
      loadgenTickLagMaxMs: churned.tickLagMaxMs,
    },
    flags,
    histograms: { firstNext: latency.encoded },
  });
  await closeAll(ctx);
}
