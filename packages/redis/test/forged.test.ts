// What someone who can write to Redis (but holds no signing key) can do to a layer's receivers
// (issue 15, item 7). Forged frames are published raw on the very channel a group travels on; a
// later real broadcast proves that nothing was acted on: it arrives next, the subscription has
// not ended, and no gap was reported.
import { createHub, type Logger, msgpackCodec } from '@gqlcast/core';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeEnvelope, encodeSignedEnvelope, newPublisherId } from '../src/envelope.js';
import { type DeliveryGap, redisLayer } from '../src/index.js';
import { startCluster, startRedis } from './utils/redis-server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recording(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string) => void lines.push(message);
  return { lines, debug: push, info: push, warn: push, error: push };
}

const key = 'a shared secret of at least sixteen bytes';
const codec = msgpackCodec();
/** A hub notification frame (kind 1 + msgpack), as any hub builds it. */
const notification = (n: number) => Buffer.concat([Buffer.from([1]), codec.encode({ n })]);
/** A hub unsubscribe frame (kind 2 + [origin, sequence]), in the documented shape. */
const unsubscribeFrame = () => Buffer.concat([Buffer.from([2]), codec.encode([globalThis.crypto.randomUUID(), 0])]);
/** An envelope header with arbitrary sequence bytes, which the encoder would never write. */
function withSequenceBytes(sequence: Buffer, frame: Buffer, publisher = newPublisherId()): Buffer {
  const envelope = encodeEnvelope(publisher, 1, frame);
  sequence.copy(envelope, 19);
  return envelope;
}

async function setup(options: { signingKey?: string } = {}) {
  const node = await startRedis();
  cleanups.push(() => node.stop());
  const logger = recording();
  const layer = redisLayer({ url: node.url, logger, signingKey: options.signingKey });
  const hub = createHub({ layer, logger });
  cleanups.push(() => hub.close());
  const channel = hub.channel('chat', { payload: z.object({ n: z.number() }) });
  // The real publisher: another process's layer, with the same key.
  const senderLayer = redisLayer({ url: node.url, logger: recording(), signingKey: options.signingKey });
  const senderHub = createHub({ layer: senderLayer, logger: recording() });
  cleanups.push(() => senderHub.close());
  const sender = senderHub.channel('chat', { payload: z.object({ n: z.number() }) });
  const raw = new Redis(node.url);
  raw.on('error', () => undefined);
  cleanups.push(async () => raw.disconnect());
  /**
   * Records every frame on a Redis channel, as anyone allowed to subscribe can. Returns the
   * `index`th frame once the spy has it (its connection may lag the subscriber's).
   */
  const spyOn = async (name: string) => {
    const spy = new Redis(node.url);
    spy.on('error', () => undefined);
    cleanups.push(async () => spy.disconnect());
    const frames: Buffer[] = [];
    const waiting: (() => void)[] = [];
    spy.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
      frames.push(message);
      for (const wake of waiting.splice(0)) wake();
    });
    await spy.subscribe(name);
    return async (index: number): Promise<Buffer> => {
      while (frames[index] === undefined) await new Promise<void>((resolve) => waiting.push(resolve));
      return frames[index];
    };
  };
  const recorded = await spyOn('gqlcast:chat:room:1');
  const gaps: DeliveryGap[] = [];
  layer.on('deliveryGap', (gap) => gaps.push(gap));
  return { layer, hub, channel, sender, raw, recorded, gaps, logger, spyOn, nodeUrl: node.url };
}

async function take(subscription: AsyncIterator<{ n: number }>, count: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count) {
    const next = await subscription.next();
    if (next.done) throw new Error('the subscription ended');
    out.push(next.value.n);
  }
  return out;
}

