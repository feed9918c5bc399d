// The push path and shared execution: subscribers whose results cannot differ get one `publish`,
// one execution and one serialization per broadcast; everything else stays per subscriber.
import { createHub, SKIP, type UnsubscribeReason } from '@gqlcast/core';
import { deferred } from '@gqlcast/core/testing';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { execute, versionInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DefaultContext } from '../src/index.js';
import { collectUntil } from './utils/gc.js';
import { recordingLogger } from './utils/logger.js';
import type { TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';

function sharedFixture() {
  const hub = createHub();
  const news = hub.channel('news', { payload: z.object({ seq: z.number(), text: z.string() }) });
  const counts = { publish: 0, resolve: 0 };
  const unsubscribed: { field: string; reason: UnsubscribeReason }[] = [];
  let publishStarted = deferred<void>();
  const release = deferred<void>();

  const builder = new SchemaBuilder<{
    Context: DefaultContext;
    Scalars: {
      Unserializable: { Input: number; Output: number };
      TagSet: { Input: Set<string>; Output: string[] };
    };
  }>({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hi' }) }) });
  const Item = builder.objectRef<{ seq: number; text: string; topic: string }>('Item');
  Item.implement({
    fields: (t) => ({
      seq: t.exposeInt('seq'),
      text: t.exposeString('text'),
      topic: t.exposeString('topic'),
      // Counts executions: it runs once per execution that selects it.
      counted: t.int({
        resolve: (item) => {
          counts.resolve++;
          return item.seq;
        },
      }),
    }),
  });
  // Its serialize returns a BigInt: the execution succeeds, its serialization throws.
  const Unserializable = builder.scalarType('Unserializable', {
    serialize: (value) => BigInt(value) as never,
  });
  // Parses to a Set, which JSON cannot tell apart from another Set: such arguments must not share.
  const TagSet = builder.scalarType('TagSet', {
    serialize: (value) => [...value],
    parseValue: (value) => new Set(value as string[]),
  });
  builder.subscriptionType({
    fields: (t) => ({
      tagged: t.subscriptionField({
        type: 'String',
        channel: news,
        args: { tags: t.arg({ type: TagSet, required: true }) },
        share: true,
        publish: (_payload, args) => [...args.tags].join(','),
      }),
      unserializable: t.subscriptionField({
        type: Unserializable,
        channel: news,
        share: true,
        publish: (payload) => payload.seq,
      }),
      shared: t.subscriptionField({
        type: Item,
        channel: news,
        args: { topic: t.arg.string({ required: true }) },
        share: true,
        subscribe: (args) => args.topic,
        publish: (payload, args) => {
          counts.publish++;
          return payload.text === 'skip' ? SKIP : { ...payload, topic: args.topic };
        },
        unsubscribed: (_args, _ctx, _info, reason) => {
          unsubscribed.push({ field: 'shared', reason });
        },
      }),
      byRole: t.subscriptionField({
        type: Item,
        channel: news,
        share: (ctx) => (typeof ctx.connectionParams?.role === 'string' ? ctx.connectionParams.role : null),
        publish: (payload, _args, ctx) => {
          counts.publish++;
          return { ...payload, topic: String(ctx.connectionParams?.role ?? 'none') };
        },
      }),
      slowShared: t.subscriptionField({
        type: Item,
        channel: news,
        share: true,
        publish: async (payload) => {
          counts.publish++;
          if (payload.text === 'held') {
            publishStarted.resolve();
            await release.promise;
          }
          return { ...payload, topic: 'slow' };
        },
      }),
      own: t.subscriptionField({
        type: Item,
        channel: news,
        publish: (payload) => {
          counts.publish++;
          return { ...payload, topic: 'own' };
        },
      }),
    }),
  });
  return {
    hub,
    news,
    counts,
    unsubscribed,
    release: () => release.resolve(),
    publishStarted: () => publishStarted.promise,
    resetPublishStarted: () => {
      publishStarted = deferred<void>();
    },
    schema: builder.toSchema(),
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function setup(logger = recordingLogger()) {
  const fixture = sharedFixture();
  const server = await startServer({ confirmSubscriptions: true, schema: fixture.schema, logger });
  return Object.assign(server, { shared: fixture });
}

/** Opens a client, subscribes, and waits for the confirmation. */
async function subscribed(
  server: Pick<Setup, 'client'>,
  protocol: 'graphql-transport-ws' | 'graphql-ws',
  id: string,
  query: string,
  params?: Record<string, unknown>,
): Promise<TestClient> {
  const client = await server.client(protocol);
  await client.init(params);
  client.send({ id, type: protocol === 'graphql-ws' ? 'start' : 'subscribe', payload: { query } });
  const confirmation = await client.next();
  expect(confirmation).toMatchObject({ id, payload: { data: null } });
  return client;
}

describe('shared execution', () => {
  it('runs publish and the execution once per broadcast for identical subscribers, each message with its own id', async () => {
    await using server = await setup();
    const query = 'subscription { shared(topic: "a") { seq text topic counted } }';
    const clients = [
      await subscribed(server, 'graphql-transport-ws', 'x', query),
      await subscribed(server, 'graphql-transport-ws', 'y', query),
      await subscribed(server, 'graphql-transport-ws', 'x', query),
      await subscribed(server, 'graphql-ws', 'z', query),
    ];
    await server.shared.news.broadcast({ group: 'a', payload: { seq: 1, text: 'skip' } });
    await server.shared.news.broadcast({ group: 'a', payload: { seq: 2, text: 'hello' } });
    const data = { data: { shared: { seq: 2, text: 'hello', topic: 'a', counted: 2 } } };
    expect(await clients[0]?.next()).toEqual({ id: 'x', type: 'next', payload: data });
    expect(await clients[1]?.next()).toEqual({ id: 'y', type: 'next', payload: data });
    expect(await clients[2]?.next()).toEqual({ id: 'x', type: 'next', payload: data });
    expect(await clients[3]?.next()).toEqual({ id: 'z', type: 'data', payload: data });
    for (const client of clients) expect(await client.drain()).toEqual([]);
    // Two broadcasts, one publish each (SKIP included); one execution for the one delivered.
    expect(server.shared.counts).toEqual({ publish: 2, resolve: 1 });
  });

  it("keeps the context of the subscriber that opened the execution, and lets a joiner's go", async () => {
    const fixture = sharedFixture();
    const contexts: WeakRef<object>[] = [];
    await using server = await startServer({
      confirmSubscriptions: true,
      schema: fixture.schema,
      context: (connection, message) => {
        const context: DefaultContext = {
          connection,
          state: connection.state,
          request: connection.request,
          connectionParams: connection.connectionParams,
          operationId: message.id,
          operationName: undefined,
        };
        contexts.push(new WeakRef(context));
        return context;
      },
    });
    // A shared field without an `unsubscribed` hook: nothing of a subscriber is needed after it joined.
    const query = 'subscription { slowShared { seq topic } }';
    const opener = await subscribed(server, 'graphql-transport-ws', '1', query);
    const joiner = await subscribed(server, 'graphql-transport-ws', '1', query);
    await collectUntil(() => contexts[1]?.deref() === undefined);
    expect(contexts).toHaveLength(2);
    expect(contexts[1]?.deref()).toBeUndefined();
    // The execution runs with the opener's context, documented: it stays.
    expect(contexts[0]?.deref()).toBeDefined();
    await fixture.news.broadcast({ payload: { seq: 1, text: 'after' } });
    const data = { data: { slowShared: { seq: 1, topic: 'slow' } } };
    expect((await opener.next()).payload).toEqual(data);
    expect((await joiner.next()).payload).toEqual(data);
  });

  it('executes once per document: other selections share the publish but not the execution', async () => {
    await using server = await setup();
    const a = await subscribed(
      server,
      'graphql-transport-ws',
      '1',
      'subscription { shared(topic: "a") { seq counted } }',
    );
    const b = await subscribed(server, 'graphql-transport-ws', '1', 'subscription { shared(topic: "a") { text } }');
    const c = await subscribed(server, 'graphql-transport-ws', '1', 'subscription { shared(topic: "b") { text } }');
    await server.shared.news.broadcast({ group: 'a', payload: { seq: 7, text: 'for a' } });
    expect((await a.next()).payload).toEqual({ data: { shared: { seq: 7, counted: 7 } } });
    expect((await b.next()).payload).toEqual({ data: { shared: { text: 'for a' } } });
    expect(await c.drain()).toEqual([]);
    expect(server.shared.counts).toEqual({ publish: 1, resolve: 1 });
  });

  it('with a share function, shares among subscribers of the same key only', async () => {
    await using server = await setup();
    const query = 'subscription { byRole { topic } }';
    const admins = [
      await subscribed(server, 'graphql-transport-ws', '1', query, { role: 'admin' }),
      await subscribed(server, 'graphql-transport-ws', '1', query, { role: 'admin' }),
    ];
    const user = await subscribed(server, 'graphql-transport-ws', '1', query, { role: 'user' });
    // No key (null): this subscriber gets a publish of its own.
    const anonymous = await subscribed(server, 'graphql-transport-ws', '1', query);
    await server.shared.news.broadcast({ payload: { seq: 1, text: 'x' } });
    for (const admin of admins) expect((await admin.next()).payload).toEqual({ data: { byRole: { topic: 'admin' } } });
    expect((await user.next()).payload).toEqual({ data: { byRole: { topic: 'user' } } });
    expect((await anonymous.next()).payload).toEqual({ data: { byRole: { topic: 'none' } } });
    expect(server.shared.counts.publish).toBe(3);
  });

  it('does not share between subscribers whose arguments are not plain data (a Set)', async () => {
    await using server = await setup();
    const query = 'subscription ($tags: TagSet!) { tagged(tags: $tags) }';
    const red = await server.client('graphql-transport-ws');
    const blue = await server.client('graphql-transport-ws');
    for (const [client, tags] of [
      [red, ['red']],
      [blue, ['blue']],
    ] as const) {
      await client.init();
      client.send({ id: '1', type: 'subscribe', payload: { query, variables: { tags } } });
      expect(await client.next()).toMatchObject({ id: '1', payload: { data: null } });
    }
    await server.shared.news.broadcast({ payload: { seq: 1, text: 'x' } });
    expect((await red.next()).payload).toEqual({ data: { tagged: 'red' } });
    expect((await blue.next()).payload).toEqual({ data: { tagged: 'blue' } });
  });

  it('without share, publish runs for each subscriber', async () => {
    await using server = await setup();
    const query = 'subscription { own { topic } }';
    const clients = [
      await subscribed(server, 'graphql-transport-ws', '1', query),
      await subscribed(server, 'graphql-transport-ws', '1', query),
    ];
    await server.shared.news.broadcast({ payload: { seq: 1, text: 'x' } });
    for (const client of clients) expect((await client.next()).payload).toEqual({ data: { own: { topic: 'own' } } });
    expect(server.shared.counts.publish).toBe(2);
  });

  it('gives a subscriber who joins while an async publish runs nothing broadcast before it subscribed', async () => {
    await using server = await setup();
    const query = 'subscription { slowShared { text } }';
    const early = await subscribed(server, 'graphql-transport-ws', 'e', query);
    await server.shared.news.broadcast({ payload: { seq: 1, text: 'held' } });
    await server.shared.publishStarted();
    const late = await subscribed(server, 'graphql-transport-ws', 'l', query);
    await server.shared.news.broadcast({ payload: { seq: 2, text: 'after' } });
    server.shared.release();
    expect((await early.next()).payload).toEqual({ data: { slowShared: { text: 'held' } } });
    expect((await early.next()).payload).toEqual({ data: { slowShared: { text: 'after' } } });
    expect((await late.next()).payload).toEqual({ data: { slowShared: { text: 'after' } } });
    expect(await late.drain()).toEqual([]);
  });

  it('ends each subscriber on its own: complete, disconnect and channel.unsubscribe each reach unsubscribed', async () => {
    await using server = await setup();
    const query = 'subscription { shared(topic: "a") { seq } }';
    const completing = await subscribed(server, 'graphql-transport-ws', 'c', query);
    const leaving = await subscribed(server, 'graphql-transport-ws', 'd', query);
    const staying = await subscribed(server, 'graphql-transport-ws', 's', query);
    completing.send({ id: 'c', type: 'complete' });
    expect(await completing.drain()).toEqual([]);
    await leaving.close();
    await server.shared.news.broadcast({ group: 'a', payload: { seq: 1, text: 'still here' } });
    expect((await staying.next()).payload).toEqual({ data: { shared: { seq: 1 } } });
    await server.shared.news.unsubscribe({ group: 'a' });
    expect(await staying.next()).toEqual({ id: 's', type: 'complete' });
    await expect.poll(() => server.shared.unsubscribed.length).toBe(3);
    expect(server.shared.unsubscribed.map((entry) => entry.reason).sort()).toEqual([
      'complete',
      'disconnect',
      'unsubscribe',
    ]);
  });

  it('after the last subscriber of a key leaves, a new one opens a fresh shared execution', async () => {
    await using server = await setup();
    const query = 'subscription { shared(topic: "a") { seq } }';
    const first = await subscribed(server, 'graphql-transport-ws', '1', query);
    first.send({ id: '1', type: 'complete' });
    expect(await first.drain()).toEqual([]);
    expect(server.shared.hub.stats().topics).toBe(0);
    const second = await subscribed(server, 'graphql-transport-ws', '1', query);
    await server.shared.news.broadcast({ group: 'a', payload: { seq: 3, text: 'again' } });
    expect((await second.next()).payload).toEqual({ data: { shared: { seq: 3 } } });
  });

  it('serves a root field inside an inline fragment through graphql-js, with the same results', async () => {
    await using server = await setup();
    const client = await subscribed(
      server,
      'graphql-transport-ws',
      '1',
      'subscription { ... on Subscription { shared(topic: "a") { seq topic } } }',
    );
    await server.shared.news.broadcast({ group: 'a', payload: { seq: 4, text: 'x' } });
    expect((await client.next()).payload).toEqual({ data: { shared: { seq: 4, topic: 'a' } } });
  });
});

describe('endings', () => {
  it('a subscriber arriving after channel.unsubscribe, while the old feed still publishes, gets a fresh one', async () => {
    await using server = await setup();
    const query = 'subscription { slowShared { text } }';
    const before = await subscribed(server, 'graphql-transport-ws', 'b', query);
    await server.shared.news.broadcast({ payload: { seq: 1, text: 'held' } });
    await server.shared.publishStarted();
    await server.shared.news.unsubscribe();
    const after = await subscribed(server, 'graphql-transport-ws', 'a', query);
    server.shared.release();
    expect((await before.next()).payload).toEqual({ data: { slowShared: { text: 'held' } } });
    expect(await before.next()).toEqual({ id: 'b', type: 'complete' });
    await server.shared.news.broadcast({ payload: { seq: 2, text: 'new' } });
    // Neither the old notification nor the old feed's end: only what was broadcast after it subscribed.
    expect(await after.next()).toEqual({ id: 'a', type: 'next', payload: { data: { slowShared: { text: 'new' } } } });
    expect(await after.drain()).toEqual([]);
  });

  it('on the graphql-js path, an execute that throws ends the stream, its channel subscription and its hook (reason error)', async () => {
    const fixture = sharedFixture();
    await using server = await startServer({
      confirmSubscriptions: true,
      schema: fixture.schema,
      logger: recordingLogger(),
      execute: (args) => {
        if (args.rootValue !== undefined) throw new Error('executor down');
        return execute(args);
      },
    });
    const client = await subscribed(
      server,
      'graphql-transport-ws',
      'p',
      'subscription { ... on Subscription { shared(topic: "a") { seq } } }',
    );
    expect(fixture.hub.stats().subscriptions).toBe(1);
    await fixture.news.broadcast({ group: 'a', payload: { seq: 1, text: 'x' } });
    expect(await client.next()).toMatchObject({ id: 'p', type: 'error', payload: [{ message: 'executor down' }] });
    await expect.poll(() => fixture.unsubscribed).toEqual([{ field: 'shared', reason: 'error' }]);
    expect(fixture.hub.stats().subscriptions).toBe(0);
  });
});

describe('isolation', () => {
  it('ends only the subscriptions of an execution that cannot be serialized, with an error; others go on', async () => {
    const logger = recordingLogger();
    await using server = await setup(logger);
    const broken = await subscribed(server, 'graphql-transport-ws', 'b', 'subscription { unserializable }');
    const healthy = await subscribed(server, 'graphql-transport-ws', 'h', 'subscription { own { seq } }');
    await server.shared.news.broadcast({ payload: { seq: 1, text: 'x' } });
    const error = await broken.next();
    expect(error).toMatchObject({ id: 'b', type: 'error' });
    expect(JSON.stringify(error.payload)).toMatch(/BigInt/);
    expect((await healthy.next()).payload).toEqual({ data: { own: { seq: 1 } } });
    await server.shared.news.broadcast({ payload: { seq: 2, text: 'y' } });
    expect((await healthy.next()).payload).toEqual({ data: { own: { seq: 2 } } });
    expect(await broken.drain()).toEqual([]);
    // The server says what happened, once, with the cause.
    expect(
      logger.lines.filter(
        (line) => line.level === 'error' && /shared subscription execution failed/.test(line.message),
      ),
    ).toHaveLength(1);
  });

  it('a socket that stops reading drops its own oldest frames; the others of the shared execution get all, in order', async () => {
    const fixture = sharedFixture();
    const highWaterMark = 256 * 1024;
    await using server = await startServer({
      confirmSubscriptions: true,
      schema: fixture.schema,
      sendHighWaterMark: highWaterMark,
      messageRate: false,
    });
    const query = 'subscription { shared(topic: "load") { seq text } }';
    const slow = await subscribed(server, 'graphql-transport-ws', 's', query);
    const healthy = [
      await subscribed(server, 'graphql-transport-ws', 'h', query),
      await subscribed(server, 'graphql-ws', 'h', query),
    ];
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const body = 'x'.repeat(16 * 1024);
    const total = 2_000;
    // The producer stays at most 10 broadcasts ahead of the healthy readers: it measures the
    // server, not how fast one test process can outrun its own clients.
    const received = healthy.map(() => 0);
    let wake: (() => void) | undefined;
    const progress = healthy.map(async (client, index) => {
      for (let seq = 0; seq < total; seq++) {
        const message = await client.next();
        expect((message.payload as { data: { shared: { seq: number } } }).data.shared.seq).toBe(seq);
        received[index] = seq + 1;
        wake?.();
      }
    });
    for (let seq = 0; seq < total; seq++) {
      while (Math.min(...received) < seq - 10) await new Promise<void>((resolve) => (wake = resolve));
      await fixture.news.broadcast({ group: 'load', payload: { seq, text: body } });
    }
    await Promise.all(progress);
    // One publish and one execution per broadcast for all three, the slow one included.
    expect(fixture.counts.publish).toBe(total);
    expect(server.gql.bufferStats().largestBuffer).toBeLessThanOrEqual(highWaterMark + 20 * 1024);
    expect(fixture.hub.stats().dropped).toBeGreaterThan(0);
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    // It then reads what its queue kept, ending with the latest broadcast.
    const seen = await slow.until(
      (message) => (message.payload as { data?: { shared: { seq: number } } })?.data?.shared.seq === total - 1,
    );
    expect(seen.length).toBeLessThan(total);
  }, 60_000);
});

describe('the execute option', () => {
  // graphql-jit 0.8 fails on graphql 17 ("Cannot use GraphQLNonNull from another module or realm"): graphql 16 only.
  it.runIf(versionInfo.major === 16)(
    'runs queries, pushed notifications and pulled ones through a compiled executor (graphql-jit)',
    async () => {
      const { compileQuery, isCompiledQuery } = await import('graphql-jit');
      type Compiled = import('graphql-jit').CompiledQuery;
      const compiled = new WeakMap<object, Map<string, Compiled>>();
      const calls: string[] = [];
      const fixture = sharedFixture();
      await using server = await startServer({
        confirmSubscriptions: true,
        schema: fixture.schema,
        // The recipe of docs/performance.md: one compiled query per document and operation name.
        execute: (args) => {
          calls.push(args.rootValue === undefined ? 'query' : 'notification');
          let byName = compiled.get(args.document);
          if (byName === undefined) {
            byName = new Map();
            compiled.set(args.document, byName);
          }
          const name = args.operationName ?? '';
          let query = byName.get(name);
          if (query === undefined) {
            const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
            if (!isCompiledQuery(result)) return result;
            query = result;
            byName.set(name, query);
          }
          return query.query(args.rootValue, args.contextValue, args.variableValues ?? {});
        },
      });
      const pushed = await subscribed(
        server,
        'graphql-transport-ws',
        'p',
        'subscription { shared(topic: "a") { seq topic } }',
      );
      // Inside an inline fragment the root field is pulled through graphql-js's source stream: same executor.
      const pulled = await subscribed(
        server,
        'graphql-transport-ws',
        'q',
        'subscription { ... on Subscription { shared(topic: "a") { seq text } } }',
      );
      await fixture.news.broadcast({ group: 'a', payload: { seq: 9, text: 'jit' } });
      expect((await pushed.next()).payload).toEqual({ data: { shared: { seq: 9, topic: 'a' } } });
      expect((await pulled.next()).payload).toEqual({ data: { shared: { seq: 9, text: 'jit' } } });
      pushed.send({ id: 'h', type: 'subscribe', payload: { query: '{ hello }' } });
      expect(await pushed.next()).toEqual({ id: 'h', type: 'next', payload: { data: { hello: 'hi' } } });
      expect(calls.sort()).toEqual(['notification', 'notification', 'query']);
    },
  );

  it('refuses an execute that is not a function', async () => {
    await expect(startServer({ execute: 'fast' as never })).rejects.toThrow(/execute must be a function/);
  });
});
