import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compareEventIds,
  createHub,
  ErrorCode,
  isGqlcastError,
  type Layer,
  memoryLayer,
  silentLogger,
} from '../src/index.js';
import { countingLayer } from './helpers.js';

const payload = z.object({ n: z.number() });
const bytes = (n: number) => new Uint8Array([n]);
const numbers = (events: readonly { message: Uint8Array }[]) => events.map((event) => event.message[0]);

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('retain option', () => {
  it.each([
    [null, 'must be an object'],
    [{}, 'needs count, maxAgeMs or both'],
    [{ count: 0 }, 'retain.count must be a positive integer, got 0'],
    [{ count: 1.5 }, 'retain.count must be a positive integer, got 1.5'],
    [{ maxAgeMs: -1 }, 'retain.maxAgeMs must be a positive integer, got -1'],
    [{ count: 10, maxAgeMs: Number.NaN }, 'retain.maxAgeMs must be a positive integer, got NaN'],
  ])('refuses %j with GQLCAST_INVALID_RETAIN', (retain, text) => {
    const hub = createHub({ logger: silentLogger });
    const error = refusal(() => hub.channel('c', { payload, retain: retain as never }));
    expect(isGqlcastError(error, ErrorCode.InvalidRetain)).toBe(true);
    expect((error as Error).message).toContain(text);
    // Nothing was declared: the name is still free.
    expect(() => hub.channel('c', { payload })).not.toThrow();
  });

  it('refuses retain on a layer that keeps no history', () => {
    const hub = createHub({ layer: countingLayer(), logger: silentLogger });
    const error = refusal(() => hub.channel('c', { payload, retain: { count: 5 } }));
    expect(isGqlcastError(error, ErrorCode.InvalidRetain)).toBe(true);
    expect((error as Error).message).toContain('layer counting does not');
  });

  it('exposes the checked policy; either bound, or both', () => {
    const hub = createHub({ logger: silentLogger });
    expect(hub.channel('a', { payload, retain: { count: 3 } }).retain).toEqual({ count: 3, maxAgeMs: undefined });
    expect(hub.channel('b', { payload, retain: { maxAgeMs: 1000 } }).retain).toEqual({
      count: undefined,
      maxAgeMs: 1000,
    });
    expect(hub.channel('c', { payload }).retain).toBeUndefined();
  });

  it('hands the policy to the layer only for retaining channels; unsubscribe frames are never retained', async () => {
    const inner = memoryLayer({ logger: silentLogger });
    const calls: number[] = [];
    const layer: Layer = {
      ...inner,
      name: 'recording',
      publish(...args: Parameters<Layer['publish']>) {
        calls.push(args.length);
        return inner.publish(...args);
      },
    };
    const hub = createHub({ layer, logger: silentLogger });
    const plain = hub.channel('plain', { payload });
    const kept = hub.channel('kept', { payload, retain: { count: 2 } });
    await plain.broadcast({ group: 'g', payload: { n: 1 } });
    await kept.unsubscribe({ group: 'g' });
    await kept.broadcast({ group: 'g', payload: { n: 2 } });
    expect(calls).toEqual([2, 2, 3]);
    expect((await inner.history?.('plain:g', '0'))?.events).toEqual([]);
    expect((await inner.history?.('kept:g', '0'))?.events).toHaveLength(1);
  });
});