describe('without a signing key', () => {
  it('drops garbage, unknown versions and impossible sequence numbers, and counts them; real broadcasts go on', async () => {
    const { layer, channel, sender, raw, recorded, gaps, logger } = await setup();
    const subscription = channel.subscribe('room:1');
    await subscription.ready;
    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(subscription, 1)).toEqual([1]);
    const realPublisher = (await recorded(0)).subarray(3, 19);
    const publish = (bytes: Buffer) => raw.publish('gqlcast:chat:room:1', bytes);

    await publish(Buffer.from('\u0000\u00ffnot an envelope'));
    const unknownVersion = encodeEnvelope(newPublisherId(), 1, notification(666));
    unknownVersion[2] = 9;
    await publish(unknownVersion);
    const u64 = (value: bigint) => {
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64BE(value);
      return bytes;
    };
    // -1 as a signed 64-bit number reads as 18446744073709551615 (the 1.8e19 of the report).
    const minusOne = Buffer.alloc(8);
    minusOne.writeBigInt64BE(-1n);
    await publish(withSequenceBytes(minusOne, notification(666)));
    const float = Buffer.alloc(8);
    float.writeDoubleBE(1.5);
    await publish(withSequenceBytes(float, notification(666)));
    await publish(withSequenceBytes(u64(0n), notification(666)));
    await publish(withSequenceBytes(u64(2n ** 53n), notification(666)));
    // The real publisher's id, numbered far beyond anything it could have sent since its message 1.
    await publish(withSequenceBytes(u64(2n ** 53n - 1n), notification(666), realPublisher));

    await sender.broadcast({ group: 'room:1', payload: { n: 2 } });
    expect(await take(subscription, 1)).toEqual([2]);
    expect(gaps).toEqual([]);
    expect(layer.stats()).toMatchObject({ garbage: 1, rejected: 6, missed: 0, received: 2 });
    expect(logger.lines.filter((line) => line.startsWith('Dropped a message on "gqlcast:chat:room:1"'))).toHaveLength(
      7,
    );
    expect(logger.lines.some((line) => line.includes('unknown envelope version 9'))).toBe(true);
    expect(logger.lines.some((line) => line.includes('sequence 18446744073709551615 is not a whole number'))).toBe(
      true,
    );
    expect(logger.lines.some((line) => line.includes('more than this publisher could have sent since'))).toBe(true);
  });

  it('logs the drops of one publisher once, however many it sends', async () => {
    const { layer, channel, sender, raw, logger } = await setup();
    const subscription = channel.subscribe('room:1');
    await subscription.ready;
    const minusOne = Buffer.alloc(8);
    minusOne.writeBigInt64BE(-1n);
    const forger = newPublisherId();
    for (let i = 0; i < 5; i++)
      await raw.publish('gqlcast:chat:room:1', withSequenceBytes(minusOne, notification(666), forger));
    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(subscription, 1)).toEqual([1]);
    expect(layer.stats().rejected).toBe(5);
    const hex = Buffer.from(forger).toString('hex');
    expect(logger.lines.filter((line) => line.includes(hex))).toHaveLength(1);
  });

  it('reports a plausible gap as it is, in a log line where the group name cannot start a forged line', async () => {
    const { layer, channel, raw, gaps, logger } = await setup();
    const group = 'room\n[gqlcast] forged line';
    const subscription = channel.subscribe(group);
    await subscription.ready;
    const publisher = newPublisherId();
    await raw.publish(`gqlcast:chat:${group}`, encodeEnvelope(publisher, 1, notification(1)));
    await raw.publish(`gqlcast:chat:${group}`, encodeEnvelope(publisher, 5, notification(5)));
    expect(await take(subscription, 2)).toEqual([1, 5]);
    expect(gaps.map((gap) => [gap.group, gap.missed])).toEqual([[group, 3]]);
    expect(layer.stats()).toMatchObject({ missed: 3, rejected: 0 });
    const line = logger.lines.find((entry) => entry.startsWith('Missed 3 message(s)'));
    expect(line).toBe(
      `Missed 3 message(s) on channel "chat" group "room\\n[gqlcast] forged line" while cut off from ${layer.name}.`,
    );
  });

  it('acts on a well-formed forged unsubscribe frame: what write access allows without a key', async () => {
    const { channel, raw } = await setup();
    const subscription = channel.subscribe('room:1');
    await subscription.ready;
    await raw.publish('gqlcast:chat:room:1', encodeEnvelope(newPublisherId(), 1, unsubscribeFrame()));
    expect((await subscription.next()).done).toBe(true);
  });
});

