// Issue 20, item 2: gqlcast's own onSubscribe (replace the request, or refuse it) and persisted
// documents on top of it, on both subprotocols.
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { persistedDocuments, ServerErrorCode } from '../src/index.js';
import { data, protocolNames, start, words } from './utils/protocols.js';
import type { TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';

function send(client: TestClient, id: string, payload: Record<string, unknown>) {
  client.send({ id, type: words(client).start, payload });
}

describe.each(protocolNames)('onSubscribe (%s)', (protocol) => {
  it('replaces the query, variables or operation name, and the replacement is validated like any query', async () => {
    await using server = await startServer({
      onSubscribe: (_connection, _id, payload) =>
        payload.query === 'greet'
          ? { query: 'query ($name: String) { hello(name: $name) }', variables: { name: 'Ada' } }
          : undefined,
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'a', 'greet');
    expect(await client.next()).toEqual(data(client, 'a', { data: { hello: 'Hello, Ada!' } }));
    await client.next();
    start(client, 'b', '{ hello }');
    expect(await client.next()).toEqual(data(client, 'b', { data: { hello: 'Hello, world!' } }));
  });

  it('refuses with the errors it returns, or with what it throws; the connection stays open', async () => {
    await using server = await startServer({
      onSubscribe: (_connection, id) => {
        if (id === 'listed') return [new GraphQLError('Not today', { extensions: { code: 'MY_CODE' } })];
        if (id === 'thrown') throw new Error('Nope');
        return undefined;
      },
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'listed', '{ hello }');
    const listed = await client.next();
    expect(listed).toMatchObject({ id: 'listed', type: 'error' });
    expect(JSON.stringify(listed.payload)).toContain('"code":"MY_CODE"');
    start(client, 'thrown', '{ hello }');
    const thrown = await client.next();
    expect(thrown).toMatchObject({ id: 'thrown', type: 'error' });
    expect(JSON.stringify(thrown.payload)).toContain(ServerErrorCode.OperationRefused);
    expect(await client.drain()).toEqual([]);
  });
});

describe.each(protocolNames)('persistedDocuments (%s)', (protocol) => {
  const store = new Map([
    ['abc123', '{ hello }'],
    ['sub1', 'subscription { onMessage { text } }'],
  ]);

  it('runs a stored document by its id (Apollo persistedQuery or documentId), refuses an unknown id', async () => {
    await using server = await startServer({
      onSubscribe: persistedDocuments({ find: (id) => store.get(id) }),
    });
    const client = await server.client(protocol);
    await client.init();
    send(client, 'p', { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc123' } } });
    expect(await client.next()).toEqual(data(client, 'p', { data: { hello: 'Hello, world!' } }));
    await client.next();
    send(client, 'd', { query: '', extensions: { documentId: 'abc123' } });
    expect(await client.next()).toEqual(data(client, 'd', { data: { hello: 'Hello, world!' } }));
    await client.next();
    send(client, 'u', { query: '{ hello }', extensions: { documentId: 'unknown' } });
    const refused = await client.next();
    expect(refused).toMatchObject({ id: 'u', type: 'error' });
    expect(JSON.stringify(refused.payload)).toContain(ServerErrorCode.PersistedDocumentNotFound);
    // Without an id and not required: the text runs as sent.
    start(client, 't', '{ hello }');
    expect(await client.next()).toEqual(data(client, 't', { data: { hello: 'Hello, world!' } }));
  });

  it('with required: refuses a text of its own; a stored subscription runs and delivers', async () => {
    const trusted = persistedDocuments({ find: async (id) => store.get(id), required: true });
    await using server = await startServer({
      // The legacy drain sentinel (a `{ hello }` query of its own) is let through.
      onSubscribe: (connection, id, payload) =>
        id.startsWith('sentinel-') ? undefined : trusted(connection, id, payload),
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 't', '{ hello }');
    const refused = await client.next();
    expect(refused).toMatchObject({ id: 't', type: 'error' });
    expect(JSON.stringify(refused.payload)).toContain(ServerErrorCode.PersistedDocumentRequired);
    send(client, 's', { query: '', extensions: { documentId: 'sub1' } });
    expect(await client.drain()).toEqual([]);
    await server.messages.broadcast({ payload: { room: 'r', text: 'stored', from: 'x' } });
    expect(await client.next()).toEqual(data(client, 's', { data: { onMessage: { text: 'stored' } } }));
  });

  it('refuses a find that is not a function', () => {
    expect(() => persistedDocuments({ find: 'x' as never })).toThrow(/find must be a function/);
  });
});

describe.each(protocolNames)('onNext, onError, onComplete (%s)', (protocol) => {
  it('onNext replaces results (queries and notifications, not the confirmation); onError maps errors', async () => {
    await using server = await startServer({
      confirmSubscriptions: true,
      onNext: (_connection, _id, _payload, result) => ({ ...result, extensions: { redacted: true } }),
      onError: (_connection, _id, _payload, errors) => errors.map((error) => ({ ...error, message: 'Hidden' })),
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'q', '{ hello }');
    expect(await client.next()).toEqual(
      data(client, 'q', { data: { hello: 'Hello, world!' }, extensions: { redacted: true } }),
    );
    await client.next();
    start(client, 's', 'subscription { onMessage { text } }');
    expect(await client.next()).toEqual(data(client, 's', { data: null }));
    await server.messages.broadcast({ payload: { room: 'r', text: 'hi', from: 'x' } });
    expect(await client.next()).toEqual(
      data(client, 's', { data: { onMessage: { text: 'hi' } }, extensions: { redacted: true } }),
    );
    start(client, 'r', 'subscription { refused { text } }');
    const refused = await client.next();
    expect(refused).toMatchObject({ id: 'r', type: 'error' });
    expect(JSON.stringify(refused.payload)).toContain('"message":"Hidden"');
  });

  it('onComplete runs once per operation, whatever ended it', async () => {
    const ended: string[] = [];
    await using server = await startServer({ onComplete: (_connection, id) => void ended.push(id) });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'q', '{ hello }');
    await client.next();
    await client.next();
    start(client, 'bad', '{ nope }');
    await client.until((message) => message.id === 'bad' && (message.type === 'error' || message.type === 'complete'));
    start(client, 's', 'subscription { onMessage { text } }');
    expect(await client.drain()).toEqual([]);
    client.send({ id: 's', type: words(client).stop });
    await server.unsubscribedCount(1);
    expect(await client.drain()).toEqual(words(client).legacy ? [{ id: 's', type: 'complete' }] : []);
    expect(ended.filter((id) => !id.startsWith('sentinel-'))).toEqual(['q', 'bad', 's']);
  });
});
