// Retention on one Redis node (issue 19): what a retained broadcast costs in Redis, what it leaves
// there, and what `history` reports. The retention contract itself (ids, history after an id,
// count, the seam) runs in conformance.test.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHub, ErrorCode, isGqlcastError, type LayerHistory, silentLogger } from '@gqlcast/core';
import { collect } from '@gqlcast/core/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeEnvelope, newPublisherId } from '../src/envelope.js';
import { redisLayer } from '../src/index.js';
import { streamKeyOf } from '../src/stream-key.js';
import { type RedisNode, startRedis } from './utils/redis-server.js';

const run = promisify(execFile);
let node: RedisNode;
let raw: Redis;
beforeAll(async () => {
  node = await startRedis();
  raw = new Redis(node.url);
});
afterAll(async () => {
  raw?.disconnect();
  await node?.stop();
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function layer(options: { signingKey?: string; keyPrefix?: string } = {}) {
  const opened = redisLayer({ url: node.url, logger: silentLogger, ...options });
  cleanups.push(() => opened.close());
  return opened;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (n: number) => encoder.encode(String(n));
const numbers = (history: LayerHistory) => history.events.map((event) => Number(decoder.decode(event.message)));
let topics = 0;
const topic = (label: string) => `retention.${process.pid}.${++topics}:${label}`;

async function commandCalls(): Promise<Map<string, number>> {
  const { stdout } = await run('redis-cli', ['-p', String(node.port), 'info', 'commandstats']);
  return new Map([...stdout.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]));
}
function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [command, calls] of after)
    if (calls !== (before.get(command) ?? 0)) out[command] = calls - (before.get(command) ?? 0);
  return out;
}

