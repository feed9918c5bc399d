import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isGqlcastError } from '../errors.js';
import type { Layer } from '../layer.js';
import { collect } from './helpers.js';
import { retentionCases } from './retention-conformance.js';

/** Options of {@link layerConformance}. */
export interface LayerConformanceOptions {
  /**
   * Whether two layers made by `createLayer` share one bus (as two processes on
   * one Redis do). When true, the suite also checks delivery between instances.
   * @defaultValue `false`
   */
  sharedAcrossInstances?: boolean | undefined;
  /** How many subscribe-then-publish rounds the "confirmation means delivery" test runs. @defaultValue `200` */
  readyRounds?: number | undefined;
  /**
   * Whether the layer retains history (implements `history`). When true, the
   * suite also checks the retention contract: ids, history after an id,
   * retention by count, a gap for a too-old id, and the resume seam.
   * @defaultValue `false`
   */
  retains?: boolean | undefined;
  /** How many rounds the resume-seam case runs. @defaultValue `1_000` */
  seamRounds?: number | undefined;
}

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/**
 * The contract every {@link Layer} must keep, as a vitest suite. Call it at the
 * top level of a test file; `createLayer` is called once per test (and the
 * layer closed afterwards), so each test gets a fresh instance.
 *
 * @example
 * ```ts
 * import { layerConformance } from '@gqlcast/core/testing';
 * layerConformance('my layer', () => myLayer({ url }), { sharedAcrossInstances: true });
 * ```
 */
