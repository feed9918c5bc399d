import { once } from 'node:events';
import { GraphQLError, type ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGraphqlWsServer, type Middleware } from '../src/index.js';
import { recordingLogger } from './utils/logger.js';
import { data, protocolNames, start } from './utils/protocols.js';
import { createFixture } from './utils/schema.js';
import { startServer } from './utils/test-server.js';

describe.each(protocolNames)('options (%s)', (protocol) => {
  it('runs middleware around resolvers, the last listed outermost, and skips introspection', async () => {
    const calls: string[] = [];
    const tag =
      (name: string): Middleware =>
      async (next, root, args, context, info) => {
        calls.push(`${name}>${info.fieldName}`);
        const value = await next(root, args, context, info);
        calls.push(`${name}<${info.fieldName}`);
        return typeof value === 'string' ? `${value} [${name}]` : value;
      };
    await using server = await startServer({ middleware: [tag('inner'), tag('outer')] });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'q', '{ hello }');
    expect(await client.next()).toEqual(data(client, 'q', { data: { hello: 'Hello, world! [inner] [outer]' } }));
    expect(calls).toEqual(['outer>hello', 'inner>hello', 'inner<hello', 'outer<hello']);
    expect(await client.next()).toEqual({ id: 'q', type: 'complete' });
    calls.length = 0;
    start(client, 'i', 'query IntrospectionQuery { __schema { queryType { name } } }');
    expect(await client.next()).toEqual(data(client, 'i', { data: { __schema: { queryType: { name: 'Query' } } } }));
    expect(calls).toEqual([]);
  });

  it('applies middleware to each notification, around publish', async () => {
    const calls: string[] = [];
    const spy: Middleware = (next, root, args, context, info) => {
      calls.push(`${info.parentType.name}.${info.fieldName}`);
      return next(root, args, context, info);
    };
    await using server = await startServer({ middleware: [spy], confirmSubscriptions: true });
    const client = await server.client(protocol);
    await client.init();
    start(client, 's', 'subscription { onMessage { text } }');
    await client.next();
    expect(calls).toEqual([]);
    await server.messages.broadcast({ payload: { room: 'r', text: 'hi', from: 'x' } });
    expect(await client.next()).toEqual(data(client, 's', { data: { onMessage: { text: 'hi' } } }));
    // Issue 16: middleware wraps `publish` (it stands for the subscription field's resolver, which is
    // not wrapped again), then the fields' resolvers: once per field, as the Python library.
    expect(calls).toEqual(['Subscription.onMessage', 'Message.text']);
  });

  it('shapes every error with formatError', async () => {
    await using server = await startServer({
      formatError: (error) => ({ message: `[masked] ${error.message}`, extensions: { code: 'E' } }),
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'f', '{ fails }');
    expect((await client.next()).payload).toEqual({
      data: { fails: null },
      errors: [{ message: '[masked] This field always fails.', extensions: { code: 'E' } }],
    });
  });

  it('runs validationRules after the specified ones, and validates each distinct query once', async () => {
    let runs = 0;
    const noHello: ValidationRule = (context) => {
      runs++;
      return {
        Field(node) {
          if (node.name.value === 'hello')
            context.reportError(new GraphQLError('hello is not allowed here.', { nodes: node }));
        },
      };
    };
    await using server = await startServer({ validationRules: [noHello] });
    const client = await server.client(protocol);
    await client.init();
    for (const id of ['a', 'b', 'c']) {
      start(client, id, '{ hello }');
      expect(JSON.stringify(await client.next())).toContain('hello is not allowed here.');
      await client.drain();
    }
    start(client, 'd', '{ stateValue(key: "x") }');
    expect(await client.next()).toEqual(data(client, 'd', { data: { stateValue: null } }));
    expect(runs).toBe(2);
  });

  it('keeps only documentCacheSize documents, least recently used out first', async () => {
    let runs = 0;
    const counting: ValidationRule = () => {
      runs++;
      return {};
    };
    await using server = await startServer({ validationRules: [counting], documentCacheSize: 1 });
    const client = await server.client(protocol);
    await client.init();
    for (const [id, query] of [
      ['a', '{ hello }'],
      ['b', '{ hello }'],
      ['c', '{ stateValue(key: "x") }'],
      ['d', '{ hello }'],
    ]) {
      start(client, id as string, query as string);
      await client.until((m) => m.type === 'complete' && m.id === id);
    }
    // a: validated; b: cached; c: validated, evicting a's; d: validated again.
    expect(runs).toBe(3);
  });

  it('warns about queries slower than slowOperationWarning, naming them', async () => {
    const logger = recordingLogger();
    await using server = await startServer({ slowOperationWarning: 1, logger });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'slow', 'query Waiting { waitFor(key: "slow") }');
    // Hold the resolver across a few turns of the event loop: certainly more than 1 ms.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    server.openGate('slow');
    await client.until((m) => m.type === 'complete');
    const warning = logger.lines.find((line) => line.level === 'warn');
    expect(warning?.message).toMatch(/^Slow operation Waiting \(id slow\) took \d+ ms\.$/);
    expect(warning?.details).toMatchObject({ operationId: 'slow', operationName: 'Waiting' });
  });

  it('ends every subscription and closes with 1012 (Service Restart) on close(), without complete frames, reason shutdown', async () => {
    const disconnects: number[] = [];
    await using server = await startServer({
      confirmSubscriptions: true,
      onDisconnect: (_connection, code) => {
        disconnects.push(code);
      },
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'a', 'subscription { onMessage(room: "a") { text } }');
    start(client, 'b', 'subscription { onMessage(room: "b") { text } }');
    await client.next();
    await client.next();
    await server.gql.close();
    expect(await client.closed).toEqual({ code: 1012, reason: 'Server is shutting down' });
    // No `complete` arrived: the client is to reconnect and subscribe again.
    await expect(client.next()).rejects.toThrow('closed while waiting for a message');
    expect(server.unsubscribed.map((call) => call.reason)).toEqual(['shutdown', 'shutdown']);
    expect(disconnects).toEqual([1012]);
    expect(server.gql.connectionCount).toBe(0);
  });
});

