// S5, Redis across processes: a publisher process (core 1) → Redis (core 1) → the contender's
// server (core 0) with `s5Subscribers` room subscriptions in `s5Rooms` rooms (parities split, so
// half of each room's subscribers SKIP an event, as in S2). Offered rate stepped up; once a step
// saturates, the higher steps are skipped (their backlog would only measure the queue).
import type { Child } from './child.js';
import { type Ctx, closeAll, connect, phase, probe, roomProbe, roomTotal, subscribe } from './measure.js';
import type { RedisProcess } from './redis.js';

export async function redisPass(
  ctx: Ctx,
  server: { port: number; path: string },
  publisher: Child,
  redis: RedisProcess,
): Promise<void> {
  const { profile } = ctx;
  const n = profile.s5Subscribers;
  const rooms = profile.s5Rooms;
  await connect(ctx, server, 'graphql-transport-ws', n);
  await subscribe(ctx, 'room', { rooms });
  const probeRooms = roomProbe(rooms);
  await probe(ctx, publisher, probeRooms.topics, { room: { rooms, matrix: probeRooms.matrix } }, n);
  let skipRest: string | undefined;
  for (const rate of profile.s5Rates) {
    const scenario = `S5@${rate / 1000}k`;
    if (skipRest) {
      ctx.collector.add({
        scenario,
        contender: ctx.contender.id,
        round: ctx.round,
        metrics: {},
        flags: [skipRest],
        histograms: {},
      });
      continue;
    }
    const before = await redis.counters();
    const p = await phase(ctx, {
      scenario,
      publisher,
      request: { type: 'rate', target: { kind: 'rooms', rooms }, rate, durationMs: profile.windowMs },
      expect: (done) => ({ room: { rooms, matrix: done.matrix! } }),
      total: (done) => roomTotal(n, rooms, done.matrix!),
    });
    const after = await redis.counters();
    // Saturated: delivery ended more than 250 ms (+ 2 intervals) after the schedule, or the
    // publisher itself fell behind.
    const behind = p.done.lagMaxMs > 250 || p.drained.drainMs > 250 + 2000 / rate;
    if (behind) skipRest = `skipped: saturated at ${rate / 1000}k/s`;
    const latency = p.verified.latency;
    ctx.collector.add({
      scenario,
      contender: ctx.contender.id,
      round: ctx.round,
      metrics: {
        offeredPerS: rate,
        deliveredPerS: p.verified.received / p.spanS,
        deliveredPerCpuS: p.verified.received / (p.stats.cpuUs / 1e6),
        p50Ms: latency.p50,
        p99Ms: latency.p99,
        p999Ms: latency.p999,
        publishesPerEvent: (after.publishes - before.publishes) / p.done.sent,
        redisBytesPerEvent: (after.inputBytes - before.inputBytes) / p.done.sent,
        serverCpuPct: (p.stats.cpuUs / 1e3 / (p.spanS * 1000)) * 100,
        saturated: behind ? 1 : 0,
        loadgenCpuPct: p.verified.cpuPct,
      },
      flags: [...p.flags, ...(behind ? ['saturated'] : [])],
      histograms: { latency: latency.encoded },
    });
  }
  await closeAll(ctx);
}
