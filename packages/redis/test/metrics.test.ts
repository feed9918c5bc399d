// The Redis layer's OpenTelemetry metrics (issue 21), with the real SDK's in-memory reader and a
// real redis-server: messages by kind, delivery gaps, reconnects and the offline buffer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHub, msgpackCodec, silentLogger } from '@gqlcast/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordMetrics } from '../../core/test/trace-recorder.js';
import { encodeEnvelope, newPublisherId } from '../src/envelope.js';
import { redisLayer } from '../src/index.js';
import { manualReconnectClient } from './utils/manual-client.js';
import { startRedis } from './utils/redis-server.js';
import { nextEvent } from './utils/wait.js';

const run = promisify(execFile);
const recorder = recordMetrics();
const message = z.object({ room: z.string(), n: z.number() });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function metricValue(name: string, attributes: Record<string, unknown>): Promise<number | undefined> {
  const points = await recorder.points(name);
  const point = points.find((candidate) =>
    Object.entries(attributes).every(([key, value]) => candidate.attributes[key] === value),
  );
  return point?.value as number | undefined;
}

describe('Redis layer metrics', () => {
  it('count messages by kind, gaps and reconnects after the subscriber was cut off', async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    // The subscriber comes back only after a while, so that what is published meanwhile is surely lost.
    const layer = redisLayer({ url: node.url, logger: silentLogger, redisOptions: { retryStrategy: () => 500 } });
    const hub = createHub({ layer, logger: silentLogger });
    cleanups.push(() => hub.close());
    const subscription = hub.channel('chat', { payload: message }).subscribe('room:1');
    await subscription.ready;
    const raw = new Redis(node.url);
    raw.on('error', () => undefined);
    cleanups.push(async () => raw.disconnect());
    const publisher = newPublisherId();
    const frame = (n: number) =>
      encodeEnvelope(publisher, n, Buffer.concat([Buffer.from([1]), msgpackCodec().encode({ room: '1', n })]));
    const channel = 'gqlcast:chat:room:1';
    await raw.publish(channel, frame(1));
    await subscription.next();
    const up = nextEvent(layer, 'up', (event) => event.role === 'subscriber');
    await run('redis-cli', ['-p', String(node.port), 'client', 'kill', 'type', 'pubsub']);
    expect([await raw.publish(channel, frame(2)), await raw.publish(channel, frame(3))]).toEqual([0, 0]);
    await up;
    await raw.publish(channel, frame(4));
    await raw.publish(channel, 'not an envelope');
    expect((await subscription.next()).value).toEqual({ room: '1', n: 4 });
    const of = { 'gqlcast.layer': layer.name };
    expect(await metricValue('gqlcast.redis.gaps', of)).toBe(1);
    expect(await metricValue('gqlcast.redis.reconnects', of)).toBe(1);
    expect(await metricValue('gqlcast.redis.messages', { ...of, 'gqlcast.redis.kind': 'missed' })).toBe(2);
    expect(
      await metricValue('gqlcast.redis.messages', { ...of, 'gqlcast.redis.kind': 'received' }),
    ).toBeGreaterThanOrEqual(2);
    // The garbage follows n = 4 on the same connection: wait for its count rather than assume it.
    while ((await metricValue('gqlcast.redis.messages', { ...of, 'gqlcast.redis.kind': 'garbage' })) !== 1) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  });

  it('report the offline buffer while Redis is down', async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const client = manualReconnectClient(node.url, cleanups);
    const layer = redisLayer({ redis: client, offlineBuffer: 5, logger: silentLogger });
    const hub = createHub({ layer, logger: silentLogger });
    const chat = hub.channel('chat', { payload: message });
    await chat.broadcast({ payload: { room: '1', n: 0 } });
    const of = { 'gqlcast.layer': layer.name };
    expect(await metricValue('gqlcast.redis.offline_buffer', of)).toBe(0);
    const closed = new Promise((resolve) => client.once('end', resolve));
    await node.kill();
    await closed;
    const held = [1, 2].map((n) => chat.broadcast({ payload: { room: '1', n } }).catch(() => undefined));
    expect(await metricValue('gqlcast.redis.offline_buffer', of)).toBe(2);
    await hub.close();
    await Promise.all(held);
  });
});
