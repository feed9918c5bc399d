// Under load, broadcasts go to Redis as one PUBLISH per group event, pipelined, and arrive in order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHub, silentLogger } from '@gqlcast/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { redisLayer } from '../src/index.js';
import { type RedisNode, startRedis } from './utils/redis-server.js';

const run = promisify(execFile);
let node: RedisNode;
beforeAll(async () => {
  node = await startRedis();
});
afterAll(async () => {
  await node?.stop();
});

async function publishCalls(): Promise<number> {
  const { stdout } = await run('redis-cli', ['-p', String(node.port), 'info', 'commandstats']);
  return Number(stdout.match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0);
}

it('sends exactly one PUBLISH per group event for a burst of 2,000 broadcasts, and every group keeps its order', async () => {
  const url = `redis://127.0.0.1:${node.port}`;
  const receiver = createHub({
    layer: redisLayer({ url, logger: silentLogger }),
    queueLimit: Number.POSITIVE_INFINITY,
  });
  const sender = createHub({ layer: redisLayer({ url, logger: silentLogger }) });
  const schema = z.object({ group: z.number(), n: z.number() });
  const receiving = receiver.channel('burst', { payload: schema });
  const sending = sender.channel('burst', { payload: schema });
  const groups = 20;
  const perGroup = 100;
  const subscriptions = Array.from({ length: groups }, (_, group) => receiving.subscribe(`g${group}`));
  await Promise.all(subscriptions.map((subscription) => subscription.ready));
  const before = await publishCalls();
  // Not awaited one by one: all issued in one turn of the event loop, as a busy server would.
  const sent: Promise<void>[] = [];
  for (let n = 0; n < perGroup; n++)
    for (let group = 0; group < groups; group++)
      sent.push(sending.broadcast({ group: `g${group}`, payload: { group, n } }));
  await Promise.all(sent);
  for (const [group, subscription] of subscriptions.entries()) {
    const seen: number[] = [];
    for await (const payload of subscription) {
      expect(payload.group).toBe(group);
      seen.push(payload.n);
      if (seen.length === perGroup) break;
    }
    expect(seen).toEqual(Array.from({ length: perGroup }, (_, n) => n));
  }
  expect((await publishCalls()) - before).toBe(groups * perGroup);
  await Promise.all([receiver.close(), sender.close()]);
});
