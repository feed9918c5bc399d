// Resuming a channel subscription over Redis (issue 19): a subscriber in one process resumes in
// another from its cursor, with nothing lost or repeated, and no gap for groups (or the
// channel-wide topic) that sent it nothing yet: each starts where its stream stood.
import { type ChannelSubscription, createHub, decodeCursor, silentLogger } from '@gqlcast/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { redisLayer } from '../src/index.js';
import { type RedisNode, startRedis } from './utils/redis-server.js';

let node: RedisNode;
beforeAll(async () => {
  node = await startRedis();
});
afterAll(async () => {
  await node?.stop();
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let channels = 0;
/** A hub on its own Redis connections (another process's, as far as Redis can tell) with a retaining channel. */
function openProcess(name: string, count = 100) {
  const hub = createHub({ layer: redisLayer({ url: node.url, logger: silentLogger }), logger: silentLogger });
  cleanups.push(() => hub.close());
  return hub.channel(name, { payload: z.object({ n: z.number() }), retain: { count } });
}

/** Collects what a push subscription is handed, with the cursor at each. */
function subscriber(channel: ReturnType<typeof openProcess>, groups: string[], resumeFrom?: string) {
  const got: { n: number; cursor: string | undefined }[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const sub: ChannelSubscription<{ n: number }> = channel.subscribe(groups, {
    resumeFrom: resumeFrom === undefined ? undefined : decodeCursor(resumeFrom),
    onNotification: (value) => {
      got.push({ n: value.n, cursor: sub.cursor() });
      if (waiting !== undefined && got.length >= waiting.count) waiting.resolve();
    },
  });
  const until = (count: number) =>
    got.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { count, resolve }));
  return { sub, got, until, numbers: () => got.map((item) => item.n) };
}

describe('resuming over Redis', () => {
  it('resumes in another process after the cursor: what was missed, then live, no duplicate and no false gap', async () => {
    const name = `resume${++channels}`;
    const a = openProcess(name);
    const b = openProcess(name);
    const first = subscriber(a, ['x', 'quiet']);
    await first.sub.ready;
    for (let n = 1; n <= 3; n++) await a.broadcast({ group: 'x', payload: { n } });
    await first.until(3);
    const cursor = first.got[2]?.cursor as string;
    await first.sub.return();
    for (let n = 4; n <= 6; n++) await a.broadcast({ group: 'x', payload: { n } });
    const second = subscriber(b, ['x', 'quiet'], cursor);
    await second.sub.ready;
    // 'quiet' and the channel-wide topic sent nothing: they started where their streams stood, no gap.
    expect(second.sub.resumeGap).toBeUndefined();
    await a.broadcast({ group: 'x', payload: { n: 7 } });
    await second.until(4);
    expect(second.numbers()).toEqual([4, 5, 6, 7]);
  });

  it('reports the trimmed notifications of a group that was empty when the subscriber started', async () => {
    const name = `resume${++channels}`;
    const a = openProcess(name, 2);
    const first = subscriber(a, ['x']);
    await first.sub.ready;
    // Nothing was received: the cursor is the starting point (what a confirmation carries).
    const start = first.sub.cursor() as string;
    await first.sub.return();
    for (let n = 1; n <= 5; n++) await a.broadcast({ group: 'x', payload: { n } });
    const second = subscriber(openProcess(name, 2), ['x'], start);
    await second.sub.ready;
    expect(second.sub.resumeGap).toEqual({ missed: 3 });
    expect(second.numbers()).toEqual([4, 5]);
  });
});
