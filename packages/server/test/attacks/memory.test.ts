// Issue 15, attacks 2, 3, 4, 7 and 9: what a client can make the server hold. Each bound is
// asserted directly (a refusal with its code, a byte count), never with a timer.
import { once } from 'node:events';
import { deferred } from '@gqlcast/core/testing';
import { describe, expect, it } from 'vitest';
import { ServerErrorCode } from '../../src/index.js';
import { rawConnect, text } from '../utils/raw-socket.js';
import { startServer } from '../utils/test-server.js';

const subscription = 'subscription { onMessage { text } }';

describe('attack 2: very long operation ids', () => {
  it('graphql-transport-ws: closes with 4400 naming the limit, before anything runs', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'x'.repeat(129), type: 'subscribe', payload: { query: subscription } });
    expect(await client.closed).toEqual({ code: 4400, reason: '"subscribe" message\'s "id" is longer than 128 bytes' });
    expect(server.subscribeCalls()).toBe(0);
  });

  it('counts UTF-8 bytes: 43 three-byte characters are over 128', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: '€'.repeat(42), type: 'subscribe', payload: { query: '{ hello }' } });
    expect(await client.next()).toMatchObject({ id: '€'.repeat(42), type: 'next' });
    await client.next();
    client.send({ id: '€'.repeat(43), type: 'subscribe', payload: { query: '{ hello }' } });
    expect((await client.closed).code).toBe(4400);
  });

  it('legacy: answers an error without echoing the id, and keeps serving the connection', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-ws');
    await client.init();
    client.send({ id: 'x'.repeat(10_000), type: 'start', payload: { query: subscription } });
    expect(await client.next()).toEqual({
      id: null,
      type: 'error',
      payload: {
        errors: [
          {
            message: '"start" message\'s "id" is longer than 128 bytes',
            extensions: { code: ServerErrorCode.BadMessage },
          },
        ],
      },
    });
    expect(await client.drain()).toEqual([]);
  });

  it('takes a higher limit from messageLimits.operationId, and limits operation names too', async () => {
    await using server = await startServer({ messageLimits: { operationId: 1_000, operationName: 4 } });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'x'.repeat(1_000), type: 'subscribe', payload: { query: '{ hello }' } });
    expect((await client.next()).type).toBe('next');
    await client.next();
    client.send({
      id: 'n',
      type: 'subscribe',
      payload: { query: 'query LongName { hello }', operationName: 'LongName' },
    });
    expect(await client.closed).toEqual({
      code: 4400,
      reason: '"subscribe" message\'s "payload.operationName" is longer than 4 bytes',
    });
  });
});

describe('attack 4: large pings to a peer that does not read its pongs', () => {
  it('closes with 4400 on a ping over messageLimits.pingPayload; a small one is echoed', async () => {
    await using server = await startServer({ messageLimits: { pingPayload: 200 } });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ type: 'ping', payload: { note: 'x'.repeat(100) } });
    expect(await client.next()).toEqual({ type: 'pong', payload: { note: 'x'.repeat(100) } });
    client.send({ type: 'ping', payload: { note: 'x'.repeat(300) } });
    expect(await client.closed).toEqual({ code: 4400, reason: '"ping" message is longer than 200 bytes' });
  });

  it('refuses a 1 MiB ping at the default limit', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ type: 'ping', payload: { note: 'x'.repeat(1_000_000) } });
    expect((await client.closed).code).toBe(4400);
  });
});

describe('attack 7: subscriptions with large documents or variables', () => {
  it('refuses a subscription past maxRetainedBytesPerConnection, and takes one again once another ended', async () => {
    await using server = await startServer({ maxRetainedBytesPerConnection: 50_000 });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const padding = 'x'.repeat(10_000);
    const subscribe = (id: string) =>
      client.send({ id, type: 'subscribe', payload: { query: subscription, variables: { padding } } });
    for (let i = 0; i < 4; i++) subscribe(`s${i}`);
    expect(await client.drain()).toEqual([]);
    subscribe('s4');
    const refused = await client.next();
    expect(refused).toMatchObject({ id: 's4', type: 'error' });
    expect(refused.payload).toEqual([
      expect.objectContaining({ extensions: { code: ServerErrorCode.ConnectionMemoryExceeded } }),
    ]);
    client.send({ id: 's0', type: 'complete' });
    subscribe('s5');
    // Accepted: nothing comes back for it (no confirmation), and the sentinel answers.
    expect(await client.drain()).toEqual([]);
    await server.unsubscribedCount(1);
  });
});

