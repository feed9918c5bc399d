// `schema` as a function (issue 20): each operation runs against the schema the function chooses
// (multi-tenant servers). Tenants never share a cached document, a validation result, an execution
// or a serialized result; a function that fails refuses only that operation.
import { createHub, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import type { GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Connection, ServerOptions } from '../src/index.js';
import { type ProtocolName, protocolNames, protocols } from './utils/protocols.js';
import type { Message, TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';
import { watchedLayer } from './utils/watched-layer.js';

/** Two tenants' schemas over one hub: the same names, different answers; only `b` has `onlyInB`. */
function tenants() {
  const { layer } = watchedLayer();
  const hub = createHub({ layer, logger: silentLogger });
  const news = hub.channel('news', { payload: z.object({ text: z.string(), shout: z.string() }) });
  const build = (tenant: 'a' | 'b') => {
    const builder = new SchemaBuilder<{ Context: object }>({ plugins: [GqlcastPlugin] });
    builder.queryType({
      fields: (t) => ({
        hello: t.string({ resolve: () => `hello from ${tenant}` }),
        ...(tenant === 'b' ? { onlyInB: t.string({ resolve: () => 'b only' }) } : {}),
      }),
    });
    // Both context-free (a property; a resolver declared context-free): within one schema, automatic
    // sharing would give both the same result for the same payload.
    const News = builder.objectRef<{ text: string; shout: string }>('News').implement({
      fields: (t) => ({
        text:
          tenant === 'a'
            ? t.exposeString('text')
            : t.string({ resolve: (news) => news.shout, extensions: { gqlcastContextFree: true } }),
      }),
    });
    builder.subscriptionType({ fields: (t) => ({ news: t.subscriptionField({ type: News, channel: news }) }) });
    return builder.toSchema();
  };
  return { hub, news, schemas: { a: build('a'), b: build('b') } };
}

async function serve(schema: ServerOptions['schema'], fixture = tenants(), options: Partial<ServerOptions> = {}) {
  const server = await startServer({ ...options, schema }, { ...fixture, schema: fixture.schemas.a });
  return { ...server, news: fixture.news };
}

/** The tenant a client named in its connectionParams. */
const byTenant = (schemas: Record<string, GraphQLSchema>) => (connection: Connection) =>
  schemas[String(connection.connectionParams?.tenant)] as GraphQLSchema;

function send(client: TestClient, id: string, query: string) {
  client.send({ id, type: protocols[client.protocol as ProtocolName].start, payload: { query } });
}

const codeOf = (message: Message) => JSON.stringify(message.payload).match(/GQLCAST_[A-Z_]+/)?.[0];

describe.each(protocolNames)('schema per operation (%s)', (protocol) => {
  it("runs each tenant's operations on its own schema; the same text validates per schema", async () => {
    const fixture = tenants();
    await using server = await serve(byTenant(fixture.schemas), fixture);
    const a = await server.client(protocol);
    const b = await server.client(protocol);
    await a.init({ tenant: 'a' });
    await b.init({ tenant: 'b' });
    send(b, '1', '{ hello onlyInB }');
    expect((await b.next()).payload).toEqual({ data: { hello: 'hello from b', onlyInB: 'b only' } });
    // The very text b ran (and the cache keeps) is not valid for a.
    send(a, '1', '{ hello onlyInB }');
    const refused = await a.next();
    expect(JSON.stringify(refused.payload)).toContain('Cannot query field \\"onlyInB\\" on type \\"Query\\"');
    send(a, '2', '{ hello }');
    expect((await a.until((m) => m.id === '2' && m.type !== 'complete')).at(-1)?.payload).toEqual({
      data: { hello: 'hello from a' },
    });
  });

  it('never shares a notification between tenants: one broadcast, each its own result', async () => {
    const fixture = tenants();
    await using server = await serve(byTenant(fixture.schemas), fixture, { confirmSubscriptions: true });
    const clients = { a: await server.client(protocol), b: await server.client(protocol) };
    for (const [tenant, client] of Object.entries(clients)) {
      await client.init({ tenant });
      // The same document and variables on both: automatic sharing would share them within one schema.
      send(client, 's', 'subscription { news { text } }');
    }
    // The confirmations: each subscription is active.
    expect((await clients.a.next()).payload).toEqual({ data: null });
    expect((await clients.b.next()).payload).toEqual({ data: null });
    await server.news.broadcast({ payload: { text: 'hi', shout: 'HI' } });
    expect((await clients.a.next()).payload).toEqual({ data: { news: { text: 'hi' } } });
    expect((await clients.b.next()).payload).toEqual({ data: { news: { text: 'HI' } } });
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('tenant lookup failed');
      },
    ],
    ['rejects', () => Promise.reject(new Error('tenant lookup failed'))],
    ['returns something else', () => ({ not: 'a schema' }) as never],
  ])('refuses only that operation with GQLCAST_SCHEMA_UNAVAILABLE when the function %s', async (_how, choose) => {
    const fixture = tenants();
    const logs: string[] = [];
    let calls = 0;
    await using server = await serve(
      (connection: Connection) => (++calls === 1 ? choose() : byTenant(fixture.schemas)(connection)),
      fixture,
      { logger: { ...silentLogger, warn: (message: string) => logs.push(message) } as never },
    );
    const client = await server.client(protocol);
    await client.init({ tenant: 'a' });
    send(client, '1', '{ hello }');
    const refusal = await client.next();
    expect(refusal.type).toBe('error');
    expect(codeOf(refusal)).toBe('GQLCAST_SCHEMA_UNAVAILABLE');
    // The cause is logged for the operator, not sent to the client.
    expect(JSON.stringify(refusal.payload)).not.toContain('tenant lookup');
    expect(logs.some((line) => line.startsWith('No schema for operation 1'))).toBe(true);
    // The connection goes on.
    send(client, '2', '{ hello }');
    expect((await client.until((m) => m.id === '2' && m.type !== 'complete')).at(-1)?.payload).toEqual({
      data: { hello: 'hello from a' },
    });
  });
});
