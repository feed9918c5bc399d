import { deferred } from '@gqlcast/core/testing';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from './utils/logger.js';
import { data, protocolNames, start, stop, words } from './utils/protocols.js';
import { createFixture } from './utils/schema.js';
import { startServer } from './utils/test-server.js';

const onMessage = 'subscription ($room: String) { onMessage(room: $room) { room text from } }';

describe.each(protocolNames)('operations (%s)', (protocol) => {
  describe('queries and mutations', () => {
    it('answers a query with one result and a complete', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'q', 'query ($name: String) { hello(name: $name) }', { name: 'Ada' });
      expect(await client.next()).toEqual(data(client, 'q', { data: { hello: 'Hello, Ada!' } }));
      expect(await client.next()).toEqual({ id: 'q', type: 'complete' });
    });

    it('sends resolver errors inside the result, formatted, then completes', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'f', '{ fails }');
      const result = await client.next();
      expect(result).toMatchObject({ id: 'f', type: words(client).data });
      expect(result.payload).toEqual({
        data: { fails: null },
        errors: [{ message: 'This field always fails.', locations: [{ line: 1, column: 3 }], path: ['fails'] }],
      });
      expect(await client.next()).toEqual({ id: 'f', type: 'complete' });
    });

    it('reports syntax and validation errors as the protocol expects', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'v', '{ nope }');
      // Issue 16: every error a client receives carries `extensions.code`.
      const errors = [
        {
          message: 'Cannot query field "nope" on type "Query".',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GQLCAST_INVALID_OPERATION' },
        },
      ];
      if (words(client).legacy) {
        expect(await client.next()).toEqual({ id: 'v', type: 'data', payload: { data: null, errors } });
        expect(await client.next()).toEqual({ id: 'v', type: 'complete' });
      } else {
        expect(await client.next()).toEqual({ id: 'v', type: 'error', payload: errors });
      }
      start(client, 's', '{ hello');
      const syntax = await client.next();
      expect(JSON.stringify(syntax)).toContain('Syntax Error');
      expect(await client.drain()).toEqual(words(client).legacy ? [{ id: 's', type: 'complete' }] : []);
    });

    it('answers 1000 queries sent at once on one socket: one result and one complete each', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init();
      // One document, a thousand variable sets: parsed and validated once (distinct texts would each
      // be charged to the connection's validationBudget).
      const query = 'query ($name: String) { hello(name: $name) }';
      for (let i = 0; i < 1000; i++) start(client, `q${i}`, query, { name: String(i) });
      const results = new Map<string, unknown>();
      const completes = new Set<string>();
      while (completes.size < 1000) {
        const message = await client.next();
        if (message.type === 'complete') {
          expect(completes.has(String(message.id))).toBe(false);
          completes.add(String(message.id));
        } else {
          expect(results.has(String(message.id))).toBe(false);
          results.set(String(message.id), message.payload);
        }
      }
      expect(results.size).toBe(1000);
      expect(results.get('q999')).toEqual({ data: { hello: 'Hello, 999!' } });
      expect(await client.drain()).toEqual([]);
    });

    it('does not let a blocked mutation hold up a later query', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'm', 'mutation { blockingMutation(key: "m") }');
      start(client, 'q', '{ hello }');
      expect(await client.next()).toEqual(data(client, 'q', { data: { hello: 'Hello, world!' } }));
      expect(await client.next()).toEqual({ id: 'q', type: 'complete' });
      server.openGate('m');
      expect(await client.next()).toEqual(data(client, 'm', { data: { blockingMutation: 'released m' } }));
    });

    it('with strictOrdering, processes messages strictly one after another', async () => {
      await using server = await startServer({ strictOrdering: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 'm', 'mutation { blockingMutation(key: "m") }');
      start(client, 'q', '{ hello }');
      // The query waits behind the mutation: release it, and the mutation's result comes first.
      server.openGate('m');
      expect(await client.next()).toEqual(data(client, 'm', { data: { blockingMutation: 'released m' } }));
      expect(await client.next()).toEqual({ id: 'm', type: 'complete' });
      expect(await client.next()).toEqual(data(client, 'q', { data: { hello: 'Hello, world!' } }));
    });

    it('refuses one operation when onOperation throws, and keeps the connection', async () => {
      await using server = await startServer({
        onOperation: (_connection, _id, payload) => {
          if (payload.query.includes('fails')) throw new Error('Session expired.');
        },
      });
      const client = await server.client(protocol);
      await client.init();
      start(client, 'x', '{ fails }');
      const refused = await client.next();
      // Issue 16: every error a client receives carries `extensions.code`.
      const code = { code: 'GQLCAST_OPERATION_REFUSED' };
      expect(refused).toEqual(
        words(client).legacy
          ? { id: 'x', type: 'error', payload: { errors: [{ message: 'Session expired.', extensions: code }] } }
          : { id: 'x', type: 'error', payload: [{ message: 'Session expired.', extensions: code }] },
      );
      start(client, 'ok', '{ hello }');
      expect(await client.next()).toEqual(data(client, 'ok', { data: { hello: 'Hello, world!' } }));
    });
  });

  describe('subscriptions', () => {
    it('delivers broadcasts of its group, with arguments, and SKIPs the sender', async () => {
      await using server = await startServer({ confirmSubscriptions: true });
      const reader = await server.client(protocol);
      const writer = await server.client(protocol);
      await reader.init({ user: 'reader' });
      await writer.init({ user: 'writer' });
      start(reader, 's', onMessage, { room: 'kittens' });
      start(writer, 'w', onMessage, { room: 'kittens' });
      // The confirmations say both subscriptions are active.
      expect(await reader.next()).toEqual(data(reader, 's', { data: null }));
      expect(await writer.next()).toEqual(data(writer, 'w', { data: null }));
      await server.messages.broadcast({ group: 'room:puppies', payload: { room: 'puppies', text: 'woof', from: 'x' } });
      start(writer, 'send', 'mutation { send(room: "kittens", text: "Hi all!") }');
      expect(await reader.next()).toEqual(
        data(reader, 's', { data: { onMessage: { room: 'kittens', text: 'Hi all!', from: 'writer' } } }),
      );
      // The writer gets its mutation's answer, and not its own message.
      expect(await writer.next()).toEqual(data(writer, 'send', { data: { send: true } }));
      expect(await writer.next()).toEqual({ id: 'send', type: 'complete' });
      expect(await writer.drain()).toEqual([]);
    });

    it('confirms a subscription before its first notification, and says so in the ack', async () => {
      await using server = await startServer({ confirmSubscriptions: true });
      const client = await server.client(protocol);
      const ack = await client.init();
      expect(ack.payload).toEqual({ confirmSubscriptions: true });
      start(client, 's', onMessage, { room: 'r' });
      // The confirmation means the groups are subscribed: a broadcast sent now cannot be missed.
      expect(await client.next()).toEqual(data(client, 's', { data: null }));
      await server.messages.broadcast({ group: 'room:r', payload: { room: 'r', text: 'first', from: 'x' } });
      expect(await client.next()).toEqual(
        data(client, 's', { data: { onMessage: { room: 'r', text: 'first', from: 'x' } } }),
      );
    });

    it('sends a custom confirmationMessage, merged ack payloads from onConnect', async () => {
      await using server = await startServer({
        confirmSubscriptions: true,
        confirmationMessage: { data: { confirmed: true } },
        onConnect: () => ({ server: 'gqlcast' }),
      });
      const client = await server.client(protocol);
      expect((await client.init()).payload).toEqual({ server: 'gqlcast', confirmSubscriptions: true });
      start(client, 's', onMessage);
      expect(await client.next()).toEqual(data(client, 's', { data: { confirmed: true } }));
    });

    it('stops on the client’s request: nothing after it, and exactly the protocol’s completes', async () => {
      await using server = await startServer({ confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', onMessage, { room: 'r' });
      await client.next();
      stop(client, 's');
      await server.unsubscribedCount(1);
      await server.messages.broadcast({ group: 'room:r', payload: { room: 'r', text: 'too late', from: 'x' } });
      // graphql-transport-ws: the server sends nothing more; legacy: `stop` is answered with one `complete`.
      expect(await client.drain()).toEqual(words(client).legacy ? [{ id: 's', type: 'complete' }] : []);
      expect(server.unsubscribed).toEqual([{ room: 'r', reason: 'complete' }]);
    });

    it('survives subscribe-then-complete spam with broadcasts in between: nothing after a completion', async () => {
      await using server = await startServer({ maxSubscriptionsPerConnection: 1_000 });
      const client = await server.client(protocol);
      await client.init();
      for (let i = 0; i < 300; i++) {
        start(client, `s${i}`, onMessage, { room: 'spam' });
        void server.messages.broadcast({ group: 'room:spam', payload: { room: 'spam', text: String(i), from: 'x' } });
        stop(client, `s${i}`);
        stop(client, `s${i}`);
      }
      // The sentinel is answered after the server processed every stop above.
      const seen = await client.drain();
      const completed = new Set<string>();
      for (const message of seen) {
        const id = String(message.id);
        // Nothing for an id after its complete, and one complete per id at most.
        expect(completed.has(id)).toBe(false);
        if (message.type === 'complete') completed.add(id);
        else expect(message.type).toBe(words(client).data);
      }
      // graphql-transport-ws never echoes a client's complete; legacy answers each stop once.
      expect(completed.size).toBe(words(client).legacy ? 300 : 0);
      await server.messages.broadcast({ group: 'room:spam', payload: { room: 'spam', text: 'after', from: 'x' } });
      expect(await client.drain()).toEqual([]);
      // Every subscription whose subscribe() ran got unsubscribed exactly once, for its completion.
      // (Starts are chains of microtasks: all have settled by the time the sentinel came back.)
      expect(server.unsubscribed).toHaveLength(server.subscribeCalls());
      expect(server.unsubscribed.every((call) => call.reason === 'complete')).toBe(true);
    });

    it('sends complete when the server unsubscribes the group, and unsubscribed runs', async () => {
      await using server = await startServer({ confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 'a', onMessage, { room: 'a' });
      start(client, 'b', onMessage, { room: 'b' });
      await client.next();
      await client.next();
      await server.messages.broadcast({ group: 'room:a', payload: { room: 'a', text: 'bye', from: 'x' } });
      await server.messages.unsubscribe({ group: 'room:a' });
      expect(await client.next()).toEqual(
        data(client, 'a', { data: { onMessage: { room: 'a', text: 'bye', from: 'x' } } }),
      );
      expect(await client.next()).toEqual({ id: 'a', type: 'complete' });
      expect(await server.unsubscribedCount(1)).toEqual([{ room: 'a', reason: 'unsubscribe' }]);
      // The other subscription goes on.
      await server.messages.broadcast({ group: 'room:b', payload: { room: 'b', text: 'still', from: 'x' } });
      expect(await client.next()).toEqual(
        data(client, 'b', { data: { onMessage: { room: 'b', text: 'still', from: 'x' } } }),
      );
    });

    it('refuses a subscription whose subscribe() throws with an error carrying its message', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init();
      start(client, 'r', 'subscription { refused }');
      const refused = await client.next();
      expect(refused).toMatchObject({ id: 'r', type: 'error' });
      expect(JSON.stringify(refused.payload)).toContain('You may not subscribe to this.');
      // An error ends the operation: no complete follows.
      expect(await client.drain()).toEqual([]);
    });

    it('with confirmations on, answers a request that does not validate with an error, never a data/next', async () => {
      await using server = await startServer({ confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 'v', 'subscription { nope }');
      expect(await client.next()).toMatchObject({ id: 'v', type: 'error' });
      expect(await client.drain()).toEqual([]);
    });

    it('caps subscriptions per connection, and gives slots back when they end', async () => {
      await using server = await startServer({ maxSubscriptionsPerConnection: 2, confirmSubscriptions: true });
      const client = await server.client(protocol);
      await client.init();
      start(client, 's1', onMessage);
      start(client, 's2', onMessage);
      start(client, 's3', onMessage);
      const messages = [await client.next(), await client.next(), await client.next()];
      const refused = messages.find((m) => m.type === 'error');
      expect(refused?.id).toBe('s3');
      expect(JSON.stringify(refused?.payload)).toContain('Too many subscriptions on this connection (limit 2)');
      stop(client, 's1');
      await client.drain();
      start(client, 's4', onMessage);
      expect(await client.next()).toEqual(data(client, 's4', { data: null }));
      // Queries are not subscriptions: they are not capped.
      start(client, 'q', '{ hello }');
      expect(await client.next()).toEqual(data(client, 'q', { data: { hello: 'Hello, world!' } }));
    });

    it('never holds more subscriptions than the cap under a subscribe-then-complete flood', async () => {
      await using server = await startServer({ maxSubscriptionsPerConnection: 5 });
      const client = await server.client(protocol);
      await client.init();
      for (let i = 0; i < 500; i++) {
        start(client, `s${i}`, onMessage, { room: 'flood' });
        stop(client, `s${i}`);
      }
      const seen = await client.drain();
      const refused = seen.filter((m) => m.type === 'error');
      // Slots free only when a subscription's start settled: the flood is refused beyond the cap...
      expect(refused.length).toBeGreaterThan(0);
      expect(JSON.stringify(refused[0]?.payload)).toContain('limit 5');
      // ...and they all come back once the starts settled (microtasks: before the sentinel returned).
      expect(server.unsubscribed).toHaveLength(server.subscribeCalls());
      start(client, 'after', '{ hello }');
      expect(await client.next()).toEqual(data(client, 'after', { data: { hello: 'Hello, world!' } }));
      for (let i = 0; i < 5; i++) start(client, `again${i}`, onMessage, { room: 'again' });
      expect((await client.drain()).filter((m) => m.type === 'error')).toEqual([]);
    });

    it('reports disconnect to unsubscribed and onDisconnect, in that order', async () => {
      const events: string[] = [];
      const unacknowledged = await startServer({ onDisconnect: () => void events.push('never') });
      // A connection that was never acknowledged does not reach onDisconnect.
      const early = await unacknowledged.client(protocol);
      await early.close();
      await unacknowledged[Symbol.asyncDispose]();
      await using server = await startServer(
        {
          confirmSubscriptions: true,
          onDisconnect: (connection, code, reason) => {
            events.push(`onDisconnect ${connection.id} ${code} ${reason}`);
          },
        },
        createFixture({ events }),
      );
      const client = await server.client(protocol);
      await client.init();
      start(client, 's', onMessage, { room: 'r' });
      await client.next();
      client.ws.close(4000, 'bye');
      // Wait for the server to see the close, then for the connection's cleanup to finish.
      await server.unsubscribedCount(1);
      await server.gql.close();
      expect(server.unsubscribed).toEqual([{ room: 'r', reason: 'disconnect' }]);
      expect(events).toEqual(['unsubscribed disconnect', 'onDisconnect 1 4000 bye']);
    });

    it('logs an onDisconnect that throws', async () => {
      const logger = recordingLogger();
      await using server = await startServer({
        logger,
        onDisconnect: () => {
          throw new Error('cleanup failed');
        },
      });
      const client = await server.client(protocol);
      await client.init();
      await client.close();
      await server.gql.close();
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'error', message: 'onDisconnect failed for connection 1.' }),
      );
    });
  });

  describe('keep-alive', () => {
    it('sends only the protocol’s own keep-alive', async () => {
      await using server = await startServer({ keepAlive: 5 });
      const client = await server.client(protocol);
      await client.init();
      const expected = words(client).legacy ? 'ka' : 'ping';
      const keepAlives = await client.until((m) => m.type === expected);
      expect(keepAlives.map((m) => m.type)).toEqual([expected]);
      const more = await client.until((m) => m.type === expected);
      expect(more.every((m) => m.type === expected)).toBe(true);
      expect(more.some((m) => m.type === (words(client).legacy ? 'ping' : 'ka'))).toBe(false);
    });
  });

  describe('context and state', () => {
    it('gives each operation a fresh context, and shares connection.state across a connection only', async () => {
      await using server = await startServer();
      const first = await server.client(protocol);
      const second = await server.client(protocol);
      await first.init();
      await second.init();
      start(first, 'c1', '{ contextMarker }');
      expect(await first.next()).toEqual(data(first, 'c1', { data: { contextMarker: null } }));
      expect(await first.next()).toEqual({ id: 'c1', type: 'complete' });
      start(first, 'c2', '{ contextMarker }');
      expect(await first.next()).toEqual(data(first, 'c2', { data: { contextMarker: null } }));
      start(first, 'set', 'mutation { setState(key: "user", value: "ada") }');
      await first.until((m) => m.type === 'complete' && m.id === 'set');
      start(first, 'get', '{ stateValue(key: "user") }');
      expect(await first.next()).toEqual(data(first, 'get', { data: { stateValue: 'ada' } }));
      start(second, 'get', '{ stateValue(key: "user") }');
      expect(await second.next()).toEqual(data(second, 'get', { data: { stateValue: null } }));
    });

    it('exposes the operation id, name and connection params in the default context', async () => {
      await using server = await startServer();
      const client = await server.client(protocol);
      await client.init({ token: 't' });
      client.send({
        id: 'op-1',
        type: words(client).start,
        payload: { query: 'query Info { operationInfo }', operationName: 'Info' },
      });
      const result = await client.next();
      expect(JSON.parse((result.payload as { data: { operationInfo: string } }).data.operationInfo)).toEqual({
        id: 'op-1',
        name: 'Info',
        params: { token: 't' },
      });
    });

    it('builds the context with the context option, from the connection and the message', async () => {
      await using server = await startServer({
        context: (connection, message) => ({
          connection,
          state: connection.state,
          operationId: `custom-${message.id}`,
          operationName: message.payload.operationName,
          connectionParams: connection.connectionParams,
          request: connection.request,
        }),
      });
      const client = await server.client(protocol);
      await client.init();
      start(client, 'x', '{ operationInfo }');
      const result = await client.next();
      expect((result.payload as { data: { operationInfo: string } }).data.operationInfo).toContain('"custom-x"');
    });
  });
});

