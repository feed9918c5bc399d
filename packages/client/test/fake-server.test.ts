// The client against a scripted server, for what a real server rarely does on
// demand: pings, keep-alives, odd messages.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { deferred } from '@gqlcast/core/testing';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createClient, webSocketTransport } from '../src/index.js';
import { closeScriptedServers, scripted } from './scripted.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
  await closeScriptedServers();
});

it('answers a server ping with a pong carrying the same payload', async () => {
  const pong = deferred<unknown>();
  const url = await scripted(async ({ socket, next }) => {
    await next();
    socket.send(JSON.stringify({ type: 'connection_ack' }));
    socket.send(JSON.stringify({ type: 'ping', payload: { n: 7 } }));
    pong.resolve(await next());
  });
  const client = createClient({ transport: webSocketTransport(url), lazy: false, retry: false });
  expect(await pong.promise).toEqual({ type: 'pong', payload: { n: 7 } });
  await client.close();
});

it('skips legacy keep-alives and resolves execute on the first data', async () => {
  const url = await scripted(async ({ socket, next }) => {
    await next();
    socket.send(JSON.stringify({ type: 'connection_ack' }));
    socket.send(JSON.stringify({ type: 'ka' }));
    const start = await next();
    socket.send(JSON.stringify({ type: 'ka' }));
    socket.send(JSON.stringify({ id: start.id, type: 'data', payload: { data: { hello: 'legacy' } } }));
    socket.send(JSON.stringify({ id: start.id, type: 'complete' }));
  });
  const client = createClient({ transport: webSocketTransport(url), protocol: 'graphql-ws', retry: false });
  expect(await client.execute({ query: '{ hello }' })).toEqual({ data: { hello: 'legacy' } });
  await client.close();
});

it('sends the headers given to the Node transport with the upgrade request', async () => {
  const seen = deferred<string | undefined>();
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-transport-ws' });
  servers.push(server);
  await once(server, 'listening');
  server.on('connection', (_socket, request) => seen.resolve(request.headers.cookie));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createClient({
    transport: webSocketTransport(url, { headers: { cookie: 'sessionid=abc' } }),
    lazy: false,
    retry: false,
  });
  expect(await seen.promise).toBe('sessionid=abc');
  await client.close();
});

it('refuses to speak a subprotocol the server did not choose (4406), and does not retry', async () => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-ws' });
  servers.push(server);
  await once(server, 'listening');
  let connections = 0;
  server.on('connection', () => connections++);
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createClient({ transport: webSocketTransport(url) });
  await expect(client.execute({ query: '{ hello }' })).rejects.toMatchObject({ code: 4406, retryable: false });
  expect(connections).toBe(1);
  await client.close();
});

it('gives up on a server that never acknowledges, after connectionAckTimeout (4408)', async () => {
  const url = await scripted(async ({ next }) => {
    await next(); // connection_init, never answered
  });
  const client = createClient({ transport: webSocketTransport(url), retry: false, connectionAckTimeout: 30 });
  await expect(client.execute({ query: '{ hello }' })).rejects.toMatchObject({ code: 4408, retryable: true });
  await client.close();
});
