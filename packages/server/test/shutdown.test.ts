// Graceful shutdown (issue 19, rolling deploys): close() writes what the shared executions and the
// outboxes hold, then closes every socket with 1012 Service Restart.
import { deferred } from '@gqlcast/core/testing';
import { type ExecutionArgs, execute } from 'graphql';
import { describe, expect, it } from 'vitest';
import { data, protocolNames, start } from './utils/protocols.js';
import type { Message, TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';

/** Every frame until the server's close, and the close. */
async function rest(client: TestClient): Promise<{ messages: Message[]; closed: { code: number; reason: string } }> {
  const messages: Message[] = [];
  for (;;) {
    try {
      messages.push(await client.next());
    } catch {
      return { messages, closed: await client.closed };
    }
  }
}

const text = (client: TestClient, id: string, value: string) =>
  data(client, id, { data: { onMessage: { text: value } } });

describe.each(protocolNames)('graceful shutdown (%s)', (protocol) => {
  it('writes a notification its shared execution still holds, then closes with 1012; a later one is left', async () => {
    // An async `execute`: the notification "held" is being executed when close() is called.
    const executing = deferred<void>();
    const release = deferred<void>();
    await using server = await startServer({
      confirmSubscriptions: true,
      execute: async (args: ExecutionArgs) => {
        if ((args.rootValue as { text?: string }).text === 'held') {
          executing.resolve();
          await release.promise;
        }
        return execute(args);
      },
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 's', 'subscription { onMessage(room: "a") { text } }');
    await client.next(); // the confirmation
    await server.messages.broadcast({ group: 'room:a', payload: { room: 'a', text: 'held', from: 'x' } });
    await executing.promise;
    const closing = server.gql.close();
    // Arrives while the server shuts down: for the server the client reconnects to, not this one.
    await server.messages.broadcast({ group: 'room:a', payload: { room: 'a', text: 'late', from: 'x' } });
    release.resolve();
    await closing;
    expect(await rest(client)).toEqual({
      messages: [text(client, 's', 'held')],
      closed: { code: 1012, reason: 'Server is shutting down' },
    });
    expect(server.unsubscribed.map((call) => call.reason)).toEqual(['shutdown']);
  });

  it('writes what its outbox holds back before the close frame', async () => {
    // strictOrdering holds a connection's outbox while one of its messages is handled: a
    // notification that arrives meanwhile waits there.
    const handling = deferred<void>();
    await using server = await startServer({
      confirmSubscriptions: true,
      strictOrdering: true,
      onOperation: (_connection, id) => {
        if (id === 'm') handling.resolve();
      },
    });
    const held = await server.client(protocol);
    const witness = await server.client(protocol);
    for (const client of [held, witness]) {
      await client.init();
      start(client, 's', 'subscription { onMessage(room: "b") { text } }');
      await client.next(); // the confirmation
    }
    start(held, 'm', 'mutation { blockingMutation(key: "m") }');
    await handling.promise; // the mutation is being handled: the outbox holds
    await server.messages.broadcast({ group: 'room:b', payload: { room: 'b', text: 'b1', from: 'x' } });
    await server.messages.broadcast({ group: 'room:b', payload: { room: 'b', text: 'b2', from: 'x' } });
    // The witness got both: the fan-out handed them to the held connection's outbox too.
    expect([await witness.next(), await witness.next()]).toEqual([text(witness, 's', 'b1'), text(witness, 's', 'b2')]);
    const closing = server.gql.close();
    server.openGate('m');
    await closing;
    expect(await rest(held)).toEqual({
      messages: [
        data(held, 'm', { data: { blockingMutation: 'released m' } }),
        { id: 'm', type: 'complete' },
        text(held, 's', 'b1'),
        text(held, 's', 'b2'),
      ],
      closed: { code: 1012, reason: 'Server is shutting down' },
    });
  });

  it('waits at most closeTimeout for what never finishes, then closes with 1012 all the same', async () => {
    const executing = deferred<void>();
    const never = deferred<void>();
    await using server = await startServer({
      confirmSubscriptions: true,
      closeTimeout: 20,
      execute: async (args: ExecutionArgs) => {
        executing.resolve();
        await never.promise;
        return execute(args);
      },
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 's', 'subscription { onMessage(room: "c") { text } }');
    await client.next(); // the confirmation
    await server.messages.broadcast({ group: 'room:c', payload: { room: 'c', text: 'stuck', from: 'x' } });
    await executing.promise;
    // Resolves (the test would time out otherwise) although the execution never finishes.
    await server.gql.close();
    expect(await rest(client)).toEqual({ messages: [], closed: { code: 1012, reason: 'Server is shutting down' } });
    never.resolve();
  });
});

describe('graceful shutdown with a slow reader', () => {
  it('writes the notifications waiting for a socket that is behind, then closes with 1012', async () => {
    const highWaterMark = 64 * 1024;
    const body = 'x'.repeat(256 * 1024);
    await using server = await startServer({
      confirmSubscriptions: true,
      sendHighWaterMark: highWaterMark,
      maxSendBuffer: 256 * 1024 * 1024,
      messageRate: false,
      closeTimeout: 60_000,
    });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    start(client, 's', 'subscription { onMessage(room: "slow") { text } }');
    await client.next(); // the confirmation
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    // Fill the kernel's buffers, then the socket's own, past the mark: from then on, notifications
    // wait in the outbox.
    let sent = 0;
    while (server.gql.bufferStats().largestBuffer <= highWaterMark) {
      if (sent === 400) throw new Error('the socket never went over its mark');
      await server.messages.broadcast({
        group: 'room:slow',
        payload: { room: 'slow', text: `${sent++} ${body}`, from: 'x' },
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const tail of ['tail 1', 'tail 2', 'tail 3'])
      await server.messages.broadcast({ group: 'room:slow', payload: { room: 'slow', text: tail, from: 'x' } });
    const closing = server.gql.close();
    socket.resume();
    await closing;
    const { messages, closed } = await rest(client);
    const texts = messages.map(
      (message) => (message.payload as { data: { onMessage: { text: string } } }).data.onMessage.text,
    );
    expect(texts.map((value) => value.split(' ', 1)[0])).toEqual([
      ...Array.from({ length: sent }, (_, index) => String(index)),
      'tail',
      'tail',
      'tail',
    ]);
    expect(texts.slice(-3)).toEqual(['tail 1', 'tail 2', 'tail 3']);
    expect(closed).toEqual({ code: 1012, reason: 'Server is shutting down' });
  });
});