export function layerConformance(
  name: string,
  createLayer: () => Layer | Promise<Layer>,
  options: LayerConformanceOptions = {},
): void {
  const readyRounds = options.readyRounds ?? 200;
  const opened: Layer[] = [];
  // Unique topics per test, so layers sharing a backend do not see each other's messages.
  let topicCounter = 0;
  const topic = (label: string) => `conformance.${process.pid}.${Date.now()}.${++topicCounter}:${label}`;

  async function open(): Promise<Layer> {
    const layer = await createLayer();
    opened.push(layer);
    return layer;
  }

  describe(`layer conformance: ${name}`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((layer) => layer.close()));
    });

    if (options.retains === true) retentionCases({ open, topic, seamRounds: options.seamRounds ?? 1_000 });

    it('delivers the exact bytes, including zero and high bytes', async () => {
      const layer = await open();
      const t = topic('bytes');
      const got = collect<Uint8Array>();
      await layer.subscribe(t, (message) => got.push(message));
      const sent = Uint8Array.from({ length: 256 }, (_, i) => i);
      await layer.publish(t, sent);
      const [message] = await got.waitFor(1);
      expect(Array.from(message ?? [])).toEqual(Array.from(sent));
    });

    it('delivers a message published after subscribe resolved, every round', async () => {
      const layer = await open();
      for (let round = 0; round < readyRounds; round++) {
        const t = topic(`ready-${round}`);
        const got = collect<Uint8Array>();
        const subscription = await layer.subscribe(t, (message) => got.push(message));
        await layer.publish(t, bytes(`round ${round}`));
        const [message] = await got.waitFor(1);
        expect(new TextDecoder().decode(message)).toBe(`round ${round}`);
        await subscription.unsubscribe();
      }
    });

    it('keeps call order of publishes that were not awaited', async () => {
      const layer = await open();
      const t = topic('order');
      const got = collect<string>();
      await layer.subscribe(t, (message) => got.push(new TextDecoder().decode(message)));
      const sent = Array.from({ length: 1000 }, (_, i) => String(i));
      await Promise.all(sent.map((text) => layer.publish(t, bytes(text))));
      expect(await got.waitFor(sent.length)).toEqual(sent);
    });

    it('delivers only to the topic published to', async () => {
      const layer = await open();
      const [a, b] = [topic('a'), topic('b')];
      const onA = collect<string>();
      const onB = collect<string>();
      await layer.subscribe(a, (message) => onA.push(new TextDecoder().decode(message)));
      await layer.subscribe(b, (message) => onB.push(new TextDecoder().decode(message)));
      await layer.publish(a, bytes('for a'));
      await layer.publish(b, bytes('for b'));
      expect(await onB.waitFor(1)).toEqual(['for b']);
      // Order holds per layer, so "for a" has been delivered to a by now, and only it.
      expect(await onA.waitFor(1)).toEqual(['for a']);
      expect(onA.items).toEqual(['for a']);
    });

    it('gives every message to each handler of a topic', async () => {
      const layer = await open();
      const t = topic('many');
      const first = collect<string>();
      const second = collect<string>();
      await layer.subscribe(t, (message) => first.push(new TextDecoder().decode(message)));
      await layer.subscribe(t, (message) => second.push(new TextDecoder().decode(message)));
      await layer.publish(t, bytes('x'));
      await layer.publish(t, bytes('y'));
      expect(await first.waitFor(2)).toEqual(['x', 'y']);
      expect(await second.waitFor(2)).toEqual(['x', 'y']);
    });

    it('stops delivery after unsubscribe, and unsubscribe is idempotent', async () => {
      const layer = await open();
      const t = topic('unsub');
      const leaving = collect<string>();
      const staying = collect<string>();
      const subscription = await layer.subscribe(t, (message) => leaving.push(new TextDecoder().decode(message)));
      await layer.subscribe(t, (message) => staying.push(new TextDecoder().decode(message)));
      await layer.publish(t, bytes('before'));
      expect(await leaving.waitFor(1)).toEqual(['before']);
      await subscription.unsubscribe();
      await subscription.unsubscribe();
      await layer.publish(t, bytes('after'));
      await layer.publish(t, bytes('sentinel'));
      // The staying handler saw the sentinel, so "after" was delivered wherever it was going.
      expect(await staying.waitFor(3)).toEqual(['before', 'after', 'sentinel']);
      expect(leaving.items).toEqual(['before']);
    });

    it('keeps delivering to other handlers when one throws', async () => {
      const layer = await open();
      const t = topic('throws');
      const got = collect<string>();
      await layer.subscribe(t, () => {
        throw new Error('handler failure (expected by the conformance suite)');
      });
      await layer.subscribe(t, (message) => got.push(new TextDecoder().decode(message)));
      await layer.publish(t, bytes('one'));
      await layer.publish(t, bytes('two'));
      expect(await got.waitFor(2)).toEqual(['one', 'two']);
    });

    it('resolves a publish to a topic nobody listens to', async () => {
      const layer = await open();
      await expect(layer.publish(topic('nobody'), bytes('void'))).resolves.toBeUndefined();
    });

    it('reports health, and refuses work after close with GQLCAST_LAYER_CLOSED', async () => {
      const layer = await open();
      // A network layer connects on its own time: once it has worked, it is up.
      const t = topic('health');
      await layer.subscribe(t, () => undefined);
      await layer.publish(t, bytes('ping'));
      expect(layer.health().status).toBe('up');
      expect(typeof layer.name).toBe('string');
      await layer.close();
      await layer.close();
      expect(layer.health().status).toBe('closed');
      const published = layer.publish(topic('closed'), bytes('late'));
      await expect(published).rejects.toSatisfy((error: unknown) => isGqlcastError(error, ErrorCode.LayerClosed));
      const subscribed = layer.subscribe(topic('closed'), () => undefined);
      await expect(subscribed).rejects.toSatisfy((error: unknown) => isGqlcastError(error, ErrorCode.LayerClosed));
    });

    if (options.sharedAcrossInstances) {
      it('delivers between two instances, in order', async () => {
        const publisher = await open();
        const subscriber = await open();
        const t = topic('shared');
        const got = collect<string>();
        await subscriber.subscribe(t, (message) => got.push(new TextDecoder().decode(message)));
        const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
        await Promise.all(sent.map((text) => publisher.publish(t, bytes(text))));
        expect(await got.waitFor(sent.length)).toEqual(sent);
      });
    }
  });
}
