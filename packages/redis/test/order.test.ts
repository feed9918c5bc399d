// 10,000 broadcasts not awaited, each subscriber's publish async with a random delay:
// every subscriber still sees them strictly in order, on the memory layer and on Redis.
import { createHub, type Layer, memoryLayer, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { parse, subscribe } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function run(layer: Layer) {
  const hub = createHub({ layer, queueLimit: Number.POSITIVE_INFINITY, logger: silentLogger });
  const ticks = hub.channel('ticks', { payload: z.object({ n: z.number() }) });
  const next = random(7);
  const builder = new SchemaBuilder({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  builder.subscriptionType({
    fields: (t) => ({
      tick: t.subscriptionField({
        type: 'Int',
        nullable: false,
        channel: ticks,
        subscribe: () => 'all',
        // An async publish whose delay varies from one notification to the next.
        publish: async (payload) => {
          const turns = Math.floor(next() * 4);
          for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
          return payload.n;
        },
      }),
    }),
  });
  const schema = builder.toSchema();
  const streams = await Promise.all(
    [0, 1, 2].map(
      async () =>
        (await subscribe({ schema, document: parse('subscription { tick }') })) as AsyncGenerator<{
          data?: { tick: number };
        }>,
    ),
  );
  const count = 10_000;
  for (let n = 0; n < count; n++) void ticks.broadcast({ group: 'all', payload: { n } });
  const seen = await Promise.all(
    streams.map(async (stream) => {
      const values: number[] = [];
      while (values.length < count) values.push((await stream.next()).value?.data?.tick ?? -1);
      await stream.return(undefined);
      return values;
    }),
  );
  await hub.close();
  return seen;
}

describe('order under async publish', () => {
  const expected = Array.from({ length: 10_000 }, (_, n) => n);

  it('holds on the memory layer', async () => {
    for (const values of await run(memoryLayer())) expect(values).toEqual(expected);
  }, 60_000);

  it('holds on the Redis layer', async () => {
    for (const values of await run(redisLayer({ url: node.url, logger: silentLogger })))
      expect(values).toEqual(expected);
  }, 60_000);
});