describe('with a signing key', () => {
  it('drops forged unsubscribe frames (unsigned, badly signed, moved from another group): nothing ends', async () => {
    const { layer, channel, sender, raw, recorded, gaps, spyOn } = await setup({ signingKey: key });
    const subscription = channel.subscribe('room:1');
    const other = channel.subscribe('room:2');
    await Promise.all([subscription.ready, other.ready]);
    // A real, signed unsubscribe of room:2, recorded on its way (the spy listens to room:2 too).
    const spied = await spyOn('gqlcast:chat:room:2');
    await sender.unsubscribe({ group: 'room:2' });
    expect((await other.next()).done).toBe(true);
    const signedUnsubscribe = await spied(0);

    const publish = (bytes: Buffer) => raw.publish('gqlcast:chat:room:1', bytes);
    await publish(encodeEnvelope(newPublisherId(), 1, unsubscribeFrame()));
    await publish(encodeSignedEnvelope(newPublisherId(), 1, unsubscribeFrame(), () => Buffer.alloc(16, 7)));
    await publish(signedUnsubscribe);

    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(subscription, 1)).toEqual([1]);
    expect(gaps).toEqual([]);
    expect(layer.stats()).toMatchObject({ rejected: 3, missed: 0 });
    // The spy saw the three forged frames and the real broadcast on room:1, in that order.
    expect((await recorded(3)).equals(signedUnsubscribe)).toBe(false);
  });

  it('drops a replayed signed frame, even once the group was ended and subscribed again', async () => {
    const { layer, channel, sender, raw, recorded } = await setup({ signingKey: key });
    const first = channel.subscribe('room:1');
    await first.ready;
    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(first, 1)).toEqual([1]);
    await sender.unsubscribe({ group: 'room:1' });
    expect((await first.next()).done).toBe(true);
    const [notificationFrame, unsubscribe] = [await recorded(0), await recorded(1)];

    const again = channel.subscribe('room:1');
    await again.ready;
    await raw.publish('gqlcast:chat:room:1', unsubscribe);
    await raw.publish('gqlcast:chat:room:1', notificationFrame);
    await sender.broadcast({ group: 'room:1', payload: { n: 2 } });
    expect(await take(again, 1)).toEqual([2]);
    expect(layer.stats().rejected).toBe(2);
  });

  it("delivers the signed frames of a process sharing the key, and drops a keyless process's", async () => {
    const { layer, channel, sender, nodeUrl } = await setup({ signingKey: key });
    const subscription = channel.subscribe('room:1');
    await subscription.ready;
    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(subscription, 1)).toEqual([1]);
    expect(layer.stats()).toMatchObject({ received: 1, rejected: 0, garbage: 0 });
    // A process without the key (a forger, or one not yet given the key): its frames are unsigned.
    const keyless = createHub({ layer: redisLayer({ url: nodeUrl, logger: recording() }), logger: recording() });
    cleanups.push(() => keyless.close());
    await keyless
      .channel('chat', { payload: z.object({ n: z.number() }) })
      .broadcast({ group: 'room:1', payload: { n: 666 } });
    await sender.broadcast({ group: 'room:1', payload: { n: 2 } });
    expect(await take(subscription, 1)).toEqual([2]);
    expect(layer.stats().rejected).toBe(1);
  });
});

it('refuses a signing key shorter than 16 bytes, naming the option', () => {
  expect(() => redisLayer({ url: 'redis://127.0.0.1:1', signingKey: 'short' })).toThrow(
    /signingKey must be at least 16 bytes/,
  );
});

describe('rolling a key in', () => {
  it('a keyless process and a process holding [new, old] both read what the old key signed', async () => {
    const node = await startRedis();
    cleanups.push(() => node.stop());
    const payload = z.object({ n: z.number() });
    const hubWith = (signingKey?: string | string[]) => {
      const hub = createHub({
        layer: redisLayer({ url: node.url, logger: recording(), signingKey }),
        logger: recording(),
      });
      cleanups.push(() => hub.close());
      return hub.channel('chat', { payload });
    };
    const sender = hubWith(key);
    const keyless = hubWith().subscribe('room:1');
    const rotated = hubWith(['the next shared secret, 16+ bytes', key]).subscribe('room:1');
    await Promise.all([keyless.ready, rotated.ready]);
    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(keyless, 1)).toEqual([1]);
    expect(await take(rotated, 1)).toEqual([1]);
  });
});

describe('on a cluster (sharded pub/sub)', () => {
  it('drops frames forged with SPUBLISH to the shard channel the same way: nothing ends, real broadcasts go on', async () => {
    const cluster = await startCluster();
    cleanups.push(() => cluster.stop());
    const layer = redisLayer({ cluster: cluster.nodes, logger: recording(), signingKey: key });
    const hub = createHub({ layer, logger: recording() });
    cleanups.push(() => hub.close());
    const senderHub = createHub({
      layer: redisLayer({ cluster: cluster.nodes, logger: recording(), signingKey: key }),
      logger: recording(),
    });
    cleanups.push(() => senderHub.close());
    const payload = z.object({ n: z.number() });
    const channel = hub.channel('chat', { payload });
    const sender = senderHub.channel('chat', { payload });
    const raw = new Cluster(cluster.nodes);
    raw.on('error', () => undefined);
    cleanups.push(async () => raw.disconnect());
    const subscription = channel.subscribe('room:1');
    await subscription.ready;

    const minusOne = Buffer.alloc(8);
    minusOne.writeBigInt64BE(-1n);
    await raw.spublish('gqlcast:chat:room:1', withSequenceBytes(minusOne, notification(666)));
    await raw.spublish('gqlcast:chat:room:1', encodeEnvelope(newPublisherId(), 1, unsubscribeFrame()));
    await raw.spublish('gqlcast:chat:room:1', Buffer.from('garbage'));
    await sender.broadcast({ group: 'room:1', payload: { n: 1 } });
    expect(await take(subscription, 1)).toEqual([1]);
    expect(layer.stats()).toMatchObject({ garbage: 1, rejected: 2, missed: 0 });
  });
});
