// Several processes on one Redis: two GraphQL servers, a broadcaster script, a publisher worker.
import { createClient, webSocketTransport } from '@gqlcast/client';
import { createHub } from '@gqlcast/core';
import { parse, subscribe } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { redisLayer } from '../src/index.js';
import { chatHub, chatSchema } from './fixtures/chat.js';
import { nextMessage, startFixture, stopProcess, waitForLine } from './utils/processes.js';
import { type RedisNode, startRedis } from './utils/redis-server.js';
import { slowProxy } from './utils/slow-proxy.js';

let node: RedisNode;
beforeAll(async () => {
  node = await startRedis();
});
afterAll(async () => {
  await node?.stop();
});

describe('two servers and a script', () => {
  it('delivers a broadcast from any process to subscribers on every server; unsubscribe completes them all', async () => {
    const servers = [startFixture('server.ts', [node.url, 'one']), startFixture('server.ts', [node.url, 'two'])];
    try {
      const ports = await Promise.all(
        servers.map(async (server) => Number((await waitForLine(server, /listening (\d+)/))[1])),
      );
      const clients = ports.map((port, i) =>
        createClient({
          transport: webSocketTransport(`ws://127.0.0.1:${port}/graphql`),
          connectionParams: { user: `user${i}` },
        }),
      );
      try {
        expect(await clients[1]?.execute({ query: '{ server }' })).toEqual({ data: { server: 'two' } });
        const query = 'subscription { onMessage(room: "kittens") { text from } }';
        const subscriptions = clients.map((client) => client.subscribe({ query }));
        // Confirmed: each subscription is active on its server, through Redis.
        await Promise.all(subscriptions.map((subscription) => subscription.ready));

        // From a separate script process.
        const script = startFixture('broadcast.ts', [node.url, 'broadcast', 'kittens', 'Hello from a script']);
        expect(await script.output).toContain('done');
        for (const subscription of subscriptions) {
          expect((await subscription.next()).value).toEqual({
            data: { onMessage: { text: 'Hello from a script', from: 'script' } },
          });
        }

        // From a mutation on server one: the sender skips its own message, server two's subscriber gets it.
        expect(await clients[0]?.execute({ query: 'mutation { send(room: "kittens", text: "Hi from one") }' })).toEqual(
          {
            data: { send: true },
          },
        );
        expect((await subscriptions[1]?.next())?.value).toEqual({
          data: { onMessage: { text: 'Hi from one', from: 'user0' } },
        });

        // A server-side unsubscribe from the script completes the subscriptions on both servers.
        const stopper = startFixture('broadcast.ts', [node.url, 'unsubscribe', 'kittens']);
        expect(await stopper.output).toContain('done');
        for (const subscription of subscriptions) {
          expect(await subscription.next()).toEqual({ done: true, value: undefined });
        }
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
    } finally {
      await Promise.all(servers.map(stopProcess));
    }
  });
});

describe('confirmation means delivery', () => {
  it('misses nothing in 1000 rounds of subscribe, confirm, and a broadcast from another process at once', async () => {
    const { hub, messages } = chatHub(node.url);
    const publisher = startFixture('publisher.ts', [node.url]);
    try {
      await nextMessage(publisher, (message: { ready?: boolean }) => message.ready === true);
      let missed = 0;
      for (let round = 0; round < 1000; round++) {
        const subscription = messages.subscribe('room:rounds');
        await subscription.ready;
        publisher.send({ round });
        const next = await subscription.next();
        if (next.done || next.value.text !== String(round)) missed++;
        await subscription.return();
      }
      expect(missed).toBe(0);
    } finally {
      publisher.send({ stop: true });
      await new Promise((resolve) => publisher.once('exit', resolve));
      await hub.close();
    }
  }, 120_000);
});

describe('a Pothos subscription field on Redis', () => {
  it('returns its stream only once its groups are subscribed in Redis: 200 rounds, nothing missed', async () => {
    const { hub, messages } = chatHub(node.url);
    const schema = chatSchema(messages, 'local');
    const publisher = startFixture('publisher.ts', [node.url]);
    try {
      await nextMessage(publisher, (message: { ready?: boolean }) => message.ready === true);
      for (let round = 0; round < 200; round++) {
        const results = (await subscribe({
          schema,
          document: parse('subscription { onMessage(room: "rounds") { text } }'),
          contextValue: {},
        })) as AsyncGenerator<{ data?: unknown }>;
        publisher.send({ round });
        expect((await results.next()).value).toEqual({ data: { onMessage: { text: String(round) } } });
        await results.return(undefined);
      }
    } finally {
      publisher.send({ stop: true });
      await new Promise((resolve) => publisher.once('exit', resolve));
      await hub.close();
    }
  }, 60_000);
});

describe('confirmation means delivery, without any delay to hide behind', () => {
  it('delivers a broadcast published the instant ready resolves, on a fresh group each round (1000 rounds)', async () => {
    const subscriberSide = chatHub(node.url);
    const publisherSide = chatHub(node.url);
    try {
      // Warm the publisher's connection: from here on, a publish leaves at once.
      await publisherSide.messages.broadcast({ group: 'warm', payload: { room: 'warm', text: '', from: 'x' } });
      for (let round = 0; round < 1000; round++) {
        const group = `room:fresh-${round}`;
        const subscription = subscriberSide.messages.subscribe(group);
        await subscription.ready;
        void publisherSide.messages.broadcast({ group, payload: { room: group, text: String(round), from: 'p' } });
        const next = await subscription.next();
        expect(next.value?.text).toBe(String(round));
        await subscription.return();
      }
    } finally {
      await Promise.all([subscriberSide.hub.close(), publisherSide.hub.close()]);
    }
  }, 120_000);

  it('holds even for a subscription made before the layer finished connecting (50 fresh layers)', async () => {
    const publisherSide = chatHub(node.url);
    try {
      await publisherSide.messages.broadcast({ group: 'warm', payload: { room: 'warm', text: '', from: 'x' } });
      for (let round = 0; round < 50; round++) {
        const fresh = chatHub(node.url);
        const subscription = fresh.messages.subscribe('room:early');
        await subscription.ready;
        void publisherSide.messages.broadcast({
          group: 'room:early',
          payload: { room: 'early', text: String(round), from: 'p' },
        });
        expect((await subscription.next()).value?.text).toBe(String(round));
        await fresh.hub.close();
      }
    } finally {
      await publisherSide.hub.close();
    }
  }, 120_000);
});

describe('confirmation waits for Redis', () => {
  it('resolves ready only once Redis acknowledged the SUBSCRIBE, even when the command arrives late', async () => {
    const proxy = await slowProxy(node.port, 30);
    const subscriberSide = createHub({
      layer: redisLayer({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: 'test:' }),
    });
    const channel = subscriberSide.channel('messages', {
      payload: z.object({ room: z.string(), text: z.string(), from: z.string() }),
    });
    const publisherSide = chatHub(node.url);
    try {
      for (let round = 0; round < 20; round++) {
        const group = `room:late-${round}`;
        const subscription = channel.subscribe(group);
        await subscription.ready;
        // Straight to Redis, not through the slow proxy: it arrives long before a SUBSCRIBE still on its way.
        void publisherSide.messages.broadcast({ group, payload: { room: group, text: String(round), from: 'p' } });
        expect((await subscription.next()).value?.text).toBe(String(round));
        await subscription.return();
      }
    } finally {
      await Promise.all([subscriberSide.close(), publisherSide.hub.close()]);
      await proxy.close();
    }
  }, 20_000);
});
