// Redis is killed and restarted under a running hub: each behaviour on a real redis-server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHub, ErrorCode, isGqlcastError, type Logger, msgpackCodec } from '@gqlcast/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeEnvelope, newPublisherId } from '../src/envelope.js';
import { redisLayer } from '../src/index.js';
import { manualReconnectClient } from './utils/manual-client.js';
import { startRedis } from './utils/redis-server.js';
import { nextEvent } from './utils/wait.js';

const run = promisify(execFile);
const message = z.object({ room: z.string(), n: z.number() });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function quietLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => void lines.push(message);
  return { lines, debug: push, info: push, warn: push, error: push };
}

async function setup(options: { offlineBuffer?: number; reconnectDelay?: number } = {}) {
  const node = await startRedis();
  cleanups.push(() => node.stop());
  const logger = quietLogger();
  const layer = redisLayer({
    url: node.url,
    logger,
    offlineBuffer: options.offlineBuffer,
    ...(options.reconnectDelay ? { redisOptions: { retryStrategy: () => options.reconnectDelay } } : {}),
  });
  const hub = createHub({ layer, logger });
  cleanups.push(() => hub.close());
  const chat = hub.channel('chat', { payload: message });
  return { node, layer, hub, chat, logger };
}

async function collect(subscription: AsyncIterator<{ room: string; n: number }>, count: number) {
  const out: number[] = [];
  while (out.length < count) {
    const next = await subscription.next();
    if (next.done) throw new Error('ended');
    out.push(next.value.n);
  }
  return out;
}

