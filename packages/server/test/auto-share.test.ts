// Issue 17: identical subscribers share one execution without `share`, only where that is provably
// safe. A custom scalar counts executions (its `serialize` runs once per execution); every
// subscriber is checked for its own correct bytes.
import { createHub, memoryLayer } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder, { BasePlugin, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { execute as graphqlExecute } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DefaultContext, ExecuteFunction, Middleware } from '../src/index.js';
import type { TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      wrapsEveryResolver: WrapsEveryResolver<Types>;
    }
  }
}

/** A Pothos plugin that wraps every resolver, as scope-auth or tracing plugins do. */
class WrapsEveryResolver<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: GraphQLFieldResolver<unknown, Types['Context'], object>) {
    return (parent: unknown, args: object, context: Types['Context'], info: Parameters<typeof resolver>[3]) =>
      resolver(parent, args, context, info);
  }
}
SchemaBuilder.registerPlugin('wrapsEveryResolver', WrapsEveryResolver);

function fixture(options: { wrapper?: boolean } = {}) {
  const hub = createHub({ layer: memoryLayer() });
  const news = hub.channel('news', { payload: z.object({ text: z.string(), n: z.number() }) });
  let executions = 0;
  const builder = new SchemaBuilder<{
    Context: DefaultContext;
    Scalars: { Counted: { Input: number; Output: number } };
  }>({ plugins: options.wrapper === true ? [GqlcastPlugin, 'wrapsEveryResolver'] : [GqlcastPlugin] });
  builder.scalarType('Counted', {
    serialize: (value) => {
      executions++;
      return value as number;
    },
    parseValue: (value) => Number(value),
  });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hello' }) }) });
  type Note = { text: string; n: number };
  const Note = builder.objectRef<Note>('Note');
  Note.implement({
    fields: (t) => ({
      text: t.exposeString('text'),
      n: t.expose('n', { type: 'Counted' }),
      viewer: t.string({ resolve: (_note, _args, ctx) => ctx.connection.id }),
    }),
  });
  const Item = builder.interfaceRef<Note>('Item');
  Item.implement({ resolveType: () => 'ItemNote', fields: (t) => ({ n: t.expose('n', { type: 'Counted' }) }) });
  const ItemNote = builder.objectRef<Note>('ItemNote');
  ItemNote.implement({ interfaces: [Item], fields: (t) => ({ text: t.exposeString('text') }) });
  builder.subscriptionType({
    fields: (t) => ({
      plain: t.subscriptionField({ type: Note, channel: news, subscribe: () => 'all' }),
      same: t.subscriptionField({ type: Note, channel: news, subscribe: () => 'all', publish: (payload) => payload }),
      fresh: t.subscriptionField({
        type: Note,
        channel: news,
        subscribe: () => 'all',
        publish: (payload) => ({ ...payload }),
      }),
      item: t.subscriptionField({ type: Item, channel: news, subscribe: () => 'all' }),
    }),
  });
  return { hub, news, schema: builder.toSchema(), executions: () => executions };
}

type Fixture = ReturnType<typeof fixture>;

/** `count` subscribers of `query`, each on its own connection, subscribed once all are confirmed. */
async function subscribers(
  server: Awaited<ReturnType<typeof startServer>>,
  count: number,
  query: string | ((i: number) => { query: string; variables?: Record<string, unknown> }),
): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const payload = typeof query === 'string' ? { query } : query(i);
    client.send({ id: 's', type: 'subscribe', payload });
    expect(await client.next()).toMatchObject({ type: 'next', payload: { data: null } });
    clients.push(client);
  }
  return clients;
}

async function broadcastAndRead(f: Fixture, clients: TestClient[], n: number) {
  const before = f.executions();
  await f.news.broadcast({ group: 'all', payload: { text: `t${n}`, n } });
  const payloads = [];
  for (const client of clients) payloads.push((await client.next()).payload);
  return { executions: f.executions() - before, payloads };
}

async function serve(
  f: Fixture,
  options: { middleware?: Middleware[]; execute?: ExecuteFunction; autoShare?: boolean } = {},
) {
  return startServer({ schema: f.schema, confirmSubscriptions: true, ...options });
}

