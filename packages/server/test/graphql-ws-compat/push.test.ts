// Issue 20: a @gqlcast/pothos field under the compatibility entry's `useServer` is pushed (shared
// executions, a bounded outbox), while graphql-ws's hooks keep their semantics; the real graphql-ws
// client on real sockets.
import { createHub, memoryLayer, SKIP } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import { useServer } from '@gqlcast/server/graphql-ws';
import SchemaBuilder from '@pothos/core';
import { type DocumentNode, parse } from 'graphql';
import type { Client, ExecutionResult } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TestClient } from '../utils/test-client.js';
import { client, wsServer } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function fixture(queueLimit?: number) {
  const hub = createHub({ layer: memoryLayer(), queueLimit });
  cleanups.push(() => hub.close());
  const news = hub.channel('news', { payload: z.object({ text: z.string() }) });
  const builder = new SchemaBuilder({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  const counts = { resolved: 0 };
  // A resolver of its own under the field: only `share` can share it, and it counts executions.
  const News = builder.objectRef<{ text: string }>('News').implement({
    fields: (t) => ({
      text: t.string({
        resolve: (item) => {
          counts.resolved++;
          return item.text;
        },
      }),
    }),
  });
  builder.subscriptionType({
    fields: (t) => ({
      news: t.subscriptionField({
        type: News,
        channel: news,
        share: true,
        publish: (payload) => (payload.text.startsWith('-') ? SKIP : payload),
      }),
    }),
  });
  return { hub, news, counts, schema: builder.toSchema() };
}

async function serve(options: Parameters<typeof useServer>[0]) {
  const { server, url } = await wsServer();
  started = 0;
  const onOperation = options.onOperation;
  const disposable = useServer(
    {
      ...options,
      onOperation: (...args) => {
        started++;
        return onOperation?.(...args);
      },
    },
    server,
  );
  cleanups.push(() => disposable.dispose());
  return url;
}

/** A subscription's results as they come, and its end. */
function follow(c: Client, payload: { query: string; extensions?: Record<string, unknown> }) {
  const results: ExecutionResult[] = [];
  let wake: (() => void) | undefined;
  let ended: 'complete' | 'error' | undefined;
  const stop = c.subscribe(payload, {
    next: (result) => {
      results.push(result as ExecutionResult);
      wake?.();
    },
    error: () => {
      ended = 'error';
      wake?.();
    },
    complete: () => {
      ended = 'complete';
      wake?.();
    },
  });
  return {
    stop,
    async next(): Promise<ExecutionResult> {
      while (results.length === 0) {
        if (ended !== undefined) throw new Error(`ended (${ended}) while waiting for a result`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return results.shift() as ExecutionResult;
    },
    async end(): Promise<string> {
      while (ended === undefined) await new Promise<void>((resolve) => (wake = resolve));
      return ended;
    },
  };
}

/** Waits until the hub has `count` live channel subscriptions (the server subscribed them). */
async function subscribed(hub: ReturnType<typeof fixture>['hub'], count: number): Promise<void> {
  while (hub.stats().subscriptions !== count) await new Promise((resolve) => setImmediate(resolve));
}

/** Operations started so far (graphql-ws calls `onOperation` once an operation's stream exists). */
let started = 0;
async function operationsStarted(count: number): Promise<void> {
  while (started < count) await new Promise((resolve) => setImmediate(resolve));
}

const query = 'subscription { news { text } }';

describe('a @gqlcast/pothos field under useServer', () => {
  it('is pushed: three subscribers of one shared field cost one execution per broadcast', async () => {
    const f = fixture();
    const url = await serve({ schema: f.schema });
    const clients = [client(url), client(url), client(url)];
    for (const c of clients) cleanups.push(() => c.dispose() as Promise<void>);
    const streams = clients.map((c) => follow(c, { query }));
    await operationsStarted(3);
    // `share`: one channel subscription serves all three.
    expect(f.hub.stats().subscriptions).toBe(1);
    await f.news.broadcast({ payload: { text: 'one' } });
    for (const stream of streams) expect(await stream.next()).toEqual({ data: { news: { text: 'one' } } });
    expect(f.counts.resolved).toBe(1);
    await f.news.broadcast({ payload: { text: 'two' } });
    for (const stream of streams) expect(await stream.next()).toEqual({ data: { news: { text: 'two' } } });
    expect(f.counts.resolved).toBe(2);
  });

  it('skips what publish SKIPs: a later broadcast arrives, nothing before it', async () => {
    const f = fixture();
    const url = await serve({ schema: f.schema });
    const c = client(url);
    cleanups.push(() => c.dispose() as Promise<void>);
    const stream = follow(c, { query });
    await operationsStarted(1);
    await f.news.broadcast({ payload: { text: '-quiet' } });
    await f.news.broadcast({ payload: { text: 'loud' } });
    expect(await stream.next()).toEqual({ data: { news: { text: 'loud' } } });
  });

  it('keeps onNext exact per subscriber: with onNext, each result is the hook’s (pulled, as graphql-ws runs it)', async () => {
    const f = fixture();
    const url = await serve({
      schema: f.schema,
      onNext: (ctx, _id, _payload, _args, result) => ({
        data: result.data ?? null,
        extensions: { for: (ctx.connectionParams as { user?: string } | undefined)?.user },
      }),
    });
    const alice = client(url, { connectionParams: { user: 'alice' } });
    const bob = client(url, { connectionParams: { user: 'bob' } });
    cleanups.push(
      () => alice.dispose() as Promise<void>,
      () => bob.dispose() as Promise<void>,
    );
    const toAlice = follow(alice, { query });
    const toBob = follow(bob, { query });
    await operationsStarted(2);
    await f.news.broadcast({ payload: { text: 'hi' } });
    expect(await toAlice.next()).toEqual({ data: { news: { text: 'hi' } }, extensions: { for: 'alice' } });
    expect(await toBob.next()).toEqual({ data: { news: { text: 'hi' } }, extensions: { for: 'bob' } });
  });

  it('is pushed with a document onSubscribe gave (persisted documents)', async () => {
    const f = fixture();
    const documents: Record<string, DocumentNode> = { news: parse(query) };
    const url = await serve({
      schema: f.schema,
      onSubscribe: (_ctx, _id, payload) => {
        const document = documents[String(payload.extensions?.persisted)];
        return document === undefined ? undefined : { schema: f.schema, document };
      },
    });
    const clients = [client(url), client(url)];
    for (const c of clients) cleanups.push(() => c.dispose() as Promise<void>);
    const streams = clients.map((c) => follow(c, { query: '', extensions: { persisted: 'news' } }));
    await operationsStarted(2);
    await f.news.broadcast({ payload: { text: 'stored' } });
    for (const stream of streams) expect(await stream.next()).toEqual({ data: { news: { text: 'stored' } } });
    expect(f.counts.resolved).toBe(1);
  });

  it('calls onComplete when the client completes, and when the channel ends the subscription (then completes it)', async () => {
    const f = fixture();
    const completed: string[] = [];
    const url = await serve({ schema: f.schema, onComplete: (_ctx, id) => void completed.push(id) });
    const c = client(url);
    cleanups.push(() => c.dispose() as Promise<void>);
    const first = follow(c, { query });
    await operationsStarted(1);
    first.stop();
    while (completed.length < 1) await new Promise((resolve) => setImmediate(resolve));
    await subscribed(f.hub, 0);

    const second = follow(c, { query });
    await operationsStarted(2);
    await f.news.broadcast({ payload: { text: 'last' } });
    expect(await second.next()).toEqual({ data: { news: { text: 'last' } } });
    await f.news.unsubscribe();
    expect(await second.end()).toBe('complete');
    expect(completed).toHaveLength(2);
  });

  it('holds the stream in ctx.subscriptions while it runs, and lets onOperation replace it', async () => {
    const f = fixture();
    const seen: unknown[] = [];
    const url = await serve({
      schema: f.schema,
      onOperation: (ctx, id, _payload, _args, result) => {
        seen.push(Symbol.asyncIterator in Object(result));
        if (id === 'replace-me') {
          return (async function* () {
            yield { data: { news: { text: 'replaced' } } };
          })();
        }
        void ctx;
        return undefined;
      },
    });
    const c = client(url, { generateID: () => 'replace-me' });
    cleanups.push(() => c.dispose() as Promise<void>);
    const stream = follow(c, { query });
    expect(await stream.next()).toEqual({ data: { news: { text: 'replaced' } } });
    expect(await stream.end()).toBe('complete');
    expect(seen).toEqual([true]);
    // The replaced push subscription let go of its channel subscription.
    await subscribed(f.hub, 0);
  });

  it('bounds what waits for a client that stops reading (queueLimit per subscription), and the others are served', async () => {
    const f = fixture(4);
    const url = await serve({ schema: f.schema });
    const slow = await TestClient.open(url, 'graphql-transport-ws');
    cleanups.push(() => slow.close());
    await slow.init();
    slow.send({ id: 's', type: 'subscribe', payload: { query } });
    const healthy = client(url);
    cleanups.push(() => healthy.dispose() as Promise<void>);
    const stream = follow(healthy, { query });
    await operationsStarted(2);
    const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    // 400 × 64 KiB: more than the loopback socket buffers hold, so the outbox must drop for the slow one.
    const sent = 400;
    const text = 'x'.repeat(64 * 1024);
    for (let i = 0; i < sent; i++) {
      await f.news.broadcast({ payload: { text: `${i} ${text}` } });
      // The healthy client gets every one, in order.
      const result = await stream.next();
      expect((result.data as { news: { text: string } }).news.text.startsWith(`${i} `)).toBe(true);
    }
    socket.resume();
    await f.news.broadcast({ payload: { text: 'last' } });
    let received = 0;
    for (;;) {
      const message = await slow.next();
      received++;
      if ((message.payload as { data: { news: { text: string } } }).data.news.text === 'last') break;
    }
    expect(received).toBeLessThan(sent + 1);
  });

  it('ends a pushed subscription whose onOperation throws (the socket closes with 4500), leaving no channel subscription', async () => {
    const f = fixture();
    const url = await serve({
      schema: f.schema,
      onOperation: () => {
        throw new Error('not today');
      },
    });
    const raw = await TestClient.open(url, 'graphql-transport-ws');
    cleanups.push(() => raw.close());
    await raw.init();
    raw.send({ id: 's', type: 'subscribe', payload: { query } });
    expect((await raw.closed).code).toBe(4500);
    await subscribed(f.hub, 0);
  });

  it('ends every pushed subscription of a client that disconnects', async () => {
    const f = fixture();
    const url = await serve({ schema: f.schema });
    const raw = await TestClient.open(url, 'graphql-transport-ws');
    await raw.init();
    raw.send({ id: 'a', type: 'subscribe', payload: { query } });
    raw.send({ id: 'b', type: 'subscribe', payload: { query: 'subscription Other { news { text } }' } });
    await operationsStarted(2);
    expect(f.hub.stats().subscriptions).toBe(1);
    await raw.close();
    await subscribed(f.hub, 0);
  });
});
