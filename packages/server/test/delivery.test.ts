// Issue 16, "One delivery pipeline": the eight behaviours the Python library
// (DjangoChannelsGraphqlWs) guarantees and gqlcast's server broke, each on both
// subprotocols, over real sockets on loopback. "Nothing else arrived" is proved
// with a later sentinel query, never with a timeout.
import { createHub, type Logger, memoryLayer, type UnsubscribeReason } from '@gqlcast/core';
import { type Deferred, deferred } from '@gqlcast/core/testing';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { execute } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DefaultContext, Middleware, ServerOptions } from '../src/index.js';
import { recordingLogger } from './utils/logger.js';
import { protocolNames, start, stop, words } from './utils/protocols.js';
import type { Message, TestClient } from './utils/test-client.js';
import { type Fixture, startServer } from './utils/test-server.js';

function createDeliveryFixture(logger?: Logger) {
  const hub = createHub({ layer: memoryLayer(), logger });
  const ticks = hub.channel('ticks', { payload: z.object({ n: z.number() }) });
  const gates = new Map<string, Deferred<void>>();
  /** Waits until the test opens `key` (and passes at once after). */
  const gate = (key: string) => {
    if (!gates.has(key)) gates.set(key, deferred());
    return (gates.get(key) as Deferred<void>).promise;
  };
  const open = (key: string) => {
    if (!gates.has(key)) gates.set(key, deferred());
    gates.get(key)?.resolve();
  };
  const unsubscribed: { field: string; reason: UnsubscribeReason }[] = [];
  const unsubscribedWaiters: (() => void)[] = [];
  const record = (field: string) => (_args: unknown, _ctx: unknown, _info: unknown, reason: UnsubscribeReason) => {
    unsubscribed.push({ field, reason });
    for (const wake of unsubscribedWaiters.splice(0)) wake();
  };
  const unsubscribedOf = async (field: string) => {
    for (;;) {
      const found = unsubscribed.find((entry) => entry.field === field);
      if (found !== undefined) return found.reason;
      await new Promise<void>((resolve) => unsubscribedWaiters.push(resolve));
    }
  };
  /** Resolves once slowStart's `subscribe` runs (the subscription is then being accepted). */
  const starting = deferred<void>();
  /** What `publish` saw, in order (for the middleware test). */
  const events: string[] = [];

  const builder = new SchemaBuilder<{ Context: DefaultContext }>({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hi' }) }) });
  builder.mutationType({
    fields: (t) => ({
      tick: t.boolean({
        args: { n: t.arg.int({ required: true }) },
        resolve: async (_root, args) => {
          await ticks.broadcast({ group: 'g', payload: { n: args.n } });
          return true;
        },
      }),
      endTicks: t.boolean({
        resolve: async () => {
          await ticks.unsubscribe({ group: 'g' });
          return true;
        },
      }),
    }),
  });
  const Tick = builder.objectRef<{ n: number; published?: boolean }>('Tick');
  Tick.implement({
    fields: (t) => ({
      n: t.exposeInt('n'),
      slow: t.int({
        resolve: async (tick) => {
          await gate('resolve');
          return tick.n;
        },
      }),
    }),
  });
  builder.subscriptionType({
    fields: (t) => ({
      ticks: t.subscriptionField({
        type: Tick,
        channel: ticks,
        subscribe: () => 'g',
        unsubscribed: record('ticks'),
      }),
      slowPublish: t.subscriptionField({
        type: Tick,
        channel: ticks,
        queueLimit: 1,
        subscribe: () => 'g',
        publish: async (payload) => {
          await gate('publish');
          return payload;
        },
      }),
      slowResolve: t.subscriptionField({ type: Tick, channel: ticks, queueLimit: 1, subscribe: () => 'g' }),
      slowStart: t.subscriptionField({
        type: Tick,
        channel: ticks,
        subscribe: async () => {
          starting.resolve();
          await gate('start');
          return 'g';
        },
        unsubscribed: record('slowStart'),
      }),
      published: t.subscriptionField({
        type: Tick,
        channel: ticks,
        subscribe: () => 'g',
        publish: (payload) => {
          events.push('publish');
          return { ...payload, published: true };
        },
      }),
      badGroup: t.subscriptionField({ type: Tick, channel: ticks, subscribe: () => '' }),
    }),
  });
  return { hub, ticks, schema: builder.toSchema(), gate, open, unsubscribedOf, events, starting: starting.promise };
}

async function serve(options: Omit<ServerOptions, 'schema'> = {}, logger?: Logger) {
  const fixture = createDeliveryFixture(logger);
  const server = await startServer({ ...options, schema: fixture.schema }, fixture as unknown as Fixture);
  return Object.assign(server, fixture);
}

let sentinels = 0;
/** Sends a query and returns every frame that came before its answer (its own frames left out). */
async function before(client: TestClient): Promise<Message[]> {
  const id = `sentinel-${++sentinels}`;
  start(client, id, '{ hello }');
  const seen = await client.until((message) => message.id === id && message.type === 'complete');
  return seen.filter((message) => message.id !== id);
}

const confirmation = { data: null };

describe.each(protocolNames)('delivery (%s)', (protocol) => {
  describe('1. queueLimit bounds every subscriber on every path', () => {
    it('an async publish slower than the broadcasts: the oldest are dropped, counted and logged', async () => {
      const logger = recordingLogger();
      await using server = await serve({ confirmSubscriptions: true }, logger);
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { slowPublish { n } }');
      expect((await client.next()).payload).toEqual(confirmation);
      // The first publish blocks on its gate; 99 more arrive meanwhile, and queueLimit is 1.
      for (let n = 1; n <= 100; n++) await server.ticks.broadcast({ group: 'g', payload: { n } });
      server.open('publish');
      expect((await client.next()).payload).toEqual({ data: { slowPublish: { n: 1 } } });
      expect((await client.next()).payload).toEqual({ data: { slowPublish: { n: 100 } } });
      expect(await before(client)).toEqual([]);
      expect(server.hub.stats().dropped).toBe(98);
      expect(logger.lines.some((line) => line.level === 'warn' && /is behind: dropped/.test(line.message))).toBe(true);
    });

    it('an async resolver slower than the broadcasts: the oldest are dropped and counted', async () => {
      await using server = await serve({ confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { slowResolve { slow } }');
      expect((await client.next()).payload).toEqual(confirmation);
      for (let n = 1; n <= 100; n++) await server.ticks.broadcast({ group: 'g', payload: { n } });
      server.open('resolve');
      expect((await client.next()).payload).toEqual({ data: { slowResolve: { slow: 1 } } });
      expect((await client.next()).payload).toEqual({ data: { slowResolve: { slow: 100 } } });
      expect(await before(client)).toEqual([]);
      expect(server.hub.stats().dropped).toBe(98);
    });

    it('an async execute option slower than the broadcasts: the oldest are dropped and counted', async () => {
      const executeGate = deferred<void>();
      let blocking = true;
      await using server = await serve({
        confirmSubscriptions: true,
        execute: async (args) => {
          // Only notifications wait (the sentinel query runs at once).
          if (blocking && args.rootValue !== undefined) await executeGate.promise;
          return execute(args);
        },
      });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { slowResolve { n } }');
      expect((await client.next()).payload).toEqual(confirmation);
      for (let n = 1; n <= 100; n++) await server.ticks.broadcast({ group: 'g', payload: { n } });
      blocking = false;
      executeGate.resolve();
      expect((await client.next()).payload).toEqual({ data: { slowResolve: { n: 1 } } });
      expect((await client.next()).payload).toEqual({ data: { slowResolve: { n: 100 } } });
      expect(await before(client)).toEqual([]);
      expect(server.hub.stats().dropped).toBe(98);
    });
  });

  describe('2. strictOrdering: a stop sent while the subscription starts ends it once started', () => {
    it('ends it with reason complete (legacy: with its complete), and nothing is delivered', async () => {
      await using server = await serve({ strictOrdering: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { slowStart { n } }');
      stop(client, 's');
      server.open('start');
      expect(await server.unsubscribedOf('slowStart')).toBe('complete');
      await server.ticks.broadcast({ group: 'g', payload: { n: 1 } });
      // graphql-transport-ws sends nothing after the client's complete (no echo, on purpose).
      expect(await before(client)).toEqual(words(client).legacy ? [{ id: 's', type: 'complete' }] : []);
    });
  });

  describe('3. strictOrdering: what an operation triggers follows its own result', () => {
    it('a mutation that broadcasts to its own connection: its result, then the notification', async () => {
      await using server = await serve({ strictOrdering: true, confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { ticks { n } }');
      expect((await client.next()).payload).toEqual(confirmation);
      start(client, 'm', 'mutation { tick(n: 7) }');
      expect(await client.next()).toEqual({ id: 'm', type: words(client).data, payload: { data: { tick: true } } });
      expect(await client.next()).toEqual({ id: 'm', type: 'complete' });
      expect(await client.next()).toEqual({
        id: 's',
        type: words(client).data,
        payload: { data: { ticks: { n: 7 } } },
      });
    });

    it('a mutation that unsubscribes its own connection: its result, then the complete', async () => {
      await using server = await serve({ strictOrdering: true, confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { ticks { n } }');
      expect((await client.next()).payload).toEqual(confirmation);
      start(client, 'm', 'mutation { endTicks }');
      expect(await client.next()).toEqual({ id: 'm', type: words(client).data, payload: { data: { endTicks: true } } });
      expect(await client.next()).toEqual({ id: 'm', type: 'complete' });
      expect(await client.next()).toEqual({ id: 's', type: 'complete' });
      expect(await server.unsubscribedOf('ticks')).toBe('unsubscribe');
    });
  });

  describe('4. confirmSubscriptions: the first message of every accepted subscription is its confirmation', () => {
    it('a subscription stopped before it was active', async () => {
      await using server = await serve({ confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', 'subscription { slowStart { n } }');
      // Its `subscribe` runs: the stop arrives while the subscription is being accepted.
      await server.starting;
      stop(client, 's');
      // The sentinel's answer proves the stop was handled; legacy's complete waits for the confirmation.
      expect(await before(client)).toEqual([]);
      server.open('start');
      expect(await server.unsubscribedOf('slowStart')).toBe('complete');
      // Legacy answers the stop with complete: the confirmation comes first. graphql-transport-ws
      // sends nothing for an id after the client completed it.
      expect(await before(client)).toEqual(
        words(client).legacy
          ? [
              { id: 's', type: 'data', payload: confirmation },
              { id: 's', type: 'complete' },
            ]
          : [],
      );
    });
  });

  describe('5. connectionInitTimeout means only "no connection_init in time"', () => {
    it('does not close a client whose connection_init arrived while onConnect is slow', async () => {
      await using server = await serve({
        connectionInitTimeout: 20,
        // Slower than the timeout on purpose: the timer fires while onConnect still runs.
        onConnect: () => new Promise((resolve) => setTimeout(() => resolve(true), 200)),
      });
      const client = await server.client(protocol);
      expect((await client.init()).type).toBe('connection_ack');
      expect(await before(client)).toEqual([]);
    });

    it('still closes with 4408 when connection_init does not come', async () => {
      await using server = await serve({ connectionInitTimeout: 20 });
      const client = await server.client(protocol);
      expect(await client.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    });
  });

  describe('6. every error a client can receive has extensions.code', () => {
    it('a subscription refused for an invalid group', async () => {
      await using server = await serve();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'b', 'subscription { badGroup { n } }');
      const refused = await client.next();
      expect(refused).toMatchObject({ id: 'b', type: 'error' });
      const errors = (words(client).legacy ? (refused.payload as { errors: unknown[] }).errors : refused.payload) as {
        extensions?: { code?: string };
      }[];
      expect(errors.map((error) => error.extensions?.code)).toEqual(['GQLCAST_INVALID_GROUP']);
    });

    it('a query that does not validate', async () => {
      await using server = await serve();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'v', '{ nope }');
      const answer = await client.next();
      const payload = answer.payload as { errors?: unknown[] } | unknown[];
      const errors = (Array.isArray(payload) ? payload : payload.errors) as { extensions?: { code?: string } }[];
      expect(errors.map((error) => error.extensions?.code)).toEqual(['GQLCAST_INVALID_OPERATION']);
    });
  });

  describe('7. connection_init with payload "" or null means "no payload"', () => {
    it.each(['', null])('accepts payload %j, then closes a second init with 4429', async (payload) => {
      let params: unknown = 'not called';
      await using server = await serve({
        onConnect: (connection) => {
          params = connection.connectionParams;
          return true;
        },
      });
      const client = await server.client(protocol);
      client.send({ type: 'connection_init', payload });
      expect((await client.next()).type).toBe('connection_ack');
      expect(params).toBeUndefined();
      client.send({ type: 'connection_init', payload });
      expect(await client.closed).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
    });
  });

  describe('8. middleware wraps publish as well as the resolvers', () => {
    // Once per field of the notification: `publish` stands for the subscription field's resolver
    // (which only hands the value on and is not wrapped), as in the Python library.
    it.each([
      ['on the push path', 'subscription { published { n } }'],
      [
        'on the pull path too (a root fragment: the server pulls the stream)',
        'subscription { ... on Subscription { published { n } } }',
      ],
    ])(
      'runs around publish (with the raw payload) before the resolvers of the notification, %s',
      async (_path, query) => {
        const seen: string[] = [];
        const spy: Middleware = (next, root, args, context, info) => {
          const published = (root as { published?: boolean } | undefined)?.published === true;
          seen.push(
            `${info.fieldName}:${info.parentType.name === 'Subscription' && !published ? 'publish' : 'resolve'}`,
          );
          return next(root, args, context, info);
        };
        await using server = await serve({ middleware: [spy], confirmSubscriptions: true });
        const client = await server.client(protocol);
        await client.init();
        start(client, 's', query);
        expect((await client.next()).payload).toEqual(confirmation);
        await server.ticks.broadcast({ group: 'g', payload: { n: 3 } });
        expect((await client.next()).payload).toEqual({ data: { published: { n: 3 } } });
        expect(server.events).toEqual(['publish']);
        expect(seen).toEqual(['published:publish', 'n:resolve']);
      },
    );
  });
});

it('6. legacy graphql-ws: an error for a message of a wrong type has extensions.code', async () => {
  await using server = await serve();
  const client = await server.client('graphql-ws');
  await client.init();
  client.send({ type: 'nonsense', id: 'w' });
  expect(await client.next()).toEqual({
    id: 'w',
    type: 'error',
    payload: {
      errors: [
        { message: 'Unexpected message of type "nonsense" received', extensions: { code: 'GQLCAST_BAD_MESSAGE' } },
      ],
    },
  });
});

describe.each(protocolNames)('the outbox bounds every outgoing message (%s)', (protocol) => {
  it('terminates a peer that stops reading once maxSendBuffer bytes wait, whatever filled it (query answers)', async () => {
    const recorded = recordingLogger();
    const terminated = deferred<void>();
    const logger: Logger = {
      ...recorded,
      warn: (message, details) => {
        recorded.warn(message, details);
        if (/maxSendBuffer/.test(message)) terminated.resolve();
      },
    };
    await using server = await startServer({ maxSendBuffer: 2 * 1024 * 1024, logger, messageRate: false });
    const client = await server.client(protocol);
    await client.init();
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    // 40 MB of answers to a peer that reads nothing: far beyond what loopback's kernel buffers take.
    const name = 'x'.repeat(100 * 1024);
    for (let i = 0; i < 400; i++) start(client, `q${i}`, 'query ($n: String) { hello(name: $n) }', { n: name });
    await terminated.promise;
    socket.resume();
    expect((await client.closed).code).toBe(1006);
  });
});