describe('automatic sharing', () => {
  it.each([
    ['without publish', 'subscription { plain { text n } }', 'plain'],
    ['with a publish returning the payload itself', 'subscription { same { text n } }', 'same'],
  ])('shares one execution per broadcast %s', async (_name, query, field) => {
    const f = fixture();
    await using server = await serve(f);
    const clients = await subscribers(server, 5, query);
    for (let n = 1; n <= 3; n++) {
      const { executions, payloads } = await broadcastAndRead(f, clients, n);
      expect(executions).toBe(1);
      for (const payload of payloads) expect(payload).toEqual({ data: { [field]: { text: `t${n}`, n } } });
    }
  });

  it.each([
    ['a publish returning a new object per subscriber', 'subscription { fresh { text n } }'],
    ['a resolver reading the context', 'subscription { plain { n viewer } }'],
    ['an interface under the field', 'subscription { item { n } }'],
  ])('runs per subscriber with %s', async (_name, query) => {
    const f = fixture();
    await using server = await serve(f);
    const clients = await subscribers(server, 4, query);
    const { executions, payloads } = await broadcastAndRead(f, clients, 7);
    expect(executions).toBe(4);
    for (const payload of payloads) expect(JSON.stringify(payload)).toContain('"n":7');
  });

  it('gives each subscriber its own bytes where the context is read', async () => {
    const f = fixture();
    await using server = await serve(f);
    const clients = await subscribers(server, 3, 'subscription { plain { viewer } }');
    const { payloads } = await broadcastAndRead(f, clients, 1);
    const viewers = payloads.map((payload) => (payload as { data: { plain: { viewer: string } } }).data.plain.viewer);
    // Each subscriber's own connection id: had they shared, all three would be the first one's.
    expect(new Set(viewers).size).toBe(3);
  });

  it('runs per subscriber under a Pothos plugin that wraps resolvers', async () => {
    const f = fixture({ wrapper: true });
    await using server = await serve(f);
    const clients = await subscribers(server, 3, 'subscription { plain { text n } }');
    expect((await broadcastAndRead(f, clients, 1)).executions).toBe(3);
  });

  it('runs per subscriber with the server middleware', async () => {
    const f = fixture();
    await using server = await serve(f, { middleware: [(next, ...args) => next(...args)] });
    const clients = await subscribers(server, 3, 'subscription { plain { text n } }');
    expect((await broadcastAndRead(f, clients, 1)).executions).toBe(3);
  });

  it('runs per subscriber with a custom execute, unless autoShare declares it context-free', async () => {
    const f = fixture();
    const custom: ExecuteFunction = (args) => graphqlExecute(args);
    {
      await using server = await serve(f, { execute: custom });
      const clients = await subscribers(server, 3, 'subscription { plain { text n } }');
      expect((await broadcastAndRead(f, clients, 1)).executions).toBe(3);
    }
    {
      await using server = await serve(f, { execute: custom, autoShare: true });
      const clients = await subscribers(server, 3, 'subscription { plain { text n } }');
      expect((await broadcastAndRead(f, clients, 2)).executions).toBe(1);
    }
    {
      await using server = await serve(f, { autoShare: false });
      const clients = await subscribers(server, 3, 'subscription { plain { text n } }');
      expect((await broadcastAndRead(f, clients, 3)).executions).toBe(3);
    }
  });

  it('holds one copy of each sharing key while its subscribers stay, and none once they left', async () => {
    const f = fixture();
    await using server = await serve(f);
    const executions = server.gql.core.executions;
    const clients = await subscribers(server, 3, 'subscription { plain { text n } }');
    const other = await subscribers(server, 2, 'subscription { plain { n } }');
    expect(executions.autoKeysHeld).toBe(2);
    for (const client of [...clients, ...other]) {
      client.send({ id: 's', type: 'complete' });
      // The complete was handled once the ping sent after it is answered.
      await client.drain();
    }
    expect(executions.autoKeysHeld).toBe(0);
  });

  it('shares only between equal documents, operation names and variables', async () => {
    const f = fixture();
    await using server = await serve(f);
    const documents = [
      { query: 'subscription { plain { text n } }' },
      { query: 'subscription { plain { n text } }' },
      { query: 'subscription A { plain { n } }' },
      { query: 'subscription ($t: Boolean!) { plain { n text @include(if: $t) } }', variables: { t: true } },
      { query: 'subscription ($t: Boolean!) { plain { n text @include(if: $t) } }', variables: { t: false } },
      { query: 'subscription ($t: Boolean!) { plain { n text @include(if: $t) } }', variables: { t: false } },
    ];
    const clients = await subscribers(server, documents.length, (i) => documents[i] as { query: string });
    const { executions, payloads } = await broadcastAndRead(f, clients, 3);
    // Five distinct (document, variables) pairs: the last two share.
    expect(executions).toBe(5);
    expect(payloads).toEqual([
      { data: { plain: { text: 't3', n: 3 } } },
      { data: { plain: { n: 3, text: 't3' } } },
      { data: { plain: { n: 3 } } },
      { data: { plain: { n: 3, text: 't3' } } },
      { data: { plain: { n: 3 } } },
      { data: { plain: { n: 3 } } },
    ]);
  });
});
