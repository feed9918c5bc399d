// Hostile input: what peers have shipped vulnerabilities for, each held with a test.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { deferred } from '@gqlcast/core/testing';
import { describe, expect, it } from 'vitest';
import { createGraphqlWsServer } from '../src/index.js';
import { recordingLogger } from './utils/logger.js';
import { frame, rawConnect, text } from './utils/raw-socket.js';
import { createFixture } from './utils/schema.js';
import { startServer } from './utils/test-server.js';

describe('legacy handshake, in one TCP write', () => {
  it('never runs a start that arrives with a refused connection_init', async () => {
    const fixture = createFixture();
    let executed = 0;
    await using server = await startServer(
      {
        onConnect: () => false,
        onOperation: () => {
          executed++;
        },
      },
      fixture,
    );
    const raw = await rawConnect(server.port, 'graphql-ws');
    raw.write(
      text({ type: 'connection_init' }),
      text({ id: '1', type: 'start', payload: { query: 'mutation { setState(key: "k", value: "v") }' } }),
    );
    expect(await raw.closed).toBe(4403);
    expect(raw.messages.map((m) => JSON.parse(m).type)).toEqual(['connection_error']);
    expect(executed).toBe(0);
  });

  it('runs a start that arrives with an accepted connection_init exactly once, after the ack', async () => {
    await using server = await startServer();
    const raw = await rawConnect(server.port, 'graphql-ws');
    raw.write(text({ type: 'connection_init' }), text({ id: '1', type: 'start', payload: { query: '{ hello }' } }));
    while (raw.messages.length < 3) await once(raw.socket, 'data');
    expect(raw.messages.map((m) => JSON.parse(m))).toEqual([
      { type: 'connection_ack' },
      { id: '1', type: 'data', payload: { data: { hello: 'Hello, world!' } } },
      { id: '1', type: 'complete' },
    ]);
    raw.socket.destroy();
  });
});

describe('hostile WebSocket frames', () => {
  const cases: [string, Buffer, number][] = [
    ['reserved bits without an extension', frame(0x1, Buffer.from('{}'), { rsv: 4 }), 1002],
    ['a reserved opcode', frame(0x3, Buffer.from('x')), 1002],
    ['a fragmented control frame', frame(0x9, Buffer.from('ping'), { fin: false }), 1002],
    ['an oversized control frame', frame(0x9, Buffer.alloc(200)), 1002],
    ['invalid UTF-8 in a text frame', frame(0x1, Buffer.from([0xc3, 0x28])), 1007],
    ['a close frame with an invalid code', frame(0x8, Buffer.from([0x03, 0xe7])), 1002],
    ['an unmasked client frame', frame(0x1, Buffer.from('{}'), { mask: false }), 1002],
    ['an absurd length', frame(0x2, Buffer.alloc(0), { length: 2 ** 53 - 1 }), 1009],
    ['a continuation with nothing to continue', frame(0x0, Buffer.from('x')), 1002],
  ];

  it('closes each bad socket with a protocol code, and a control client receives every broadcast throughout', async () => {
    const logger = recordingLogger();
    await using server = await startServer({ logger, confirmSubscriptions: true });
    const control = await server.client('graphql-transport-ws');
    await control.init();
    control.send({
      id: 's',
      type: 'subscribe',
      payload: { query: 'subscription { onMessage(room: "steady") { text } }' },
    });
    await control.next();
    for (const [index, [name, bad, expected]] of cases.entries()) {
      const raw = await rawConnect(server.port, 'graphql-transport-ws');
      raw.write(text({ type: 'connection_init' }), bad);
      expect([name, await raw.closed]).toEqual([name, expected]);
      await server.messages.broadcast({
        group: 'room:steady',
        payload: { room: 'steady', text: `after ${index}`, from: 'x' },
      });
      expect(await control.next()).toEqual({
        id: 's',
        type: 'next',
        payload: { data: { onMessage: { text: `after ${index}` } } },
      });
    }
  });
});

