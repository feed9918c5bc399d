// The JWT recipe: a bad or expired token is refused with 4403; a connection
// whose token expires is closed with 4403, and graphql-ws's client reconnects
// with a fresh token from its connectionParams function and resubscribes.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createJwtServer, signToken, verifyToken } from '../src/jwt.js';
import { signallingLayer } from './signalling-layer.js';

const secret = 'recipe-secret';
const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve() {
  const { layer, until } = signallingLayer();
  const { gql, hub } = createJwtServer({ secret, layer });
  const http = createServer();
  gql.attach(http, { path: '/graphql' });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(async () => {
    await gql.close();
    await new Promise((resolve) => http.close(resolve));
    await hub.close();
  });
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`, until };
}

it('verifies signature and expiry', () => {
  const token = signToken({ sub: 'ada', exp: inSeconds(60) }, secret);
  expect(verifyToken(token, secret)).toEqual({ sub: 'ada', exp: expect.any(Number) });
  expect(verifyToken(token, 'another secret')).toBeNull();
  expect(verifyToken(`${token.slice(0, -2)}xx`, secret)).toBeNull();
  expect(verifyToken(signToken({ sub: 'ada', exp: inSeconds(-1) }, secret), secret)).toBeNull();
  expect(verifyToken(undefined, secret)).toBeNull();
  expect(verifyToken('not.a.token', secret)).toBeNull();
});

it('refuses a connection whose token is forged or expired with 4403', async () => {
  const { url } = await serve();
  for (const token of [
    signToken({ sub: 'ada', exp: inSeconds(60) }, 'forged'),
    signToken({ sub: 'ada', exp: inSeconds(-1) }, secret),
  ]) {
    const closed = new Promise<{ code: number }>((resolve) => {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { token },
        on: { closed: (event) => resolve(event as { code: number }) },
        onNonLazyError: () => undefined,
      });
      cleanups.push(() => client.dispose());
    });
    expect((await closed).code).toBe(4403);
  }
});

it('closes with 4403 when the token expires; the client reconnects with a fresh token and its subscription resumes', async () => {
  const { url, until } = await serve();
  const tokens = [
    // Expires in one to two seconds: never before the first connection is accepted.
    signToken({ sub: 'ada', exp: inSeconds(2) }, secret),
    signToken({ sub: 'ada', exp: inSeconds(600) }, secret),
  ];
  const closes: number[] = [];
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 1,
    retryWait: async () => undefined, // reconnect at once
    // Called on every connection: the second gets the fresh token.
    connectionParams: () => ({ token: tokens.shift() }),
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  cleanups.push(() => client.dispose());

  const messages = client.iterate({ query: 'subscription { onMessage(room: "jwt") { text sender } }' });
  const first = messages.next();
  await until('room:jwt');
  // The short token expires; the server closes, the client reconnects and subscribes again.
  await until('room:jwt', 2);
  expect(closes).toEqual([4403]);

  const sent = client.iterate({ query: 'mutation { send(room: "jwt", text: "still here") }' });
  expect((await sent.next()).value).toEqual({ data: { send: true } });
  expect((await first).value).toEqual({ data: { onMessage: { text: 'still here', sender: 'ada' } } });
  await messages.return?.();
});
