// Issue 15, attack 5 and delivery item 3: every failure after a feed, a layer subscription or a
// slot was opened releases it, and `unsubscribed` runs exactly once; a share key that cannot be
// computed never leaves a feed behind.
import { createHub, type Layer, memoryLayer, type UnsubscribeReason } from '@gqlcast/core';
import { pushOfferKey } from '@gqlcast/core/push';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DefaultContext } from '../../src/index.js';
import { startServer } from '../utils/test-server.js';

function sharedFixture(options: { failLayer?: boolean } = {}) {
  const inner = memoryLayer();
  const layer: Layer = {
    ...inner,
    subscribe: (topic, onMessage) =>
      options.failLayer === true ? Promise.reject(new Error('The layer is down.')) : inner.subscribe(topic, onMessage),
  };
  const hub = createHub({ layer });
  const ticks = hub.channel('ticks', { payload: z.object({ n: z.number() }) });
  const ended: UnsubscribeReason[] = [];
  const builder = new SchemaBuilder<{ Context: DefaultContext }>({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hello' }) }) });
  const Tick = builder.objectRef<{ n: number }>('Tick');
  Tick.implement({ fields: (t) => ({ n: t.exposeInt('n') }) });
  interface NestedShape {
    child?: NestedShape | null;
    value?: number | null;
  }
  const Nested = builder.inputRef<NestedShape>('Nested');
  Nested.implement({ fields: (t) => ({ child: t.field({ type: Nested }), value: t.int() }) });
  builder.subscriptionType({
    fields: (t) => ({
      shared: t.subscriptionField({
        type: Tick,
        channel: ticks,
        args: { nested: t.arg({ type: Nested }) },
        share: true,
        subscribe: () => 'all',
        unsubscribed: (_args, _ctx, _info, reason) => {
          ended.push(reason);
        },
      }),
      shareThrows: t.subscriptionField({
        type: Tick,
        channel: ticks,
        share: () => {
          throw new Error('no key');
        },
        subscribe: () => 'all',
        unsubscribed: (_args, _ctx, _info, reason) => {
          ended.push(reason);
        },
      }),
    }),
  });
  return { hub, ticks, ended, schema: builder.toSchema() };
}

describe('attack 5: a share field with variables nested 6,000 deep', () => {
  const junk = `${'{"child":'.repeat(6_000)}{"value":0}${'}'.repeat(6_000)}`;
  const cases = [
    ['an undeclared variable (dropped before anything keeps it)', 'subscription { shared { n } }'],
    ['a declared one of a recursive input type', 'subscription ($n: Nested) { shared(nested: $n) { n } }'],
  ] as const;

  it.each(cases)('%s: the subscriber is served or refused, and everything is released', async (_name, query) => {
    const fixture = sharedFixture();
    await using server = await startServer({ schema: fixture.schema, confirmSubscriptions: true });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    // Nested far deeper than JSON.stringify can go: a share key that includes it cannot be written.
    client.send(`{"id":"s","type":"subscribe","payload":{"query":${JSON.stringify(query)},"variables":{"n":${junk}}}}`);
    const first = await client.next();
    if (first.type === 'next') {
      expect(first).toEqual({ id: 's', type: 'next', payload: { data: null } });
      await fixture.ticks.broadcast({ group: 'all', payload: { n: 1 } });
      expect(await client.next()).toEqual({ id: 's', type: 'next', payload: { data: { shared: { n: 1 } } } });
      client.send({ id: 's', type: 'complete' });
      expect(await client.drain()).toEqual([]);
      expect(fixture.ended).toEqual(['complete']);
    } else {
      // Refused (the variables could not be coerced): nothing was opened.
      expect(first).toMatchObject({ id: 's', type: 'error' });
      expect(await client.drain()).toEqual([]);
      expect(fixture.ended.length).toBeLessThanOrEqual(1);
    }
    expect(fixture.hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });
  });
});

describe('failure points release what they opened', () => {
  it('the share function throws: the subscriber is refused, nothing stays open, nothing to unsubscribe', async () => {
    const fixture = sharedFixture();
    await using server = await startServer({ schema: fixture.schema });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { shareThrows { n } }' } });
    expect(await client.next()).toMatchObject({ id: 's', type: 'error' });
    expect(fixture.ended).toEqual([]);
    expect(fixture.hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });
  });

  it('the layer cannot subscribe: refused, unsubscribed runs once with error, the feed is gone', async () => {
    const fixture = sharedFixture({ failLayer: true });
    await using server = await startServer({ schema: fixture.schema });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { shared { n } }' } });
    expect(await client.next()).toMatchObject({ id: 's', type: 'error' });
    expect(await client.drain()).toEqual([]);
    expect(fixture.ended).toEqual(['error']);
    expect(fixture.hub.stats()).toMatchObject({ subscriptions: 0 });
  });

  it('the context option throws: refused before any feed opens', async () => {
    const fixture = sharedFixture();
    await using server = await startServer({
      schema: fixture.schema,
      context: () => {
        throw new Error('no context for you');
      },
    });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { shared { n } }' } });
    expect(await client.next()).toMatchObject({ id: 's', type: 'error' });
    expect(fixture.ended).toEqual([]);
    expect(fixture.hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });
  });

  it('the server cannot take the source (its offer throws): the source is ended once, with error', async () => {
    const fixture = sharedFixture();
    const offer = {
      [pushOfferKey]: true,
      wrapPublish: undefined,
      accept() {
        throw new Error('The server could not take this source.');
      },
    };
    const result = await subscribe({
      schema: fixture.schema,
      document: parse('subscription { shared { n } }'),
      rootValue: offer,
      contextValue: {},
    });
    expect('errors' in result && result.errors?.[0]?.message).toBe('The server could not take this source.');
    expect(fixture.ended).toEqual(['error']);
    expect(fixture.hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });
  });
});
