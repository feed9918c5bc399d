// Resumable subscriptions (issue 19; docs/resume.md): the cursor on each result of a retaining
// channel, `resumeFrom` on subscribe/start, replay through `publish`, the gap, and the refusal
// of a cursor the server cannot read. Real sockets, both subprotocols.
import { createHub, type RetainOptions, SKIP, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import type { ServerOptions } from '../src/index.js';
import { type ProtocolName, protocolNames, protocols } from './utils/protocols.js';
import type { Message, TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';
import { watchedLayer } from './utils/watched-layer.js';

type Gqlcast = { cursor?: string; gap?: { missed?: number } };

function schemaWith(retain: RetainOptions | undefined) {
  const { layer, topicSubscribed } = watchedLayer();
  const hub = createHub({ layer, logger: silentLogger });
  const news = hub.channel('news', { payload: z.object({ n: z.number(), skip: z.boolean().optional() }), retain });
  const builder = new SchemaBuilder<{ Context: object }>({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hi' }) }) });
  let subscribeCalls = 0;
  const News = builder.objectRef<{ n: number }>('News').implement({ fields: (t) => ({ n: t.exposeInt('n') }) });
  builder.subscriptionType({
    fields: (t) => ({
      news: t.subscriptionField({
        type: News,
        channel: news,
        args: { topic: t.arg.string({ required: true }) },
        subscribe: (args) => {
          subscribeCalls++;
          // Access is checked on every subscribe, a resume included.
          if (args.topic === 'secret') throw new Error('You may not read this topic.');
          return args.topic;
        },
        publish: (payload) => (payload.skip ? SKIP : payload),
      }),
    }),
  });
  return {
    hub,
    news,
    schema: builder.toSchema(),
    calls: () => subscribeCalls,
    /** Resolves once group `topic` of the channel was subscribed in the layer `times` times in all. */
    subscribed: (topic: string, times = 1) => topicSubscribed(`news:${topic}`, times),
  };
}

async function serve(retain: RetainOptions | undefined, options: Partial<ServerOptions> = {}) {
  const server = await startServer(options, schemaWith(retain));
  return {
    ...server,
    async client(protocol: ProtocolName) {
      const client = await server.client(protocol);
      await client.init();
      return client;
    },
  };
}

const query = (topic: string) => `subscription { news(topic: "${topic}") { n } }`;

function subscribe(client: TestClient, id: string, topic: string, resumeFrom?: unknown) {
  const extensions = resumeFrom === undefined ? undefined : { gqlcast: { resumeFrom } };
  client.send({
    id,
    type: protocols[client.protocol as ProtocolName].start,
    payload: { query: query(topic), extensions },
  });
}

/** The next `n` results of `id`: their numbers and their `extensions.gqlcast`. */
async function results(client: TestClient, id: string, count: number) {
  const out: { n: number | undefined; gqlcast: Gqlcast | undefined }[] = [];
  while (out.length < count) {
    const message = await client.next();
    if (message.id !== id) throw new Error(`unexpected ${JSON.stringify(message)}`);
    const payload = message.payload as { data?: { news?: { n: number } } | null; extensions?: { gqlcast?: Gqlcast } };
    out.push({ n: payload.data?.news?.n, gqlcast: payload.extensions?.gqlcast });
  }
  return out;
}

async function broadcast(server: { news: ReturnType<typeof schemaWith>['news'] }, topic: string, ...ns: number[]) {
  for (const n of ns) await server.news.broadcast({ group: topic, payload: { n } });
}

describe.each(protocolNames)('resuming a subscription (%s)', (protocol) => {
  it('resumes after the last cursor: what was missed, through publish (SKIP holds), in order, then live', async () => {
    await using server = await serve({ count: 100 });
    const first = await server.client(protocol);
    subscribe(first, '1', 't');
    await server.subscribed('t');
    await broadcast(server, 't', 1, 2);
    const before = await results(first, '1', 2);
    expect(before.map((r) => r.n)).toEqual([1, 2]);
    expect(before.every((r) => typeof r.gqlcast?.cursor === 'string')).toBe(true);
    await first.close();
    // Offline: 3, a skipped one, 4.
    await broadcast(server, 't', 3);
    await server.news.broadcast({ group: 't', payload: { n: 99, skip: true } });
    await broadcast(server, 't', 4);
    const second = await server.client(protocol);
    subscribe(second, '1', 't', before[1]?.gqlcast?.cursor);
    const replayed = await results(second, '1', 2);
    expect(replayed.map((r) => [r.n, r.gqlcast?.gap])).toEqual([
      [3, undefined],
      [4, undefined],
    ]);
    await broadcast(server, 't', 5);
    expect((await results(second, '1', 1)).map((r) => r.n)).toEqual([5]);
    // Nothing else arrived: no duplicate of 3, 4 or 5.
    expect(await second.drain()).toEqual([]);
    // subscribe ran for each subscription: access was checked anew.
    expect(server.calls()).toBe(2);
  });

  it('reports a gap on the first result when the cursor is older than the retention, then what is retained', async () => {
    await using server = await serve({ count: 2 });
    const first = await server.client(protocol);
    subscribe(first, '1', 't');
    await server.subscribed('t');
    await broadcast(server, 't', 1);
    const [one] = await results(first, '1', 1);
    await first.close();
    await broadcast(server, 't', 2, 3, 4, 5);
    const second = await server.client(protocol);
    subscribe(second, '1', 't', one?.gqlcast?.cursor);
    const replayed = await results(second, '1', 2);
    expect(replayed.map((r) => [r.n, r.gqlcast?.gap])).toEqual([
      [4, { missed: 2 }],
      [5, undefined],
    ]);
    expect(await second.drain()).toEqual([]);
  });

  it('refuses a cursor it cannot read with GQLCAST_RESUME_CURSOR_INVALID, and keeps serving', async () => {
    await using server = await serve({ count: 10 });
    const client = await server.client(protocol);
    subscribe(client, 'bad', 't', 'not a cursor!');
    const refusal = (await client.next()) as Message & { payload: unknown };
    const errors = protocol === 'graphql-transport-ws' ? refusal.payload : (refusal.payload as { errors?: unknown });
    expect(refusal.type).toBe('error');
    expect(JSON.stringify(errors)).toContain('GQLCAST_RESUME_CURSOR_INVALID');
    // The connection goes on: a good subscription works.
    subscribe(client, 'good', 't');
    await server.subscribed('t');
    await broadcast(server, 't', 1);
    expect((await results(client, 'good', 1)).map((r) => r.n)).toEqual([1]);
  });

  it('checks access anew on a resume: a refused subscribe is refused, whatever the cursor', async () => {
    await using server = await serve({ count: 10 });
    const client = await server.client(protocol);
    subscribe(client, '1', 'secret', '0');
    const refusal = await client.next();
    expect(refusal.type).toBe('error');
    expect(JSON.stringify(refusal.payload)).toContain('You may not read this topic.');
  });

  it('with confirmations, the confirmation carries the starting cursor, so nothing received yet still resumes', async () => {
    await using server = await serve({ count: 10 }, { confirmSubscriptions: true });
    const first = await server.client(protocol);
    subscribe(first, '1', 't');
    const [confirmation] = await results(first, '1', 1);
    expect(confirmation?.n).toBeUndefined();
    await first.close();
    await broadcast(server, 't', 1, 2);
    const second = await server.client(protocol);
    subscribe(second, '1', 't', confirmation?.gqlcast?.cursor);
    // The confirmation first, then the replay, then live.
    const got = await results(second, '1', 3);
    expect(got.map((r) => r.n)).toEqual([undefined, 1, 2]);
    expect(got[0]?.gqlcast?.gap).toBeUndefined();
  });

  it('with confirmations, the gap of a resume rides on the confirmation', async () => {
    await using server = await serve({ count: 1 }, { confirmSubscriptions: true });
    const first = await server.client(protocol);
    subscribe(first, '1', 't');
    const [confirmation] = await results(first, '1', 1);
    await first.close();
    await broadcast(server, 't', 1, 2, 3);
    const second = await server.client(protocol);
    subscribe(second, '1', 't', confirmation?.gqlcast?.cursor);
    const got = await results(second, '1', 2);
    expect(got.map((r) => [r.n, r.gqlcast?.gap])).toEqual([
      [undefined, { missed: 2 }],
      [3, undefined],
    ]);
  });

  it('sends nothing extra on a channel without retain; a resume there gets an explicit gap, then live', async () => {
    await using server = await serve(undefined);
    const first = await server.client(protocol);
    subscribe(first, '1', 't');
    await server.subscribed('t');
    await broadcast(server, 't', 1);
    expect((await first.next()).payload).toEqual({ data: { news: { n: 1 } } });
    await first.close();
    const second = await server.client(protocol);
    subscribe(second, '1', 't', '0');
    await server.subscribed('t', 2);
    await broadcast(server, 't', 2);
    expect((await second.next()).payload).toEqual({ data: { news: { n: 2 } }, extensions: { gqlcast: { gap: {} } } });
    await broadcast(server, 't', 3);
    expect((await second.next()).payload).toEqual({ data: { news: { n: 3 } } });
  });
});

describe('a client that knows nothing of cursors', () => {
  it("graphql-ws's own client keeps working on a retaining channel (the cursor is an extension it ignores)", async () => {
    await using server = await serve({ count: 10 });
    const client = createClient({ url: server.url, webSocketImpl: WebSocket, retryAttempts: 0 });
    const received: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: query('t') },
        {
          next: (result) => {
            received.push(result.data);
            if (received.length === 2) resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await server.subscribed('t');
    await broadcast(server, 't', 1, 2);
    await done;
    expect(received).toEqual([{ news: { n: 1 } }, { news: { n: 2 } }]);
    await client.dispose();
  });
});
