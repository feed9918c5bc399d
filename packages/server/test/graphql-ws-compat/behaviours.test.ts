// Issue 20, item 3: graphql-ws's behaviours on the compatibility entry, written from the intent of
// graphql-ws's server tests and its PROTOCOL.md, over real sockets with a raw client.
import { createHub, memoryLayer } from '@gqlcast/core';
import { deferred } from '@gqlcast/core/testing';
import GqlcastPlugin from '@gqlcast/pothos';
import { type Context, type Extra, useServer } from '@gqlcast/server/graphql-ws';
import SchemaBuilder from '@pothos/core';
import { execute, GraphQLError } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TestClient } from '../utils/test-client.js';
import { schema, wsServer } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(options: Parameters<typeof useServer>[0], keepAlive?: number) {
  const { server, url } = await wsServer();
  const disposable = useServer(options, server, keepAlive);
  cleanups.push(() => disposable.dispose());
  return async () => {
    const client = await TestClient.open(url, 'graphql-transport-ws');
    cleanups.push(() => client.close());
    return client;
  };
}

describe('the graphql-ws compatibility entry behaves as graphql-ws', () => {
  it('closes with 4500 and the message when onConnect throws', async () => {
    const open = await serve({
      schema,
      onConnect: () => {
        throw new Error('Boom');
      },
    });
    const client = await open();
    client.send({ type: 'connection_init' });
    expect(await client.closed).toEqual({ code: 4500, reason: 'Boom' });
  });

  it('does not cut a slow onConnect off with the init timeout once connection_init arrived', async () => {
    const decide = deferred<boolean>();
    // Long enough for connection_init to arrive on a loaded machine; the proof that it elapsed
    // is a connection opened later that the same timeout closed, not a sleep.
    const open = await serve({ schema, connectionInitWaitTimeout: 500, onConnect: () => decide.promise });
    const client = await open();
    client.send({ type: 'connection_init' });
    const later = await open();
    expect(await later.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    decide.resolve(true);
    expect(await client.next()).toEqual({ type: 'connection_ack' });
  });

  it('closes with 4408 when connection_init does not come in time', async () => {
    const open = await serve({ schema, connectionInitWaitTimeout: 10 });
    const client = await open();
    expect(await client.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  it('closes with 4401 on subscribe before the ack, 4409 on a duplicate id, 4429 on a second init', async () => {
    const open = await serve({ schema });
    const early = await open();
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ hello }' } });
    expect(await early.closed).toEqual({ code: 4401, reason: 'Unauthorized' });

    const twice = await open();
    await twice.init();
    twice.send({ type: 'connection_init' });
    expect(await twice.closed).toEqual({ code: 4429, reason: 'Too many initialisation requests' });

    const duplicate = await open();
    await duplicate.init();
    duplicate.send({ id: 'd', type: 'subscribe', payload: { query: 'subscription { slow }' } });
    duplicate.send({ id: 'd', type: 'subscribe', payload: { query: 'subscription { slow }' } });
    expect(await duplicate.closed).toEqual({ code: 4409, reason: 'Subscriber for d already exists' });
  });

  it('closes with 4400 "Invalid message received" on a malformed message', async () => {
    const open = await serve({ schema });
    const client = await open();
    client.send('{"type":"nope"}');
    expect(await client.closed).toEqual({ code: 4400, reason: 'Invalid message received' });
  });

  it('lets onNext replace a result and onError map errors', async () => {
    const open = await serve({
      schema,
      onNext: (_ctx, _id, _payload, _args, result) => ({ data: result.data ?? null, extensions: { redacted: true } }),
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => ({ message: `mapped: ${error.message}` })),
    });
    const client = await open();
    await client.init();
    client.send({ id: 'a', type: 'subscribe', payload: { query: '{ hello }' } });
    expect(await client.next()).toEqual({
      id: 'a',
      type: 'next',
      payload: { data: { hello: 'world' }, extensions: { redacted: true } },
    });
    expect(await client.next()).toEqual({ id: 'a', type: 'complete' });
    client.send({ id: 'b', type: 'subscribe', payload: { query: '{ nope }' } });
    expect(await client.next()).toEqual({
      id: 'b',
      type: 'error',
      payload: [{ message: 'mapped: Cannot query field "nope" on type "Query".' }],
    });
  });

  it('runs onComplete when the client completes, and sends no complete back', async () => {
    const completed: string[] = [];
    const open = await serve({ schema: slowSchema(), onComplete: (_ctx, id) => void completed.push(id) });
    const client = await open();
    await client.init();
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { slow }' } });
    expect(await client.next()).toMatchObject({ id: 's', type: 'next' });
    client.send({ id: 's', type: 'complete' });
    expect(await client.drain()).toEqual([]);
    expect(completed).toEqual(['s']);
  });

  it('gives hooks ctx.extra with the socket and the upgrade request; onClose runs for unacknowledged sockets', async () => {
    const seen: { extra?: Extra; closed?: number | undefined; disconnected: number } = { disconnected: 0 };
    const closed = deferred<void>();
    const open = await serve({
      schema,
      onConnect: (ctx) => {
        seen.extra = ctx.extra;
        return false;
      },
      onDisconnect: () => {
        seen.disconnected++;
      },
      onClose: (_ctx: Context, code) => {
        seen.closed = code;
        closed.resolve();
      },
    });
    const client = await open();
    client.send({ type: 'connection_init' });
    expect((await client.closed).code).toBe(4403);
    await closed.promise;
    expect(seen.extra?.request.url).toBe('/graphql');
    expect(typeof seen.extra?.socket.send).toBe('function');
    expect(seen.closed).toBe(4403);
    expect(seen.disconnected).toBe(0);
  });

  it('uses roots, execute returning a stream, and the JSON replacer and reviver', async () => {
    const open = await serve({
      schema,
      roots: { query: { hello: 'from the root' } },
      execute: (args) =>
        (async function* () {
          yield (await execute(args)) as never;
          yield { data: { hello: 'and more' } };
        })(),
      jsonMessageReplacer: (key, value) => (key === 'hello' ? String(value).toUpperCase() : value),
      jsonMessageReviver: (key, value) => (key === 'query' ? '{ hello }' : value),
    });
    const client = await open();
    await client.init();
    client.send({ id: 'r', type: 'subscribe', payload: { query: 'anything: the reviver replaces it' } });
    const messages = await client.until((message) => message.type === 'complete');
    expect(messages.map((message) => message.payload)).toEqual([
      { data: { hello: 'WORLD' } },
      { data: { hello: 'AND MORE' } },
      undefined,
    ]);
  });

  it('returns GraphQLErrors from onSubscribe as an error message, the connection open', async () => {
    const open = await serve({ schema, onSubscribe: () => [new GraphQLError('Nope')] });
    const client = await open();
    await client.init();
    client.send({ id: 'x', type: 'subscribe', payload: { query: '{ hello }' } });
    expect(await client.next()).toEqual({ id: 'x', type: 'error', payload: [{ message: 'Nope' }] });
    expect(await client.drain()).toEqual([]);
  });

  it('serves a @gqlcast/pothos field (pulled through graphql-js, its queue bounded)', async () => {
    const hub = createHub({ layer: memoryLayer() });
    cleanups.push(() => hub.close());
    const news = hub.channel('news', { payload: z.object({ text: z.string() }) });
    const builder = new SchemaBuilder({ plugins: [GqlcastPlugin] });
    builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
    builder.subscriptionType({
      fields: (t) => ({
        news: t.subscriptionField({ type: 'String', channel: news, publish: (payload) => payload.text }),
      }),
    });
    const open = await serve({ schema: builder.toSchema() });
    const client = await open();
    await client.init();
    client.send({ id: 'n', type: 'subscribe', payload: { query: 'subscription { news }' } });
    while (hub.stats().topics === 0) await new Promise((resolve) => setImmediate(resolve));
    await news.broadcast({ payload: { text: 'hello' } });
    expect(await client.next()).toEqual({ id: 'n', type: 'next', payload: { data: { news: 'hello' } } });
  });
});

/** A subscription that yields once, then waits until it is returned (its pending `next` then ends). */
function slowSchema() {
  const builder = new SchemaBuilder({});
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  builder.subscriptionType({
    fields: (t) => ({
      slow: t.string({
        subscribe: () => {
          let first = true;
          let pending: ((result: IteratorResult<string>) => void) | undefined;
          const iterator: AsyncIterableIterator<string> = {
            next: () => {
              if (first) {
                first = false;
                return Promise.resolve({ done: false, value: 'first' });
              }
              return new Promise((resolve) => {
                pending = resolve;
              });
            },
            return: () => {
              pending?.({ done: true, value: undefined });
              return Promise.resolve({ done: true, value: undefined });
            },
            [Symbol.asyncIterator]: () => iterator,
          };
          return iterator;
        },
        resolve: (value: string) => value,
      }),
    }),
  });
  return builder.toSchema();
}
