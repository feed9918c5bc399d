import { expect, it } from 'vitest';
import { compareEventIds, type Layer } from '../layer.js';
import { ResumeSeam } from '../resume-seam.js';
import { collect } from './helpers.js';

/** What the retention cases need from `layerConformance`. */
export interface RetentionCases {
  open(): Promise<Layer>;
  topic(label: string): string;
  /** How many resume rounds the seam case runs. */
  seamRounds: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (n: number) => encoder.encode(String(n));
const numberOf = (message: Uint8Array) => Number(decoder.decode(message));

/**
 * The retention half of the layer contract (see `Layer.history`), registered
 * by `layerConformance` for layers that retain (`retains: true`). Retention by
 * age is left to each layer's own tests with a controlled clock: proving it
 * here would need sleeps.
 */
export function retentionCases({ open, topic, seamRounds }: RetentionCases): void {
  const historyOf = (layer: Layer) => {
    const history = layer.history?.bind(layer);
    if (history === undefined) throw new Error(`layer ${layer.name} has no history(): it does not retain`);
    return history;
  };

  it('retention: ids are monotonic per topic, and live delivery carries the id history reports', async () => {
    const layer = await open();
    const t = topic('ids');
    const live = collect<string | undefined>();
    await layer.subscribe(t, (_message, id) => live.push(id));
    for (let n = 1; n <= 20; n++) void layer.publish(t, bytes(n), { count: 100 });
    await layer.publish(topic('other'), bytes(0), { count: 100 });
    const ids = await live.waitFor(20);
    const history = await historyOf(layer)(t, '0');
    expect(history.events.map((event) => event.id)).toEqual(ids);
    expect(history.events.map((event) => numberOf(event.message))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (let i = 1; i < ids.length; i++)
      expect(compareEventIds(ids[i - 1] as string, ids[i] as string)).toBeLessThan(0);
  });

  it('retention: history after an id holds what followed it, not the id itself', async () => {
    const layer = await open();
    const t = topic('after');
    const live = collect<string | undefined>();
    await layer.subscribe(t, (_message, id) => live.push(id));
    for (let n = 1; n <= 5; n++) await layer.publish(t, bytes(n), { count: 100 });
    const ids = await live.waitFor(5);
    const history = await historyOf(layer)(t, ids[2] as string);
    expect(history.complete).toBe(true);
    expect(history.events.map((event) => numberOf(event.message))).toEqual([4, 5]);
    expect(await historyOf(layer)(t, ids[4] as string)).toMatchObject({ events: [], complete: true });
  });

  it('retention: keeps the last `count` messages; an id older than that is reported as a gap', async () => {
    const layer = await open();
    const t = topic('count');
    const live = collect<string | undefined>();
    await layer.subscribe(t, (_message, id) => live.push(id));
    for (let n = 1; n <= 10; n++) await layer.publish(t, bytes(n), { count: 3 });
    const ids = await live.waitFor(10);
    const all = await historyOf(layer)(t, '0');
    expect(all.events.map((event) => numberOf(event.message))).toEqual([8, 9, 10]);
    const stale = await historyOf(layer)(t, ids[1] as string);
    expect(stale.complete).toBe(false);
    // Countable or not, never a wrong count.
    if (stale.missed !== undefined) expect(stale.missed).toBe(5);
    expect(stale.events.map((event) => numberOf(event.message))).toEqual([8, 9, 10]);
  });

  it(`retention: the seam between history and live loses and repeats nothing (${seamRounds} rounds, concurrent broadcasts)`, async () => {
    const layer = await open();
    let lost = 0;
    let duplicated = 0;
    for (let round = 0; round < seamRounds; round++) {
      const t = topic(`seam.${round}`);
      const total = 12;
      const before = round % 6;
      const out = collect<number>();
      const seam = new ResumeSeam<number>(new Map(), (item) => out.push(item.payload));
      // Some broadcasts before the subscription, the rest racing the subscribe and the history read.
      for (let n = 1; n <= before; n++) void layer.publish(t, bytes(n), { count: 100 });
      let next = before + 1;
      const racing = () => {
        if (next <= total) void layer.publish(t, bytes(next++), { count: 100 });
      };
      racing();
      await layer.subscribe(t, (message, id) => seam.live({ group: '', id, payload: numberOf(message) }));
      racing();
      const history = await historyOf(layer)(t, '0');
      racing();
      seam.replay(history.events.map((event) => ({ group: '', id: event.id, payload: numberOf(event.message) })));
      seam.open();
      while (next <= total) racing();
      const got = await out.waitFor(total);
      const seen = new Set(got);
      lost += total - seen.size;
      duplicated += got.length - seen.size;
      expect(got).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
  });

  it('retention: lastEventId is "0" before anything was retained, then the id of the last retained message', async () => {
    const layer = await open();
    const lastEventId = layer.lastEventId?.bind(layer);
    if (lastEventId === undefined) throw new Error(`layer ${layer.name} has history() but no lastEventId()`);
    const t = topic('last');
    expect(await lastEventId(t)).toBe('0');
    const live = collect<string | undefined>();
    await layer.subscribe(t, (_message, id) => live.push(id));
    for (let n = 1; n <= 3; n++) await layer.publish(t, bytes(n), { count: 2 });
    const ids = await live.waitFor(3);
    expect(await lastEventId(t)).toBe(ids[2]);
    // A subscriber starting there gets nothing of the past: history after it is empty and complete.
    expect(await historyOf(layer)(t, ids[2] as string)).toMatchObject({ events: [], complete: true });
  });
}