describe('ids and payloads that look like object internals', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('treats id %s as any other id', async (id) => {
    await using server = await startServer({ confirmSubscriptions: true });
    const client = await server.client('graphql-transport-ws');
    await client.init({ __proto__: { polluted: true }, user: 'x' });
    client.send({ id, type: 'subscribe', payload: { query: 'subscription { onMessage(room: "r") { text } }' } });
    expect(await client.next()).toEqual({ id, type: 'next', payload: { data: null } });
    client.send({ id, type: 'subscribe', payload: { query: '{ hello }' } });
    expect(await client.closed).toEqual({ code: 4409, reason: `Subscriber for ${id} already exists` });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets no __proto__ in variables or payloads pollute anything', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send(
      '{"id":"1","type":"subscribe","payload":{"query":"query ($name: String) { hello(name: $name) }","variables":{"name":"x","__proto__":{"polluted":true}},"extensions":{"__proto__":{"polluted":true}}}}',
    );
    expect(await client.next()).toEqual({ id: '1', type: 'next', payload: { data: { hello: 'Hello, x!' } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });
});

describe('close reasons', () => {
  it('cuts a long reason to 123 UTF-8 bytes on a character boundary (a long duplicate id still gets 4409)', async () => {
    // 400 bytes of id: over the default limit of 128 (that one is tested in attacks/), so it is raised here.
    await using server = await startServer({ messageLimits: { operationId: 1_000 } });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const id = 'é'.repeat(200);
    client.send({ id, type: 'subscribe', payload: { query: 'subscription { onMessage { text } }' } });
    client.send({ id, type: 'subscribe', payload: { query: 'subscription { onMessage { text } }' } });
    const closed = await client.closed;
    expect(closed.code).toBe(4409);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(closed.reason.startsWith('Subscriber for éé')).toBe(true);
    expect(closed.reason.endsWith('...')).toBe(true);
    expect(closed.reason).not.toContain('\ufffd');
  });
});

describe('rate, depth, aliases, tokens, introspection', () => {
  it('closes a connection sending faster than messageRate with 1008, and keeps the others', async () => {
    await using server = await startServer({ messageRate: { messages: 50, interval: 60_000 } });
    const flooder = await server.client('graphql-transport-ws');
    const calm = await server.client('graphql-transport-ws');
    await flooder.init();
    await calm.init();
    for (let i = 0; i < 100; i++) flooder.send({ type: 'ping' });
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'Too many messages' });
    expect(await calm.drain()).toEqual([]);
  });

  it('refuses documents over maxDepth, maxAliases and maxTokens, as validation errors', async () => {
    await using server = await startServer({ maxDepth: 3, maxAliases: 2, maxTokens: 40 });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const errorOf = async (id: string, query: string) => {
      client.send({ id, type: 'subscribe', payload: { query } });
      const message = await client.next();
      expect(message.type).toBe('error');
      return (message.payload as { message: string }[])[0]?.message;
    };
    expect(
      await errorOf('depth', 'subscription { onMessage { room text from } } fragment F on Message { room }'),
    ).toMatch(/Fragment "F" is never used/);
    expect(await errorOf('aliases', '{ a: hello b: hello c: hello }')).toBe('The document uses more than 2 aliases.');
    expect(await errorOf('tokens', `{ ${'hello '.repeat(50)} }`)).toMatch(
      /Document contains more th(a|e)[nt] 40 tokens/,
    );
    client.send({ id: 'ok', type: 'subscribe', payload: { query: '{ a: hello b: hello }' } });
    expect((await client.next()).type).toBe('next');
  });

  it('refuses an operation nested deeper than maxDepth, fragments followed', async () => {
    await using server = await startServer({ maxDepth: 1 });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({
      id: 'd',
      type: 'subscribe',
      payload: { query: 'subscription { ...S } fragment S on Subscription { onMessage { text } }' },
    });
    expect(await client.next()).toMatchObject({
      id: 'd',
      type: 'error',
      payload: [{ message: 'The operation is nested 2 levels deep; the limit is 1.' }],
    });
  });

  it('refuses introspection when it is turned off', async () => {
    await using server = await startServer({ introspection: false });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'i', type: 'subscribe', payload: { query: '{ __schema { queryType { name } } }' } });
    expect(JSON.stringify(await client.next())).toContain('GraphQL introspection has been disabled');
  });
});

