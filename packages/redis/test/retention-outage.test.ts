// Retention while Redis is down (issue 19): retained broadcasts follow the layer's outage policy
// (fail fast, or the bounded offline buffer), `history` fails fast with a stable code, and a Redis
// that restarts without persistence has lost the history: a cursor from before is then a gap.
import { ErrorCode, isGqlcastError, type LayerHistory, type Logger } from '@gqlcast/core';
import { collect } from '@gqlcast/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { redisLayer } from '../src/index.js';
import { manualReconnectClient } from './utils/manual-client.js';
import { startRedis } from './utils/redis-server.js';
import { nextEvent } from './utils/wait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function quietLogger(): Logger {
  const ignore = () => undefined;
  return { debug: ignore, info: ignore, warn: ignore, error: ignore };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (n: number) => encoder.encode(String(n));
const numbers = (history: LayerHistory) => history.events.map((event) => Number(decoder.decode(event.message)));

describe('retention while Redis is down', () => {
  it('fails a retained broadcast and a history read at once with GQLCAST_LAYER_UNAVAILABLE', async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const layer = redisLayer({ url: node.url, logger: quietLogger() });
    cleanups.push(() => layer.close());
    await layer.publish('chat:1', bytes(1), { count: 10 });
    const down = nextEvent(layer, 'down', (event) => event.role === 'publisher');
    await node.kill();
    await down;
    const broadcast = await layer.publish('chat:1', bytes(2), { count: 10 }).catch((e: unknown) => e);
    expect(isGqlcastError(broadcast, ErrorCode.LayerUnavailable)).toBe(true);
    const read = await layer.history?.('chat:1', '0').catch((e: unknown) => e);
    expect(isGqlcastError(read, ErrorCode.LayerUnavailable)).toBe(true);
    expect((read as Error).message).toMatch(
      new RegExp(`^redis\\(127\\.0\\.0\\.1:${node.port}\\) is unavailable: .+\\. Nothing was read\\.$`),
    );
  });

  it('holds retained broadcasts in the offline buffer, then stores and sends them in order with their ids; the lost history is a gap', async () => {
    // The publisher is a client of ours that reconnects only when told, so the subscriber is back first.
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const publisherClient = manualReconnectClient(node.url, cleanups);
    const publisher = redisLayer({ redis: publisherClient, offlineBuffer: 3, logger: quietLogger() });
    const subscriber = redisLayer({ url: node.url, logger: quietLogger() });
    cleanups.push(
      () => publisher.close(),
      () => subscriber.close(),
    );
    const live = collect<[number, string | undefined]>();
    await subscriber.subscribe('chat:1', (message, id) => live.push([Number(decoder.decode(message)), id]));
    await publisher.publish('chat:1', bytes(0), { count: 10 });
    const [[, cursor]] = (await live.waitFor(1)) as [[number, string]];

    const subscriberDown = nextEvent(subscriber, 'down', (event) => event.role === 'subscriber');
    const publisherClosed = new Promise((resolve) => publisherClient.once('end', resolve));
    await node.kill();
    await Promise.all([subscriberDown, publisherClosed]);
    const held = [1, 2, 3].map((n) => publisher.publish('chat:1', bytes(n), { count: 10 }));
    const overflow = await publisher.publish('chat:1', bytes(4), { count: 10 }).catch((e: unknown) => e);
    expect(isGqlcastError(overflow, ErrorCode.LayerUnavailable)).toBe(true);

    const subscriberUp = nextEvent(subscriber, 'up', (event) => event.role === 'subscriber');
    await node.start();
    await subscriberUp;
    await publisherClient.connect();
    await Promise.all(held);
    const got = (await live.waitFor(4)).slice(1);
    expect(got.map(([n]) => n)).toEqual([1, 2, 3]);
    // This Redis keeps no data across a restart: the history holds only what came after it.
    const history = (await subscriber.history?.('chat:1', '0')) as LayerHistory;
    expect(numbers(history)).toEqual([1, 2, 3]);
    expect(history.events.map((event) => event.id)).toEqual(got.map(([, id]) => id));
    // A subscriber resuming from before the restart cannot know what it lost: a gap, never silence.
    const resumed = (await subscriber.history?.('chat:1', cursor)) as LayerHistory;
    expect({ complete: resumed.complete, events: numbers(resumed) }).toEqual({ complete: false, events: [1, 2, 3] });
  });
});