describe('duplicate ids', () => {
  it('graphql-transport-ws: closes 4409 when an id is reused while running', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    start(client, 'same', onMessage);
    start(client, 'same', onMessage);
    expect(await client.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
  });

  it('legacy: refuses the new start with an error and keeps the running subscription', async () => {
    await using server = await startServer({ confirmSubscriptions: true });
    const client = await server.client('graphql-ws');
    await client.init();
    start(client, 'same', onMessage, { room: 'r' });
    expect(await client.next()).toEqual({ id: 'same', type: 'data', payload: { data: null } });
    start(client, 'same', '{ hello }');
    expect(await client.next()).toEqual({
      id: 'same',
      type: 'error',
      payload: {
        errors: [
          {
            message: 'An operation with id "same" is already running: stop it first, or use another id.',
            extensions: { code: 'GQLCAST_DUPLICATE_ID' },
          },
        ],
      },
    });
    await server.messages.broadcast({ group: 'room:r', payload: { room: 'r', text: 'kept', from: 'x' } });
    expect(await client.next()).toEqual({
      id: 'same',
      type: 'data',
      payload: { data: { onMessage: { room: 'r', text: 'kept', from: 'x' } } },
    });
  });

  it('graphql-transport-ws: ignores a complete for an unknown id', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'never', type: 'complete' });
    expect(await client.drain()).toEqual([]);
  });
});