describe('attack 9: legacy starts before the acknowledgement', () => {
  it('holds at most maxSubscriptionsPerConnection of them while onConnect runs; the rest are refused', async () => {
    const decide = deferred<boolean>();
    let operations = 0;
    await using server = await startServer({
      maxSubscriptionsPerConnection: 5,
      onConnect: () => decide.promise,
      onOperation: () => {
        operations++;
      },
    });
    const raw = await rawConnect(server.port, 'graphql-ws');
    const starts = Array.from({ length: 8 }, (_, i) =>
      text({ id: `q${i}`, type: 'start', payload: { query: '{ hello }' } }),
    );
    raw.write(text({ type: 'connection_init' }), ...starts);
    while (raw.messages.length < 3) await once(raw.socket, 'data');
    const refused = raw.messages.map((m) => JSON.parse(m));
    expect(refused.map((m) => [m.id, m.payload.errors[0].extensions.code])).toEqual([
      ['q5', ServerErrorCode.TooManyHeldOperations],
      ['q6', ServerErrorCode.TooManyHeldOperations],
      ['q7', ServerErrorCode.TooManyHeldOperations],
    ]);
    decide.resolve(true);
    // The ack, then the five held queries' data and complete.
    while (raw.messages.length < 3 + 1 + 10) await once(raw.socket, 'data');
    expect(operations).toBe(5);
    raw.socket.destroy();
  });

  it('counts their bytes in maxRetainedBytesPerConnection', async () => {
    const decide = deferred<boolean>();
    await using server = await startServer({ maxRetainedBytesPerConnection: 1_000, onConnect: () => decide.promise });
    const raw = await rawConnect(server.port, 'graphql-ws');
    const big = { query: '{ hello }', variables: { padding: 'x'.repeat(600) } };
    raw.write(
      text({ type: 'connection_init' }),
      text({ id: 'a', type: 'start', payload: big }),
      text({ id: 'b', type: 'start', payload: big }),
    );
    while (raw.messages.length < 1) await once(raw.socket, 'data');
    const [refused] = raw.messages.map((m) => JSON.parse(m));
    expect(refused).toMatchObject({ id: 'b', type: 'error' });
    expect(refused.payload.errors[0].extensions.code).toBe(ServerErrorCode.ConnectionMemoryExceeded);
    decide.resolve(true);
    raw.socket.destroy();
  });
});

describe('attack 3: many distinct invalid queries', () => {
  it('keeps only their errors: the cache holds kilobytes, not their ASTs, and stays within documentCacheBytes', async () => {
    await using server = await startServer({ documentCacheBytes: 200_000 });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const documents = server.gql.core.documents;
    // ~13 KB each, invalid (an unknown field at the end), distinct.
    const fields = Array.from({ length: 1_300 }, (_, i) => `f${i}: hello`).join(' ');
    for (let i = 0; i < 40; i++) {
      client.send({ id: `q${i}`, type: 'subscribe', payload: { query: `{ ${fields} nope${i} }` } });
      expect((await client.next()).type).toBe('error');
    }
    expect(documents.bytes).toBeLessThanOrEqual(200_000);
    // Each entry: the text (~13 KB) and a few errors, not 130 times the text.
    expect(documents.bytes / documents.entries).toBeLessThan(20_000);
  });

  it('keeps a valid document with slim locations: offsets and the text, not the token list', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const query = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: hello`).join(' ')} }`;
    client.send({ id: 'q', type: 'subscribe', payload: { query } });
    expect((await client.next()).type).toBe('next');
    const prepared = server.gql.core.documents.prepare(server.schema, query, undefined);
    if (!prepared.ok) throw new Error('expected a valid document');
    const loc = prepared.document.loc as unknown as Record<string, unknown>;
    expect(Object.keys(loc).sort()).toEqual(['end', 'endToken', 'source', 'start', 'startToken']);
    expect(loc.startToken).toMatchObject({ prev: null, next: null, kind: '<SOF>' });
    // Errors still point into the query: a field error carries its location.
    const field = prepared.operation.selectionSet.selections[0] as unknown as { loc: Record<string, unknown> };
    expect(field.loc.startToken).toMatchObject({ prev: null, next: null, line: 1 });
  });
});