describe('defaults', () => {
  it('sends no keep-alive and warns about no fast query by default', async () => {
    const logger = recordingLogger();
    await using server = await startServer({ logger });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'q', type: 'subscribe', payload: { query: '{ hello }' } });
    await client.until((m) => m.type === 'complete');
    expect(await client.drain()).toEqual([]);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});

describe('dead peers', () => {
  it('terminates a connection that stops answering WebSocket pings', async () => {
    await using server = await startServer({ heartbeatInterval: 10, confirmSubscriptions: true });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    start(client, 's', 'subscription { onMessage { text } }');
    await client.next();
    // The peer vanishes without a close frame: it reads nothing more, so it answers no ping.
    const raw = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    expect(await server.unsubscribedCount(1)).toEqual([{ room: undefined, reason: 'disconnect' }]);
    // Reading again, the client finds the connection gone without a close frame.
    raw.resume();
    expect((await client.closed).code).toBe(1006);
  });

  it('keeps a connection whose peer answers', async () => {
    // Each ping must be answered before the next tick: 200 ms leaves a busy machine time to
    // answer (at 5 ms, a loaded 2-core machine missed a tick and the peer was terminated).
    await using server = await startServer({ heartbeatInterval: 200 });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    for (let round = 0; round < 3; round++) await once(client.ws, 'ping');
    expect(await client.drain()).toEqual([]);
  });
});

