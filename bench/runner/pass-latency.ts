// One contender's second pass: S3 (fixed-rate broadcasts to every connection at the same
// offered loads for all: fractions of the reference S1 rate), then, for contenders that serve
// the legacy `graphql-ws` subprotocol, S7 (S1 and S3 at 50 % over it) on a fresh connection set.
import type { Subprotocol } from '../contenders/api.js';
import { type Ctx, closeAll, connect, type Phase, phase, probe, subscribe } from './measure.js';
import { type ScenarioId, windowFor } from './profile.js';

/**
 * Behind: the publisher ran late by more than 250 ms at some point, or the last broadcasts took
 * longer than two intervals (+250 ms) to reach everyone after the schedule ended.
 */
function saturated(p: Phase, rate: number): boolean {
  return p.done.lagMaxMs > 250 || p.drained.drainMs > 2 * (1000 / rate) + 250;
}

async function steady(ctx: Ctx, scenario: string, rate: number): Promise<void> {
  const n = ctx.connections;
  const p = await phase(ctx, {
    scenario,
    request: { type: 'rate', target: { kind: 'global' }, rate, durationMs: ctx.profile.windowMs },
    expect: (done) => ({ global: done.sent }),
    total: (done) => done.sent * n,
  });
  const behind = saturated(p, rate);
  const latency = p.verified.latency;
  ctx.collector.add({
    scenario,
    contender: ctx.contender.id,
    round: ctx.round,
    metrics: {
      offeredPerS: rate,
      p50Ms: latency.p50,
      p90Ms: latency.p90,
      p99Ms: latency.p99,
      p999Ms: latency.p999,
      maxMs: latency.max,
      loopDelayP99Ms: p.stats.loopDelayP99Ms,
      serverCpuPct: (p.stats.cpuUs / 1e3 / (p.spanS * 1000)) * 100,
      saturated: behind ? 1 : 0,
      loadgenCpuPct: p.verified.cpuPct,
    },
    flags: [...p.flags, ...(behind ? ['saturated'] : [])],
    histograms: { latency: latency.encoded },
  });
}

async function connectGlobal(ctx: Ctx, server: { port: number; path: string }, protocol: Subprotocol) {
  const n = ctx.profile.connections;
  await connect(ctx, server, protocol, n);
  await subscribe(ctx, 'global');
  await probe(ctx, ctx.server, ['global'], { global: 1 }, n);
}

export async function latencyPass(
  ctx: Ctx,
  server: { port: number; path: string; subprotocols: readonly Subprotocol[] },
  scenarios: ReadonlySet<ScenarioId>,
  /** Broadcasts/s of the reference S1 (best peer of this round). */
  reference: number,
): Promise<void> {
  if (scenarios.has('S3')) {
    await connectGlobal(ctx, server, 'graphql-transport-ws');
    for (const load of ctx.profile.s3Loads) await steady(ctx, `S3@${load * 100}`, load * reference);
    await closeAll(ctx);
  }
  if (!scenarios.has('S7') || !server.subprotocols.includes('graphql-ws')) return;
  await connectGlobal(ctx, server, 'graphql-ws');
  const n = ctx.connections;
  const window = windowFor(n);
  const p = await phase(ctx, {
    scenario: 'S7-S1',
    request: { type: 'window', target: { kind: 'global' }, window, durationMs: ctx.profile.windowMs },
    completion: n,
    expect: (done) => ({ global: done.sent }),
    total: (done) => done.sent * n,
  });
  ctx.collector.add({
    scenario: 'S7-S1',
    contender: ctx.contender.id,
    round: ctx.round,
    metrics: {
      notifPerCpuS: p.verified.received / (p.stats.cpuUs / 1e6),
      usPerNotif: p.stats.cpuUs / p.verified.received,
      notifPerS: p.verified.received / p.spanS,
      completionP99Ms: p.verified.completion?.p99 ?? Number.NaN,
      loadgenCpuPct: p.verified.cpuPct,
    },
    flags: p.flags,
    histograms: {
      latency: p.verified.latency.encoded,
      ...(p.verified.completion ? { completion: p.verified.completion.encoded } : {}),
    },
  });
  await steady(ctx, 'S7-S3@50', 0.5 * reference);
  await closeAll(ctx);
}
