// The plugin needs no gqlcast transport: here the schema is served by the
// `graphql-ws` package's own server, over a real WebSocket on loopback.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { collect, type Deferred, deferred } from '@gqlcast/core/testing';
import { createClient, type ExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type Context, createExample, type UnsubscribedCall } from './example/schema.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve() {
  const unsubscribed = collect<UnsubscribedCall>();
  const example = createExample({ onUnsubscribed: (call) => unsubscribed.push(call) });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  // onOperation runs once subscribe() returned the stream, i.e. once the groups are ready.
  const operations: Deferred<void>[] = [deferred(), deferred()];
  let started = 0;
  const server = useServer(
    {
      schema: example.schema,
      context: (ctx): Context => ({ userId: String(ctx.connectionParams?.userId), loggedIn: true }),
      onOperation: () => {
        operations[started++]?.resolve();
      },
    },
    wss,
  );
  cleanups.push(() => server.dispose());
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const connect = (userId: string) => {
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { userId }, retryAttempts: 0 });
    cleanups.push(() => client.dispose());
    return client;
  };
  return { ...example, connect, operations, unsubscribed };
}

it('serves subscriptions through graphql-ws: groups, SKIP for the sender, completion', async () => {
  const { chatMessages, connect, operations, unsubscribed } = await serve();
  const alice = connect('alice');
  const bob = connect('bob');
  const query = 'subscription { onNewChatMessage(chatroom: "kittens") { text sender } }';
  const aliceResults = alice.iterate<ExecutionResult>({ query });
  const bobResults = bob.iterate<ExecutionResult>({ query });
  const aliceNext = aliceResults.next();
  const bobNext = bobResults.next();
  await Promise.all(operations.map((operation) => operation.promise));

  await chatMessages.broadcast({
    group: 'room:kittens',
    payload: { chatroom: 'kittens', text: 'Hi all!', senderId: 'alice' },
  });
  await chatMessages.broadcast({
    group: 'room:kittens',
    payload: { chatroom: 'kittens', text: 'Hi Alice', senderId: 'bob' },
  });

  expect((await bobNext).value).toEqual({ data: { onNewChatMessage: { text: 'Hi all!', sender: 'alice' } } });
  // Alice's own message was skipped: her first notification is Bob's.
  expect((await aliceNext).value).toEqual({ data: { onNewChatMessage: { text: 'Hi Alice', sender: 'bob' } } });

  await aliceResults.return?.();
  await bobResults.return?.();
  const calls = await unsubscribed.waitFor(2);
  expect(calls.map((call) => [call.userId, call.reason]).sort()).toEqual([
    ['alice', 'complete'],
    ['bob', 'complete'],
  ]);
});

it('ends the client subscription when the server unsubscribes its group', async () => {
  const { chatMessages, connect, operations } = await serve();
  const client = connect('carol');
  const results = client.iterate({ query: 'subscription { onNewChatMessage(chatroom: "kittens") { text } }' });
  const first = results.next();
  await operations[0]?.promise;
  await chatMessages.broadcast({
    group: 'room:kittens',
    payload: { chatroom: 'kittens', text: 'last', senderId: 'x' },
  });
  await chatMessages.unsubscribe({ group: 'room:kittens' });
  expect((await first).value).toEqual({ data: { onNewChatMessage: { text: 'last' } } });
  expect(await results.next()).toEqual({ done: true, value: undefined });
});

it('delivers to two subscriptions of one group on one connection; completing one leaves the other', async () => {
  const { chatMessages, connect, operations } = await serve();
  const client = connect('dave');
  const query = 'subscription { onNewChatMessage(chatroom: "r") { text } }';
  const first = client.iterate({ query });
  const second = client.iterate({ query });
  const [firstNext, secondNext] = [first.next(), second.next()];
  await Promise.all(operations.map((operation) => operation.promise));
  await chatMessages.broadcast({ group: 'room:r', payload: { chatroom: 'r', text: 'both', senderId: 'x' } });
  expect((await firstNext).value).toEqual({ data: { onNewChatMessage: { text: 'both' } } });
  expect((await secondNext).value).toEqual({ data: { onNewChatMessage: { text: 'both' } } });
  await first.return?.();
  await chatMessages.broadcast({ group: 'room:r', payload: { chatroom: 'r', text: 'one left', senderId: 'x' } });
  expect((await second.next()).value).toEqual({ data: { onNewChatMessage: { text: 'one left' } } });
});

it('runs unsubscribed once when the client socket closes', async () => {
  const { connect, operations, unsubscribed } = await serve();
  const client = connect('erin');
  const results = client.iterate({ query: 'subscription { onNewChatMessage(chatroom: "r") { text } }' });
  void results.next();
  await operations[0]?.promise;
  await client.dispose();
  const [call] = await unsubscribed.waitFor(1);
  expect(call).toMatchObject({ userId: 'erin', reason: 'complete' });
});
