// What retention (issue 19) costs in Redis: commands per retained broadcast, Redis memory per
// retained message, and the publisher's throughput with and without `retain`. Not part of npm test;
// run with `pnpm --filter @gqlcast/bench exec tsx retention-cost.ts` after a build. Figures go to
// docs/redis.md, "Retention (resume)".
import { createHub, silentLogger } from '@gqlcast/core';
import { redisLayer } from '@gqlcast/redis';
import { z } from 'zod';
import { startRedis } from './runner/redis.js';

const redis = await startRedis();
const url = `redis://127.0.0.1:${redis.port}`;
const hub = createHub({ layer: redisLayer({ url, logger: silentLogger }), logger: silentLogger });
const payload = z.object({ text: z.string() });
// About 200 bytes once msgpack-encoded in the hub's frame.
const body = { text: 'x'.repeat(190) };

async function commands(): Promise<Map<string, number>> {
  const text = await redis.client.info('commandstats');
  return new Map([...text.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]));
}
async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]);
}
function perBroadcast(before: Map<string, number>, after: Map<string, number>, n: number): string {
  const parts: string[] = [];
  for (const [command, calls] of after) {
    const d = calls - (before.get(command) ?? 0);
    if (d > 0 && command !== 'info') parts.push(`${command} ${(d / n).toFixed(2)}`);
  }
  return parts.join(', ');
}

async function run(
  label: string,
  retain: { count?: number; maxAgeMs?: number } | undefined,
  groups: number,
  n: number,
) {
  const channel = hub.channel(`c${label.replace(/\W/g, '')}`, { payload, ...(retain ? { retain } : {}) });
  // Warm up: scripts loaded, connections up.
  await channel.broadcast({ group: 'warm', payload: body });
  const memoryBefore = await usedMemory();
  const before = await commands();
  const started = performance.now();
  const batch: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    batch.push(channel.broadcast({ group: `g${i % groups}`, payload: body }));
    if (batch.length === 1_000) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  const seconds = (performance.now() - started) / 1_000;
  const after = await commands();
  const memory = (await usedMemory()) - memoryBefore;
  const kept = retain?.count === undefined ? n : Math.min(n, retain.count * groups);
  console.log(
    `${label}: ${n} broadcasts to ${groups} group(s), ${(n / seconds).toFixed(0)}/s; per broadcast: ${perBroadcast(before, after, n)}; ` +
      `used_memory +${memory} bytes (${retain ? `${(memory / kept).toFixed(0)} per retained message, ${kept} retained` : 'no key'})`,
  );
}

await run('plain', undefined, 1, 10_000);
await run('retain count', { count: 10_000 }, 1, 10_000);
await run('retain count (steady, trimming)', { count: 1_000 }, 1, 10_000);
await run('retain count+age', { count: 1_000, maxAgeMs: 600_000 }, 1, 10_000);
await run('retain count, 100 groups', { count: 100 }, 100, 10_000);
await hub.close();
await redis.stop();