describe('legacy handshake', () => {
  it('holds a start sent right after connection_init until onConnect accepts, then runs it', async () => {
    const called = deferred();
    const decision = deferred<boolean>();
    await using server = await startServer({
      onConnect: () => {
        called.resolve();
        return decision.promise;
      },
    });
    const client = await server.client('graphql-ws');
    client.send({ type: 'connection_init' });
    client.send({ id: '1', type: 'start', payload: { query: '{ hello }' } });
    await called.promise;
    decision.resolve(true);
    expect(await client.next()).toEqual({ type: 'connection_ack' });
    expect(await client.next()).toEqual({ id: '1', type: 'data', payload: { data: { hello: 'Hello, world!' } } });
  });

  it('drops a held start when onConnect refuses: it never executes', async () => {
    let executed = 0;
    await using server = await startServer({
      onConnect: async () => false,
      onOperation: () => {
        executed++;
      },
    });
    const client = await server.client('graphql-ws');
    client.send({ type: 'connection_init' });
    client.send({ id: '1', type: 'start', payload: { query: 'mutation { setState(key: "k", value: "v") }' } });
    // Issue 16: with its `extensions.code`.
    expect(await client.next()).toEqual({
      type: 'connection_error',
      payload: { message: 'Forbidden', extensions: { code: 'GQLCAST_CONNECTION_REFUSED' } },
    });
    expect((await client.closed).code).toBe(4403);
    expect(executed).toBe(0);
  });

  it('sends ka right after the ack when keepAlive is on', async () => {
    await using server = await startServer({ keepAlive: 60_000 });
    const client = await server.client('graphql-ws');
    await client.init();
    expect(await client.next()).toEqual({ type: 'ka' });
  });
});
