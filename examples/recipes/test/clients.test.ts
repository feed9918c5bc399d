// The client recipes (Apollo Client, urql, Relay, graphql-ws's client with
// confirmSubscriptions) against a real server on loopback.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gql } from '@apollo/client';
import { createGraphqlWsServer } from '@gqlcast/server';
import { createClient } from 'graphql-ws';
import type { RequestParameters } from 'relay-runtime';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApolloClient } from '../src/apollo-client.js';
import { subscribeConfirmed } from '../src/confirmed-subscriptions.js';
import { startExpress } from '../src/express.js';
import { createRelayNetwork } from '../src/relay.js';
import { createRecipeApp } from '../src/schema.js';
import { createUrqlClient } from '../src/urql.js';
import { signallingLayer } from './signalling-layer.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function serve() {
  const { layer, until } = signallingLayer();
  const server = startExpress({ layer });
  cleanups.push(() => server.close());
  const url = `ws://127.0.0.1:${(server.http.address() as AddressInfo).port}/graphql`;
  return { url, until };
}

it('Apollo Client: a query, then a subscription that receives a mutation’s broadcast', async () => {
  const { url, until } = serve();
  const { client, close } = createApolloClient(url);
  cleanups.push(close);
  const hello = await client.query({ query: gql('{ hello }'), fetchPolicy: 'no-cache' });
  expect(hello.data).toEqual({ hello: 'Hello, anonymous!' });

  const received = new Promise((resolve) => {
    const subscription = client
      .subscribe({ query: gql('subscription { onMessage(room: "apollo") { text } }') })
      .subscribe({ next: (result) => resolve(result.data) });
    cleanups.push(() => subscription.unsubscribe());
  });
  await until('room:apollo');
  await client.mutate({ mutation: gql('mutation { send(room: "apollo", text: "hi Apollo") }') });
  expect(await received).toEqual({ onMessage: { __typename: 'Message', text: 'hi Apollo' } });
});

it('urql: a query, then a subscription that receives a mutation’s broadcast', async () => {
  const { url, until } = serve();
  const { client, close } = createUrqlClient(url);
  cleanups.push(close);
  const hello = await client.query('{ hello }', {}, { requestPolicy: 'network-only' }).toPromise();
  expect(hello.data).toEqual({ hello: 'Hello, anonymous!' });

  const received = new Promise((resolve) => {
    const { unsubscribe } = client
      .subscription('subscription { onMessage(room: "urql") { text } }', {})
      .subscribe((result) => resolve(result.data));
    cleanups.push(unsubscribe);
  });
  await until('room:urql');
  await client.mutation('mutation { send(room: "urql", text: "hi urql") }', {}).toPromise();
  expect(await received).toEqual({ onMessage: { text: 'hi urql' } });
});

it('Relay: the network layer runs a query and a subscription', async () => {
  const { url, until } = serve();
  const { network, close } = createRelayNetwork(url);
  cleanups.push(close);
  // What Relay's compiler produces for an operation, reduced to what the network reads.
  const operation = (name: string, text: string, operationKind: RequestParameters['operationKind']) =>
    ({ id: null, cacheID: name, name, text, operationKind, metadata: {} }) as RequestParameters;

  const hello = await network
    .execute(operation('HelloQuery', 'query HelloQuery { hello }', 'query'), {}, {})
    .toPromise();
  expect(hello).toEqual({ data: { hello: 'Hello, anonymous!' } });

  const received = new Promise((resolve) => {
    const subscription = network
      .execute(
        operation(
          'OnMessage',
          'subscription OnMessage($room: String!) { onMessage(room: $room) { text } }',
          'subscription',
        ),
        { room: 'relay' },
        {},
      )
      .subscribe({ next: resolve });
    cleanups.push(() => subscription.unsubscribe());
  });
  await until('room:relay');
  await network
    .execute(operation('Send', 'mutation Send { send(room: "relay", text: "hi Relay") }', 'mutation'), {}, {})
    .toPromise();
  expect(await received).toEqual({ data: { onMessage: { text: 'hi Relay' } } });
});

/** A server with `confirmSubscriptions`, and graphql-ws's client connected to it. */
async function connectConfirming() {
  const { hub, schema } = createRecipeApp();
  const gqlServer = createGraphqlWsServer({ schema, confirmSubscriptions: true });
  const http = createServer();
  gqlServer.attach(http, { path: '/graphql' });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(async () => {
    await gqlServer.close();
    await new Promise((resolve) => http.close(resolve));
    await hub.close();
  });
  const client = createClient({
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  cleanups.push(() => client.dispose());
  return client;
}

it('graphql-ws client with confirmSubscriptions: subscribe, wait for the confirmation, mutate, receive', async () => {
  const client = await connectConfirming();

  // No test hook here: the confirmation alone says the subscription is active.
  const notifications = await subscribeConfirmed(client, {
    query: 'subscription { onMessage(room: "confirmed") { text } }',
  });
  const sent = client.iterate({ query: 'mutation { send(room: "confirmed", text: "right after") }' });
  expect((await sent.next()).value).toEqual({ data: { send: true } });
  expect((await notifications.next()).value).toEqual({ data: { onMessage: { text: 'right after' } } });
  await notifications.return?.();
});

it('graphql-ws client with confirmSubscriptions: a refused subscription rejects with the server’s errors', async () => {
  const client = await connectConfirming();
  await expect(subscribeConfirmed(client, { query: 'subscription { onMessage { text } }' })).rejects.toEqual([
    expect.objectContaining({ message: expect.stringContaining('argument "room"') }),
  ]);
});