describe('misuse', () => {
  it('refuses options that make no sense with a TypeError naming them', () => {
    expect(() => createGraphqlWsServer({ schema: {} as never })).toThrow(/`schema` must be a GraphQLSchema/);
    const { schema } = createFixture();
    expect(() => createGraphqlWsServer({ schema, keepAlive: -5 })).toThrow(
      /keepAlive must be a number of milliseconds/,
    );
    expect(() => createGraphqlWsServer({ schema, maxSubscriptionsPerConnection: 0 })).toThrow(
      /maxSubscriptionsPerConnection must be a whole number/,
    );
    expect(() => createGraphqlWsServer({ schema, middleware: ['x' as never] })).toThrow(
      /middleware must be an array of functions/,
    );
    expect(() => createGraphqlWsServer({ schema, onConnect: 'yes' as never })).toThrow(/onConnect must be a function/);
  });

  it('refuses the limits of issue 15 when they make no sense, naming each', () => {
    const { schema } = createFixture();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ costLimit: { maxCost: 0 } }, /costLimit.maxCost must be a whole number/],
      [{ costLimit: { listFactor: 1.5 } }, /costLimit.listFactor must be a whole number/],
      [{ costLimit: 'high' }, /costLimit must be/],
      [{ messageLimits: { operationId: -1 } }, /messageLimits.operationId must be a whole number/],
      [{ messageLimits: { operationName: 0 } }, /messageLimits.operationName must be a whole number/],
      [{ messageLimits: { pingPayload: 'big' } }, /messageLimits.pingPayload must be a whole number/],
      [{ maxRetainedBytesPerConnection: 0 }, /maxRetainedBytesPerConnection must be a whole number/],
      [{ documentCacheBytes: -1 }, /documentCacheBytes must be a whole number/],
      [{ closeTimeout: -1 }, /closeTimeout must be a number of milliseconds/],
      [{ maxConnectionsPerAddress: 0.5 }, /maxConnectionsPerAddress must be a whole number/],
      [{ clientAddress: 'x-real-ip' }, /clientAddress must be a function/],
      [{ introspection: 'no' }, /introspection must be true or false/],
      [{ fieldSuggestions: 1 }, /fieldSuggestions must be true or false/],
      [{ validationBudget: { milliseconds: 0, interval: 1 } }, /validationBudget.milliseconds must be a number > 0/],
      [{ validationBudget: { milliseconds: 1, interval: -1 } }, /validationBudget.interval must be/],
    ];
    for (const [options, message] of cases) {
      expect(() => createGraphqlWsServer({ schema, ...options } as never)).toThrow(message);
    }
  });
});

describe('slow readers', () => {
  it('stops pulling notifications for a socket over sendHighWaterMark, so the bounded queue drops the oldest', async () => {
    const logger = recordingLogger();
    await using server = await startServer(
      { sendHighWaterMark: 16_384, confirmSubscriptions: true, logger },
      createFixture({ queueLimit: 10, logger }),
    );
    const slow = await server.client('graphql-transport-ws');
    const fast = await server.client('graphql-transport-ws');
    await slow.init();
    await fast.init();
    slow.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { onMessage { text } }' } });
    fast.send({ id: 'f', type: 'subscribe', payload: { query: 'subscription { onMessage(room: "other") { text } }' } });
    await slow.next();
    await fast.next();
    // The slow client stops reading: its kernel buffers fill, then the server's send buffer.
    const raw = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    const text = 'x'.repeat(8_192);
    for (let i = 0; i < 3_000; i++)
      await server.messages.broadcast({ payload: { room: 'all', text: `${i} ${text}`, from: 'x' } });
    expect(server.hub.stats().dropped).toBeGreaterThan(0);
    // Everyone else is still served at once.
    await server.messages.broadcast({
      group: 'room:other',
      payload: { room: 'other', text: 'for the fast one', from: 'x' },
    });
    const fastSeen = await fast.until((m) => JSON.stringify(m).includes('for the fast one'));
    expect(fastSeen.length).toBeGreaterThan(0);
    // When the slow one reads again, it gets what is left, ending with the latest broadcast.
    raw.resume();
    const seen = await slow.until((m) => JSON.stringify(m).includes('"2999 '));
    expect(seen.length).toBeLessThan(3_000);
    expect(logger.lines.some((line) => line.level === 'warn' && /is behind: dropped/.test(line.message))).toBe(true);
  });
});