describe('what Redis sees', () => {
  it('without retain, traffic is as before: one PUBLISH per broadcast, no script, no key', async () => {
    const url = node.url;
    const hub = createHub({ layer: redisLayer({ url, logger: silentLogger }), logger: silentLogger });
    cleanups.push(() => hub.close());
    const plain = hub.channel('plain', { payload: z.object({ n: z.number() }) });
    const keysBefore = await raw.dbsize();
    const before = await commandCalls();
    await Promise.all(Array.from({ length: 100 }, (_, n) => plain.broadcast({ group: 'g', payload: { n } })));
    const after = await commandCalls();
    // INFO itself is counted once per call.
    expect(delta(before, after)).toEqual({ publish: 100, info: 1 });
    expect(await raw.dbsize()).toBe(keysBefore);
  });

  it('a retained broadcast is one script call: XADD and PUBLISH inside it, nothing else (figures for docs/redis.md)', async () => {
    const publisher = layer();
    const t = topic('cost');
    const payload = new Uint8Array(200).fill(7);
    // The first call on a connection is EVAL (it loads the script); the rest are EVALSHA.
    await publisher.publish(t, payload, { count: 10_000 });
    const memoryBefore = Number((await raw.info('memory')).match(/used_memory:(\d+)/)?.[1]);
    const before = await commandCalls();
    const rounds = 1_000;
    await Promise.all(Array.from({ length: rounds }, () => publisher.publish(t, payload, { count: 10_000 })));
    const after = await commandCalls();
    const memoryAfter = Number((await raw.info('memory')).match(/used_memory:(\d+)/)?.[1]);
    expect(delta(before, after)).toEqual({ evalsha: rounds, xadd: rounds, publish: rounds, info: 1 });
    const perMessage = (memoryAfter - memoryBefore) / rounds;
    console.info(`retained broadcast of a 200-byte frame: Redis used_memory +${perMessage.toFixed(0)} bytes each`);
    // The envelope is 227 bytes; Redis stores it in a listpack with a few bytes of id and flags.
    expect(perMessage).toBeGreaterThan(200);
    expect(perMessage).toBeLessThan(400);
  });

  it('keeps a stream per topic under the documented key, trimmed to count, with age as expiry', async () => {
    const publisher = layer({ keyPrefix: 'app:' });
    const t = topic('key');
    for (let n = 1; n <= 5; n++) await publisher.publish(t, bytes(n), { count: 3, maxAgeMs: 60_000 });
    const key = `app:history:{app:${t}}`;
    expect(streamKeyOf('app:', t)).toBe(key);
    expect(await raw.type(key)).toBe('stream');
    expect(await raw.xlen(key)).toBe(3);
    const ttl = await raw.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe('history', () => {
  it('gives two layer instances (two processes) the same ids for the same messages', async () => {
    const [a, b, reader] = [layer(), layer(), layer()];
    const t = topic('shared');
    const seenByA = collect<string | undefined>();
    const seenByB = collect<string | undefined>();
    await a.subscribe(t, (_message, id) => seenByA.push(id));
    await b.subscribe(t, (_message, id) => seenByB.push(id));
    const sent: Promise<void>[] = [];
    for (let n = 1; n <= 20; n++) sent.push((n % 2 === 0 ? a : b).publish(t, bytes(n), { count: 100 }));
    await Promise.all(sent);
    const [idsA, idsB] = await Promise.all([seenByA.waitFor(20), seenByB.waitFor(20)]);
    expect(idsA).toEqual(idsB);
    const history = await reader.history?.(t, '0');
    expect(history?.events.map((event) => event.id)).toEqual(idsA);
  });

  it('drops an age-expired entry at the next retained broadcast; a cursor before it is a gap', async () => {
    const publisher = layer();
    const t = topic('age');
    const key = streamKeyOf('gqlcast:', t);
    // Entries from 1970 (ids are milliseconds), written as a publisher would: no clock to wait for.
    const envelope = (n: number) => encodeEnvelope(newPublisherId(), 1, bytes(n));
    await raw.xadd(key, '1000-1', 'm', envelope(1));
    await raw.xadd(key, '1000-2', 'm', envelope(2));
    expect(numbers((await publisher.history?.(t, '0')) as LayerHistory)).toEqual([1, 2]);
    await publisher.publish(t, bytes(3), { maxAgeMs: 60_000 });
    const all = (await publisher.history?.(t, '0')) as LayerHistory;
    expect(numbers(all)).toEqual([3]);
    // "0" is also a new subscriber's start on an empty stream: the two trimmed entries are counted.
    expect({ complete: all.complete, missed: all.missed }).toEqual({ complete: false, missed: 2 });
    const stale = (await publisher.history?.(t, '1000-1')) as LayerHistory;
    expect({ complete: stale.complete, missed: stale.missed, events: numbers(stale) }).toEqual({
      complete: false,
      missed: undefined,
      events: [3],
    });
  });

  it('reports a topic without a stream as complete only from "0", and an id it never issued as unknown', async () => {
    const reader = layer();
    const t = topic('none');
    expect(await reader.history?.(t, '0')).toEqual({ events: [], complete: true });
    expect(await reader.history?.(t, '1-0')).toEqual({ events: [], complete: false });
    await reader.publish(t, bytes(1), { count: 10 });
    await reader.publish(t, bytes(2), { count: 10 });
    // After the last id (a Redis that restarted with its clock behind), a memory-layer id, garbage, the largest id.
    for (const cursor of ['99999999999999-0', '5', 'garbage', '18446744073709551615-18446744073709551615']) {
      const history = (await reader.history?.(t, cursor)) as LayerHistory;
      expect({ cursor, complete: history.complete, events: numbers(history) }).toEqual({
        cursor,
        complete: false,
        events: [1, 2],
      });
    }
    await reader.close();
    const closed = await reader.history(t, '0').catch((error: unknown) => error);
    expect(isGqlcastError(closed, ErrorCode.LayerClosed)).toBe(true);
  });

  it('with a signingKey, drops a stream entry that is not signed with it (written by someone with Redis access)', async () => {
    const signingKey = 'a shared secret of at least sixteen bytes';
    const publisher = layer({ signingKey });
    const t = topic('signed');
    await publisher.publish(t, bytes(1), { count: 10 });
    await raw.xadd(streamKeyOf('gqlcast:', t), '*', 'm', encodeEnvelope(newPublisherId(), 1, bytes(666)));
    await raw.xadd(streamKeyOf('gqlcast:', t), '*', 'm', 'not an envelope');
    await publisher.publish(t, bytes(2), { count: 10 });
    const history = (await publisher.history?.(t, '0')) as LayerHistory;
    expect(numbers(history)).toEqual([1, 2]);
    expect(publisher.stats()).toMatchObject({ rejected: 1, garbage: 1 });
  });
});

describe('through the hub', () => {
  it('accepts retain on a channel over Redis, and hands each retained notification its id in another process', async () => {
    const payload = z.object({ n: z.number() });
    const [sender, receiver] = [0, 1].map(() => {
      const hub = createHub({ layer: redisLayer({ url: node.url, logger: silentLogger }), logger: silentLogger });
      cleanups.push(() => hub.close());
      return hub;
    });
    const name = `kept${process.pid}`;
    const kept = sender?.channel(name, { payload, retain: { count: 10, maxAgeMs: 60_000 } });
    const seen = collect<[number, string | undefined]>();
    const subscription = receiver
      ?.channel(name, { payload, retain: { count: 10, maxAgeMs: 60_000 } })
      .subscribe(['g'], { onNotification: (value, _group, id) => seen.push([value.n, id]) });
    await subscription?.ready;
    await kept?.broadcast({ group: 'g', payload: { n: 1 } });
    await kept?.broadcast({ group: 'g', payload: { n: 2 } });
    const got = await seen.waitFor(2);
    const history = (await layer().history?.(`${name}:g`, '0')) as LayerHistory;
    expect(got.map(([, id]) => id)).toEqual(history.events.map((event) => event.id));
    expect(got.map(([n]) => n)).toEqual([1, 2]);
  });
});

describe('forged ids on the channel', () => {
  const withId = (id: string, envelope: Buffer) =>
    Buffer.concat([Buffer.from('GI'), Buffer.from([id.length]), Buffer.from(id, 'latin1'), envelope]);

  it('drops a malformed id prefix as garbage; the next broadcast arrives with its own id', async () => {
    const receiver = layer();
    const t = topic('malformed');
    const seen = collect<[number, string | undefined]>();
    await receiver.subscribe(t, (message, id) => seen.push([Number(decoder.decode(message)), id]));
    const envelope = encodeEnvelope(newPublisherId(), 1, bytes(666));
    await raw.publish(`gqlcast:${t}`, withId('not-an-id', envelope));
    await raw.publish(`gqlcast:${t}`, Buffer.from([0x47, 0x49, 200, 0x31]));
    await receiver.publish(t, bytes(1), { count: 10 });
    const [[n, id]] = (await seen.waitFor(1)) as [[number, string]];
    expect(n).toBe(1);
    expect((await receiver.history?.(t, '0'))?.events.map((event) => event.id)).toEqual([id]);
    expect(receiver.stats().garbage).toBe(2);
  });

  it('with a signingKey, a real signed envelope re-sent under another id is a replay, dropped', async () => {
    const signingKey = 'a shared secret of at least sixteen bytes';
    const [publisher, receiver] = [layer({ signingKey }), layer({ signingKey })];
    const t = topic('replayed');
    const seen = collect<[number, string | undefined]>();
    await receiver.subscribe(t, (message, id) => seen.push([Number(decoder.decode(message)), id]));
    await publisher.publish(t, bytes(1), { count: 10 });
    await seen.waitFor(1);
    // Someone with Redis access reads the signed envelope back from the stream and re-sends it
    // with an id of their choosing, to make it look like a later event.
    const [[, fields]] = (await raw.xrangeBuffer(streamKeyOf('gqlcast:', t), '-', '+')) as [[Buffer, Buffer[]]];
    await raw.publish(`gqlcast:${t}`, withId('99999999999999-0', fields[1] as Buffer));
    await publisher.publish(t, bytes(2), { count: 10 });
    const got = await seen.waitFor(2);
    expect(got.map(([n]) => n)).toEqual([1, 2]);
    expect(got.map(([, id]) => id)).toEqual((await receiver.history?.(t, '0'))?.events.map((event) => event.id));
    expect(receiver.stats().rejected).toBe(1);
    // The sentinel arrived after the forgery, so the forgery was handled (dropped) before it.
    expect(seen.items).toHaveLength(2);
  });
});
