// Redis killed and restarted mid-stream, publisher and subscriber in different processes;
// garbage injected with redis-cli.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHub, type Logger } from '@gqlcast/core';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { redisLayer } from '../src/index.js';
import { nextMessage, startFixture } from './utils/processes.js';
import { startRedis } from './utils/redis-server.js';
import { nextEvent } from './utils/wait.js';

const run = promisify(execFile);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recording(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => void lines.push(message);
  return { lines, debug: push, info: push, warn: push, error: push };
}

it('survives a Redis restart mid-stream: no crash, order kept, every message Redis took received or reported as a gap', async () => {
  const node = await startRedis();
  cleanups.push(() => node.stop());
  const logger = recording();
  // This subscriber comes back after the publisher, so some ticks are surely lost in between.
  const layer = redisLayer({ url: node.url, keyPrefix: 'test:', logger, redisOptions: { retryStrategy: () => 1_500 } });
  const hub = createHub({ layer, logger });
  cleanups.push(() => hub.close());
  const messages = hub.channel('messages', {
    payload: z.object({ room: z.string(), text: z.string(), from: z.string() }),
  });
  const gaps: number[] = [];
  layer.on('deliveryGap', (gap) => {
    expect([gap.channel, gap.group]).toEqual(['messages', 'room:ticks']);
    gaps.push(gap.missed);
  });
  const subscription = messages.subscribe('room:ticks');
  await subscription.ready;

  const ticker = startFixture('ticker.ts', [node.url]);
  cleanups.push(async () => ticker.kill());
  await nextMessage(ticker, (message: { ready?: boolean }) => message.ready === true);
  ticker.send({ start: true });
  const received: number[] = [];
  const read = async (count: number) => {
    while (received.length < count) received.push(Number((await subscription.next()).value?.text));
  };
  await read(50);

  const down = nextEvent(layer, 'down', (event) => event.role === 'subscriber');
  await node.kill();
  await down;
  const up = nextEvent(layer, 'up', (event) => event.role === 'subscriber');
  await node.start();
  await up;
  const before = received.length;
  await read(before + 50);
  ticker.send({ stop: true });
  const { sent, failed } = await nextMessage<{ sent: number; failed: number }>(ticker, (message) => 'sent' in message);
  // Drain what is still on its way: everything Redis took is either received or reported missed.
  const missed = () => gaps.reduce((sum, value) => sum + value, 0);
  while (received.length + missed() < sent) received.push(Number((await subscription.next()).value?.text));
  await messages.broadcast({ group: 'room:ticks', payload: { room: 'ticks', text: 'sentinel', from: 'test' } });
  for (let next = await subscription.next(); next.value?.text !== 'sentinel'; next = await subscription.next()) {
    received.push(Number(next.value?.text));
  }

  expect(received.every((value, i) => i === 0 || value > (received[i - 1] ?? -1))).toBe(true);
  // Whether any tick fell in the loss window depends on which side reconnected first (a deterministic
  // gap is proven in outage.test.ts); whatever was lost here is accounted for below.
  // A publish written just as Redis died may have gone through yet reported a failure: those are
  // the only ones that can be counted on the other side without counting as sent.
  expect(received.length + missed()).toBeGreaterThanOrEqual(sent);
  expect(received.length + missed()).toBeLessThanOrEqual(sent + failed);
  expect(layer.stats().missed).toBe(missed());
}, 60_000);

it('drops garbage injected with redis-cli, one log line each, while valid messages flow', async () => {
  const node = await startRedis();
  cleanups.push(() => node.stop());
  const logger = recording();
  const layer = redisLayer({ url: node.url, keyPrefix: 'test:', logger });
  const hub = createHub({ layer, logger });
  cleanups.push(() => hub.close());
  const messages = hub.channel('messages', {
    payload: z.object({ room: z.string(), text: z.string(), from: z.string() }),
  });
  const subscription = messages.subscribe('room:x');
  await subscription.ready;
  for (let i = 0; i < 3; i++) {
    await messages.broadcast({ group: 'room:x', payload: { room: 'x', text: `valid ${i}`, from: 'a' } });
    await run('redis-cli', ['-p', String(node.port), 'publish', 'test:messages:room:x', `garbage ${i}`]);
  }
  await messages.broadcast({ group: 'room:x', payload: { room: 'x', text: 'valid 3', from: 'a' } });
  const texts: string[] = [];
  while (texts.length < 4) texts.push((await subscription.next()).value?.text ?? '');
  expect(texts).toEqual(['valid 0', 'valid 1', 'valid 2', 'valid 3']);
  expect(layer.stats().garbage).toBe(3);
  expect(logger.lines.filter((line) => line.includes('is not a gqlcast envelope'))).toHaveLength(3);
});
