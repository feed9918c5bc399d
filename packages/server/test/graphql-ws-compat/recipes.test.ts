// Issue 20, item 4: graphql-ws's own server recipes (its website's recipes.mdx), unmodified but for
// the import line and the port, against the real graphql-ws client.

import { useServer } from '@gqlcast/server/graphql-ws';
import { type ExecutionArgs, GraphQLError, getOperationAST, parse, validate } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { client, closeOf, collect, schema, wsServer } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(options: Parameters<typeof useServer>[0]) {
  const { server, url } = await wsServer();
  const disposable = useServer(options, server);
  cleanups.push(() => disposable.dispose());
  return url;
}

describe("graphql-ws's server recipes, served by gqlcast", () => {
  it('ws server usage (get started): a query and a subscription', async () => {
    const url = await serve({ schema });
    const c = client(url);
    cleanups.push(async () => c.dispose());
    expect(await collect(c, { query: '{ hello }' })).toEqual([{ data: { hello: 'world' } }]);
    expect(await collect(c, { query: 'subscription { greetings }' })).toEqual(
      ['Hi', 'Bonjour', 'Hola', 'Ciao', 'Zdravo'].map((greetings) => ({ data: { greetings } })),
    );
  });

  it('ws server usage with console logging: every hook runs, in order', async () => {
    const calls: string[] = [];
    const url = await serve({
      schema,
      onConnect: (ctx) => {
        calls.push(`Connect ${ctx.connectionInitReceived}`);
      },
      onSubscribe: (_ctx, id, payload) => {
        calls.push(`Subscribe ${id} ${payload.query}`);
      },
      onNext: (_ctx, id, _subscribePayload, _args, result) => {
        calls.push(`Next ${id} ${JSON.stringify(result)}`);
      },
      onError: (_ctx, id, _subscribePayload, errors) => {
        calls.push(`Error ${id} ${errors[0]?.message}`);
      },
      onComplete: (_ctx, id) => {
        calls.push(`Complete ${id}`);
      },
    });
    const c = client(url, { generateID: () => 'q1', lazy: false });
    cleanups.push(async () => c.dispose());
    await collect(c, { query: '{ hello }' });
    await expect(collect(c, { query: '{ nope }' })).rejects.toBeDefined();
    expect(calls).toEqual([
      'Connect true',
      'Subscribe q1 { hello }',
      'Next q1 {"data":{"hello":"world"}}',
      'Complete q1',
      'Subscribe q1 { nope }',
      'Error q1 Cannot query field "nope" on type "Query".',
    ]);
  });

  it('ws server usage with custom context value', async () => {
    const getDynamicContext = (ctx: { connectionParams?: Readonly<Record<string, unknown>> | null | undefined }) => ({
      user: String(ctx.connectionParams?.user),
    });
    const url = await serve({
      context: (ctx, _id, _subscribePayload, _args) => {
        return getDynamicContext(ctx);
      },
      schema,
    });
    const c = client(url, { connectionParams: { user: 'ada' } });
    cleanups.push(async () => c.dispose());
    expect(await collect(c, { query: '{ whoami }' })).toEqual([{ data: { whoami: 'ada' } }]);
  });

  it('ws server usage with dynamic schema; a throwing schema function closes with its message', async () => {
    const url = await serve({
      schema: async (ctx) => {
        if (ctx.connectionParams?.admin === false) throw new Error('Not an admin');
        return schema;
      },
    });
    const c = client(url, { connectionParams: { admin: true } });
    cleanups.push(async () => c.dispose());
    expect(await collect(c, { query: '{ hello }' })).toEqual([{ data: { hello: 'world' } }]);
    expect(await closeOf(url, { connectionParams: { admin: false } })).toMatchObject({
      code: 4500,
      reason: 'Not an admin',
    });
  });

  it('ws server usage with custom validation', async () => {
    const noHello = (context: { reportError(error: GraphQLError): void }) => ({
      Field(node: { name: { value: string } }) {
        if (node.name.value === 'hello') context.reportError(new GraphQLError('No hello here'));
      },
    });
    const url = await serve({
      schema,
      validate: (schema, document) => validate(schema, document, [noHello as never]),
    });
    const c = client(url);
    cleanups.push(async () => c.dispose());
    await expect(collect(c, { query: '{ hello }' })).rejects.toEqual([
      expect.objectContaining({ message: 'No hello here' }),
    ]);
  });

  it('ws server usage accepting only subscription operations', async () => {
    const url = await serve({
      onSubscribe: (_ctx, _id, payload) => {
        const args = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
        };
        const operationAST = getOperationAST(args.document, args.operationName);
        if (!operationAST) return [new GraphQLError('Unable to identify operation')];
        if (operationAST.operation !== 'subscription') {
          return [new GraphQLError('Only subscription operations are supported')];
        }
        const errors = validate(args.schema, args.document);
        if (errors.length > 0) return errors;
        return args;
      },
    });
    const c = client(url);
    cleanups.push(async () => c.dispose());
    await expect(collect(c, { query: '{ hello }' })).rejects.toEqual([
      expect.objectContaining({ message: 'Only subscription operations are supported' }),
    ]);
    expect(await collect(c, { query: 'subscription { greetings }' })).toHaveLength(5);
  });

  it('ws server and client usage with persisted queries', async () => {
    const queriesStore: Record<string, ExecutionArgs> = {
      iWantTheGreetings: { schema, document: parse('subscription Greetings { greetings }') },
    };
    const url = await serve({
      onSubscribe: (_ctx, _id, payload) => {
        const persistedQuery = queriesStore[String(payload.extensions?.persistedQuery)];
        if (persistedQuery) {
          return { ...persistedQuery, variableValues: payload.variables };
        }
        throw new Error('404: Query Not Found');
      },
    });
    const c = client(url);
    cleanups.push(async () => c.dispose());
    const results = await collect(c, { query: '', extensions: { persistedQuery: 'iWantTheGreetings' } });
    expect(results[0]).toEqual({ data: { greetings: 'Hi' } });
    // An unknown id: the hook throws, and graphql-ws closes the socket with 4500 and the message.
    const refused = new Promise((resolve) => {
      const other = client(url, { on: { closed: resolve } });
      cleanups.push(async () => other.dispose());
      other.subscribe({ query: '', extensions: { persistedQuery: 'nope' } }, { next() {}, error() {}, complete() {} });
    });
    expect(await refused).toMatchObject({ code: 4500, reason: '404: Query Not Found' });
  });

  it('server and client auth usage: onConnect refusing closes with 4403 Forbidden', async () => {
    const url = await serve({
      schema,
      onConnect: async (ctx) => {
        if (ctx.connectionParams?.token !== 'valid') return false;
        return { welcome: true };
      },
    });
    expect(await closeOf(url, { connectionParams: { token: 'expired' } })).toMatchObject({
      code: 4403,
      reason: 'Forbidden',
    });
    let ack: unknown;
    const c = client(url, {
      connectionParams: { token: 'valid' },
      on: { connected: (_socket, payload) => (ack = payload) },
    });
    cleanups.push(async () => c.dispose());
    expect(await collect(c, { query: '{ hello }' })).toEqual([{ data: { hello: 'world' } }]);
    expect(ack).toEqual({ welcome: true });
  });
});