describe('while Redis is down', () => {
  it('fails a broadcast at once with GQLCAST_LAYER_UNAVAILABLE naming the layer and the cause', async () => {
    const { node, layer, chat } = await setup();
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    const down = nextEvent(layer, 'down', (event) => event.role === 'publisher');
    await node.kill();
    await down;
    const error = await chat.broadcast({ group: 'room:1', payload: { room: '1', n: 1 } }).catch((e: unknown) => e);
    expect(isGqlcastError(error, ErrorCode.LayerUnavailable)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^redis\\(127\\.0\\.0\\.1:${node.port}\\) is unavailable: .+\\. Nothing was sent\\.$`),
    );
    expect(layer.health().status).toBe('down');
  });

  it('re-establishes subscriptions when Redis returns, and delivery resumes in order', async () => {
    const { node, layer, chat } = await setup();
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    await chat.broadcast({ group: 'room:1', payload: { room: '1', n: 0 } });
    expect(await collect(subscription, 1)).toEqual([0]);
    const down = nextEvent(layer, 'down', (event) => event.role === 'subscriber');
    await node.kill();
    await down;
    const up = Promise.all([
      nextEvent(layer, 'up', (event) => event.role === 'subscriber'),
      nextEvent(layer, 'up', (event) => event.role === 'publisher'),
    ]);
    await node.start();
    await up;
    expect(layer.health().status).toBe('up');
    for (let n = 1; n <= 200; n++) void chat.broadcast({ group: 'room:1', payload: { room: '1', n } });
    expect(await collect(subscription, 200)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('holds broadcasts in a bounded offline buffer when asked, and sends them in order once back', async () => {
    // The publisher is a client of ours that reconnects only when told, so the subscriber is back first.
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const publisherClient = manualReconnectClient(node.url, cleanups);
    const logger = quietLogger();
    const publisherHub = createHub({ layer: redisLayer({ redis: publisherClient, offlineBuffer: 3, logger }), logger });
    const subscriberLayer = redisLayer({ url: node.url, logger });
    const subscriberHub = createHub({ layer: subscriberLayer, logger });
    cleanups.push(
      () => publisherHub.close(),
      () => subscriberHub.close(),
    );
    const sender = publisherHub.channel('chat', { payload: message });
    const receiver = subscriberHub.channel('chat', { payload: message });
    const subscription = receiver.subscribe('room:1');
    await subscription.ready;
    await sender.broadcast({ group: 'room:1', payload: { room: '1', n: 0 } });
    expect(await collect(subscription, 1)).toEqual([0]);

    const subscriberDown = nextEvent(subscriberLayer, 'down', (event) => event.role === 'subscriber');
    const publisherClosed = new Promise((resolve) => publisherClient.once('end', resolve));
    await node.kill();
    await Promise.all([subscriberDown, publisherClosed]);
    const held = [1, 2, 3].map((n) => sender.broadcast({ group: 'room:1', payload: { room: '1', n } }));
    const overflow = await sender.broadcast({ group: 'room:1', payload: { room: '1', n: 4 } }).catch((e: unknown) => e);
    expect(isGqlcastError(overflow, ErrorCode.LayerUnavailable)).toBe(true);
    expect((overflow as Error).message).toContain('the offline buffer is full (3)');

    const subscriberUp = nextEvent(subscriberLayer, 'up', (event) => event.role === 'subscriber');
    await node.start();
    await subscriberUp;
    await publisherClient.connect();
    await Promise.all(held);
    expect(await collect(subscription, 3)).toEqual([1, 2, 3]);
  });

  it('keeps the process serving what does not need Redis', async () => {
    const { node, layer, hub, chat } = await setup();
    const local = createHub();
    cleanups.push(() => local.close());
    const remote = chat.subscribe();
    await remote.ready;
    await chat.broadcast({ payload: { room: '*', n: 1 } });
    const down = nextEvent(layer, 'down');
    await node.kill();
    await down;
    // Another channel on a local hub, and everything else in the process, keep working.
    const alerts = local.channel('alerts', { payload: z.string() });
    const subscription = alerts.subscribe();
    await subscription.ready;
    await alerts.broadcast({ payload: 'still here' });
    expect((await subscription.next()).value).toBe('still here');
    expect(hub.closed).toBe(false);
  });
});

describe('at-most-once delivery, made visible', () => {
  it('reports a deliveryGap with channel, group and missed count after the subscriber was cut off', async () => {
    // The subscriber comes back only after a while, so that what is published meanwhile is surely lost.
    const { node, layer, chat } = await setup({ reconnectDelay: 500 });
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    const raw = new Redis(node.url);
    raw.on('error', () => undefined);
    cleanups.push(async () => raw.disconnect());
    const publisher = newPublisherId();
    const frame = (n: number) => {
      // A hub frame (kind 1 + msgpack) made by another hub, inside our envelope.
      const body = Buffer.concat([Buffer.from([1]), msgpackCodec().encode({ room: '1', n })]);
      return encodeEnvelope(publisher, n, body);
    };
    const channel = 'gqlcast:chat:room:1';
    expect(await raw.publish(channel, frame(1))).toBe(1);
    expect(await collect(subscription, 1)).toEqual([1]);

    // Cut the subscriber's connection (only it), and publish while it is away: nobody receives 2 and 3.
    const up = nextEvent(layer, 'up', (event) => event.role === 'subscriber');
    await run('redis-cli', ['-p', String(node.port), 'client', 'kill', 'type', 'pubsub']);
    // PUBLISH answers how many received it: 0 proves the loss.
    expect([await raw.publish(channel, frame(2)), await raw.publish(channel, frame(3))]).toEqual([0, 0]);
    const gap = nextEvent(layer, 'deliveryGap');
    await up;
    expect(await raw.publish(channel, frame(4))).toBe(1);
    expect(await gap).toEqual({
      channel: 'chat',
      group: 'room:1',
      missed: 2,
      publisher: Buffer.from(publisher).toString('hex'),
    });
    expect(await collect(subscription, 1)).toEqual([4]);
    expect(layer.stats().missed).toBe(2);
  });
});

describe('garbage on our channels', () => {
  it('drops what is not an envelope, and a payload failing the schema, with a log line and a counter each', async () => {
    const { node, layer, hub, chat, logger } = await setup();
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    const raw = new Redis(node.url);
    raw.on('error', () => undefined);
    cleanups.push(async () => raw.disconnect());
    await chat.broadcast({ group: 'room:1', payload: { room: '1', n: 1 } });
    await raw.publish('gqlcast:chat:room:1', 'hello from another program');
    const wrongPayload = Buffer.concat([Buffer.from([1]), msgpackCodec().encode({ room: 1 })]);
    await raw.publish('gqlcast:chat:room:1', encodeEnvelope(newPublisherId(), 1, wrongPayload));
    await chat.broadcast({ group: 'room:1', payload: { room: '1', n: 2 } });
    expect(await collect(subscription, 2)).toEqual([1, 2]);
    expect(layer.stats().garbage).toBe(1);
    expect(hub.stats().rejected).toBe(1);
    expect(
      logger.lines.filter((line) =>
        line.startsWith('Dropped a message on "gqlcast:chat:room:1" that is not a gqlcast envelope'),
      ),
    ).toHaveLength(1);
    expect(
      logger.lines.filter((line) => line.startsWith('Dropped a message on channel "chat" that fails its schema')),
    ).toHaveLength(1);
  });
});

describe('what is not a gap', () => {
  it('does not report a broadcast refused during an outage as missed', async () => {
    const { node, layer, chat } = await setup();
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    await chat.broadcast({ group: 'room:1', payload: { room: '1', n: 1 } });
    expect(await collect(subscription, 1)).toEqual([1]);
    const down = nextEvent(layer, 'down', (event) => event.role === 'publisher');
    await node.kill();
    await down;
    await expect(chat.broadcast({ group: 'room:1', payload: { room: '1', n: 2 } })).rejects.toMatchObject({
      code: ErrorCode.LayerUnavailable,
    });
    const up = Promise.all([
      nextEvent(layer, 'up', (event) => event.role === 'subscriber'),
      nextEvent(layer, 'up', (event) => event.role === 'publisher'),
    ]);
    await node.start();
    await up;
    await chat.broadcast({ group: 'room:1', payload: { room: '1', n: 3 } });
    expect(await collect(subscription, 1)).toEqual([3]);
    expect(layer.stats().missed).toBe(0);
  });

  it('treats a client of yours that is already connected as connected: the offline buffer applies at once', async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const client = new Redis(node.url, {
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    cleanups.push(async () => client.disconnect());
    await new Promise((resolve) => client.once('ready', resolve));
    const hub = createHub({
      layer: redisLayer({ redis: client, offlineBuffer: 1, logger: quietLogger() }),
      logger: quietLogger(),
    });
    cleanups.push(() => hub.close());
    const chat = hub.channel('chat', { payload: message });
    const ended = new Promise((resolve) => client.once('end', resolve));
    await node.kill();
    await ended;
    const held = chat.broadcast({ group: 'room:1', payload: { room: '1', n: 1 } });
    held.catch(() => undefined);
    // Held, not waited on: the next one finds the buffer full at once.
    await expect(chat.broadcast({ group: 'room:1', payload: { room: '1', n: 2 } })).rejects.toThrow(
      /offline buffer is full \(1\)/,
    );
  });
});
