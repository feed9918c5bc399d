// The server plugs into any Node HTTP server: plain node:http, Express, Fastify.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { createGraphqlWsServer } from '../src/index.js';
import { createFixture } from './utils/schema.js';
import { TestClient } from './utils/test-client.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function roundTrip(port: number): Promise<void> {
  const client = await TestClient.open(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  cleanups.push(() => client.close());
  await client.init();
  client.send({ id: '1', type: 'subscribe', payload: { query: '{ hello(name: "framework") }' } });
  expect(await client.next()).toEqual({ id: '1', type: 'next', payload: { data: { hello: 'Hello, framework!' } } });
}

function serve() {
  const fixture = createFixture();
  const gql = createGraphqlWsServer({ schema: fixture.schema, heartbeatInterval: false });
  cleanups.push(
    () => fixture.hub.close(),
    () => gql.close(),
  );
  return gql;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

it('plugs into node:http through handleUpgrade', async () => {
  const gql = serve();
  const http = createServer((_request, response) => response.end('plain http'));
  http.on('upgrade', (request, socket, head) => gql.handleUpgrade(request, socket, head));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => new Promise((resolve) => http.close(resolve)));
  await roundTrip(portOf(http));
  expect(await (await fetch(`http://127.0.0.1:${portOf(http)}/`)).text()).toBe('plain http');
});

it('plugs into Express, next to its routes', async () => {
  const gql = serve();
  const app = express();
  app.get('/health', (_request, response) => {
    response.json({ ok: true });
  });
  const http = app.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => new Promise((resolve) => http.close(resolve)));
  gql.attach(http, { path: '/graphql' });
  await roundTrip(portOf(http));
  expect(await (await fetch(`http://127.0.0.1:${portOf(http)}/health`)).json()).toEqual({ ok: true });
});

it('plugs into Fastify, next to its routes', async () => {
  const gql = serve();
  const app = Fastify();
  app.get('/health', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  gql.attach(app.server, { path: '/graphql' });
  await roundTrip(portOf(app.server));
  expect(await (await fetch(`http://127.0.0.1:${portOf(app.server)}/health`)).json()).toEqual({ ok: true });
});