describe('memory layer history', () => {
  it('gives each retained message a monotonic id per topic, the same live and in history', async () => {
    const layer = memoryLayer({ logger: silentLogger });
    const live: (string | undefined)[] = [];
    await layer.subscribe('t', (_message, id) => live.push(id));
    for (let n = 1; n <= 5; n++) void layer.publish('t', bytes(n), { count: 10 });
    await layer.publish('other', bytes(9), { count: 10 });
    await layer.publish('t', bytes(6));
    const history = await layer.history?.('t', '0');
    expect(history?.complete).toBe(true);
    expect(history?.events.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5']);
    // The unretained publish arrives without an id.
    expect(live).toEqual(['1', '2', '3', '4', '5', undefined]);
    const ids = history?.events.map((event) => event.id) ?? [];
    for (let i = 1; i < ids.length; i++)
      expect(compareEventIds(ids[i - 1] as string, ids[i] as string)).toBeLessThan(0);
  });

  it('reads the history after an id, without the id itself', async () => {
    const layer = memoryLayer({ logger: silentLogger });
    for (let n = 1; n <= 5; n++) await layer.publish('t', bytes(n), { count: 10 });
    const history = await layer.history?.('t', '3');
    expect(history).toMatchObject({ complete: true });
    expect(numbers(history?.events ?? [])).toEqual([4, 5]);
    expect(await layer.history?.('t', '5')).toEqual({ events: [], complete: true });
  });

  it('keeps at most count messages and counts what a too-old id missed', async () => {
    const layer = memoryLayer({ logger: silentLogger });
    for (let n = 1; n <= 10; n++) await layer.publish('t', bytes(n), { count: 3 });
    expect(numbers((await layer.history?.('t', '0'))?.events ?? [])).toEqual([8, 9, 10]);
    const history = await layer.history?.('t', '2');
    expect(history).toMatchObject({ complete: false, missed: 5 });
    expect(numbers(history?.events ?? [])).toEqual([8, 9, 10]);
    expect(await layer.history?.('t', '7')).toMatchObject({ complete: true });
  });

  it('keeps messages for at most maxAgeMs', async () => {
    let now = 1_000;
    const layer = memoryLayer({ logger: silentLogger, now: () => now });
    await layer.publish('t', bytes(1), { maxAgeMs: 100 });
    now = 1_050;
    await layer.publish('t', bytes(2), { maxAgeMs: 100 });
    now = 1_120;
    const history = await layer.history?.('t', '0');
    expect(numbers(history?.events ?? [])).toEqual([2]);
    expect(history).toMatchObject({ complete: false, missed: 1 });
    now = 1_200;
    expect(await layer.history?.('t', '1')).toMatchObject({ events: [], complete: false, missed: 1 });
  });

  it('reports an id it never issued (another layer, a restart) as unknown: not complete, all it retains', async () => {
    const layer = memoryLayer({ logger: silentLogger });
    await layer.publish('t', bytes(1), { count: 3 });
    for (const id of ['99', '1700000000000-0', 'garbage']) {
      const history = await layer.history?.('t', id);
      expect(history?.complete).toBe(false);
      expect(history?.missed).toBeUndefined();
      expect(numbers(history?.events ?? [])).toEqual([1]);
    }
    expect(await layer.history?.('never', '4')).toEqual({ events: [], complete: false });
  });
});

describe('compareEventIds', () => {
  it('orders memory ids and Redis stream ids numerically', () => {
    expect(compareEventIds('9', '10')).toBeLessThan(0);
    expect(compareEventIds('10', '10')).toBe(0);
    expect(compareEventIds('1700000000000-2', '1700000000000-10')).toBeLessThan(0);
    expect(compareEventIds('1700000000001-0', '1700000000000-10')).toBeGreaterThan(0);
  });
});

describe('event ids through the hub', () => {
  it('hands each retained notification its id on push subscriptions; none without retain', async () => {
    const hub = createHub({ logger: silentLogger });
    const kept = hub.channel('kept', { payload, retain: { count: 10 } });
    const plain = hub.channel('plain', { payload });
    const seen: [number, string | undefined, string | undefined][] = [];
    const a = kept.subscribe(['g'], { onNotification: (value, group, id) => seen.push([value.n, group, id]) });
    const b = plain.subscribe(['g'], { onNotification: (value, group, id) => seen.push([value.n, group, id]) });
    await Promise.all([a.ready, b.ready]);
    await kept.broadcast({ group: 'g', payload: { n: 1 } });
    await kept.broadcast({ payload: { n: 2 } });
    await plain.broadcast({ group: 'g', payload: { n: 3 } });
    await kept.broadcast({ group: 'g', payload: { n: 4 } });
    expect(seen).toEqual([
      [1, 'g', '1'],
      [2, undefined, '1'],
      [3, 'g', undefined],
      [4, 'g', '2'],
    ]);
    await hub.close();
  });
});