describe('subscription flood', () => {
  it('never holds more than the cap under 100,000 subscribes; completed, refused and failed ones give slots back', async () => {
    await using server = await startServer({ maxSubscriptionsPerConnection: 10, messageRate: false });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const subscribe = (id: string, query = 'subscription { onMessage(room: "flood") { text } }') =>
      JSON.stringify({ id, type: 'subscribe', payload: { query } });
    for (let i = 0; i < 100_000; i++) client.ws.send(subscribe(`s${i}`));
    let refused = 0;
    await client.until((m) => m.type === 'error' && ++refused === 99_990);
    // Nothing more is pending: the 10 accepted ones are running, silently.
    expect(await client.drain()).toEqual([]);
    // Only 10 ever started: the other 99,990 were refused before their resolver ran.
    expect(server.subscribeCalls()).toBe(10);
    expect(server.hub.stats().subscriptions).toBe(10);

    // Completed ones give their slots back...
    for (let i = 0; i < 10; i++) client.send({ id: `s${i}`, type: 'complete' });
    // ...and so do refused ones (their subscribe() throws) and invalid ones.
    for (let i = 0; i < 20; i++) client.ws.send(subscribe(`refused${i}`, 'subscription { refused }'));
    for (let i = 0; i < 20; i++) client.ws.send(subscribe(`invalid${i}`, 'subscription { nope }'));
    let refusals = 0;
    await client.until((m) => m.type === 'error' && ++refusals === 40);
    for (let i = 0; i < 10; i++) client.ws.send(subscribe(`again${i}`));
    expect((await client.drain()).filter((m) => m.type === 'error')).toEqual([]);
    expect(server.hub.stats().subscriptions).toBe(10);
    expect(server.subscribeCalls()).toBe(20);
  }, 60_000);
});

describe('slow upgrade requests', () => {
  it('are cut off by the HTTP server’s headersTimeout (set it; Node’s default is 60 s)', async () => {
    const { schema, hub } = createFixture();
    const gql = createGraphqlWsServer({ schema, heartbeatInterval: false });
    const http = createServer({ headersTimeout: 200, requestTimeout: 300, connectionsCheckingInterval: 50 });
    gql.attach(http, { path: '/graphql' });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const port = (http.address() as import('node:net').AddressInfo).port;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'); // never finished
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(gql.connectionCount).toBe(0);
    await gql.close();
    await new Promise((resolve) => http.close(resolve));
    await hub.close();
  });
});

describe('limits that cannot be turned against the server', () => {
  it('measures the depth of a fragment chain spreading each fragment twice in linear time', async () => {
    await using server = await startServer({ maxDepth: 5 });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    // f0 spreads f1 twice, f1 spreads f2 twice, ...: 2^30 paths if each spread were walked again.
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 29 ? `fragment f29 on Query { hello }` : `fragment f${i} on Query { ...f${i + 1} ...f${i + 1} }`,
    ).join('\n');
    client.send({ id: 'chain', type: 'subscribe', payload: { query: `{ ...f0 }\n${fragments}` } });
    expect(await client.next()).toMatchObject({
      id: 'chain',
      type: 'next',
      payload: { data: { hello: 'Hello, world!' } },
    });
  });

  it('gives the slot back for a subscription completed while its subscribe() is still starting', async () => {
    const gate = deferred();
    await using server = await startServer(
      { maxSubscriptionsPerConnection: 1, confirmSubscriptions: true },
      createFixture({ confirmationGate: gate.promise }),
    );
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'early', type: 'subscribe', payload: { query: 'subscription { onMessage { text } }' } });
    // Its resolver ran; the layer has not confirmed yet: complete it now.
    while (server.subscribeCalls() < 1) await new Promise((resolve) => setImmediate(resolve));
    client.send({ id: 'early', type: 'complete' });
    await client.drain();
    gate.resolve();
    expect(await server.unsubscribedCount(1)).toEqual([{ room: undefined, reason: 'complete' }]);
    await client.drain();
    client.send({ id: 'kept', type: 'subscribe', payload: { query: 'subscription { onMessage { text } }' } });
    expect(await client.next()).toEqual({ id: 'kept', type: 'next', payload: { data: null } });
  });

  it('refuses a messageRate without messages', () => {
    expect(() =>
      createGraphqlWsServer({ schema: createFixture().schema, messageRate: { interval: 1000 } as never }),
    ).toThrow(/messageRate\.messages must be a whole number/);
  });
});
