// S5, Redis across processes: a publisher process (core 1) → Redis (core 1) → the contender's
// server (core 0) with `s5Subscribers` room subscriptions in `s5Rooms` rooms (parities split, so
// half of each room's subscribers SKIP an event, as in S2). Offered rate stepped up; once a step
// saturates, the higher steps are skipped (their backlog would only measure the queue).
// The same pass without Redis is S5's memory-layer baseline (`S5-mem@…`, contenders under test
// only): the same subscribers, rooms, rates and schema, the events published by the server
// process's own rate loop; its p99 per step is what the Redis run's `addedP99Ms` subtracts.
import type { Child } from './child.js';
import { type Ctx, closeAll, connect, phase, probe, roomProbe, roomTotal, subscribe } from './measure.js';
import type { RedisProcess } from './redis.js';

export interface S5Options {
  /** The publishing process: the S5 publisher, or the server itself (memory baseline). */
  publisher: Child;
  /** Redis, for PUBLISH and byte counts; absent in the memory baseline. */
  redis?: RedisProcess | undefined;
  /** Row names: `S5` (`S5@1k`, …) or `S5-mem`. */
  prefix: 'S5' | 'S5-mem';
  /** The memory baseline's p99 per offered rate: the Redis rows add `addedP99Ms`. */
  memoryP99Ms?: ReadonlyMap<number, number> | undefined;
}

/** Runs the rate steps; returns each completed step's p99 (ms) by offered rate. */
export async function redisPass(
  ctx: Ctx,
  server: { port: number; path: string },
  options: S5Options,
): Promise<Map<number, number>> {
  const { profile } = ctx;
  const { publisher, redis, prefix } = options;
  const n = profile.s5Subscribers;
  const rooms = profile.s5Rooms;
  const p99s = new Map<number, number>();
  await connect(ctx, server, 'graphql-transport-ws', n);
  await subscribe(ctx, 'room', { rooms });
  const probeRooms = roomProbe(rooms);
  await probe(ctx, publisher, probeRooms.topics, { room: { rooms, matrix: probeRooms.matrix } }, n);
  let skipRest: string | undefined;
  for (const rate of profile.s5Rates) {
    const scenario = `${prefix}@${rate / 1000}k`;
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
    const before = await redis?.counters();
    const p = await phase(ctx, {
      scenario,
      publisher,
      request: { type: 'rate', target: { kind: 'rooms', rooms }, rate, durationMs: profile.windowMs },
      expect: (done) => ({ room: { rooms, matrix: done.matrix! } }),
      total: (done) => roomTotal(n, rooms, done.matrix!),
    });
    const after = await redis?.counters();
    // Saturated: delivery ended more than 250 ms (+ 2 intervals) after the schedule, or the
    // publisher itself fell behind.
    const behind = p.done.lagMaxMs > 250 || p.drained.drainMs > 250 + 2000 / rate;
    if (behind) skipRest = `skipped: saturated at ${rate / 1000}k/s`;
    const latency = p.verified.latency;
    // A saturated step's p99 measures its queue: it is no baseline.
    if (!behind) p99s.set(rate, latency.p99);
    const memoryP99Ms = options.memoryP99Ms?.get(rate);
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
        ...(before && after
          ? {
              publishesPerEvent: (after.publishes - before.publishes) / p.done.sent,
              redisBytesPerEvent: (after.inputBytes - before.inputBytes) / p.done.sent,
            }
          : {}),
        // What crossing processes through Redis adds to the tail, same round, same workload (not
        // for a saturated step, whose p99 is its queue).
        ...(memoryP99Ms !== undefined ? { memoryP99Ms } : {}),
        ...(memoryP99Ms !== undefined && !behind ? { addedP99Ms: latency.p99 - memoryP99Ms } : {}),
        serverCpuPct: (p.stats.cpuUs / 1e3 / (p.spanS * 1000)) * 100,
        saturated: behind ? 1 : 0,
        loadgenCpuPct: p.verified.cpuPct,
      },
      flags: [...p.flags, ...(behind ? ['saturated'] : [])],
      histograms: { latency: latency.encoded },
    });
  }
  await closeAll(ctx);
  return p99s;
}
