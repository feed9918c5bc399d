// The server recipes (Express, Fastify): their own routes keep working, and
// GraphQL over WebSocket answers at /graphql, subscriptions included.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startExpress } from '../src/express.js';
import { startFastify } from '../src/fastify.js';
import { signallingLayer } from './signalling-layer.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const recipes = {
  Express: (layer: ReturnType<typeof signallingLayer>['layer']) => Promise.resolve(startExpress({ layer })),
  Fastify: (layer: ReturnType<typeof signallingLayer>['layer']) => startFastify({ layer }),
};

describe.each(Object.entries(recipes))('%s', (_name, start) => {
  it('serves its own routes and GraphQL over WebSocket, queries and subscriptions', async () => {
    const { layer, until } = signallingLayer();
    const server = await start(layer);
    cleanups.push(() => server.close());
    const port = ((server.http as Server).address() as AddressInfo).port;

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ ok: true });

    const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    cleanups.push(() => client.dispose());
    const hello = client.iterate({ query: '{ hello }' });
    expect((await hello.next()).value).toEqual({ data: { hello: 'Hello, anonymous!' } });

    const messages = client.iterate({ query: 'subscription { onMessage(room: "a") { text sender } }' });
    const first = messages.next();
    await until('room:a');
    const sent = client.iterate({ query: 'mutation { send(room: "a", text: "hi") }' });
    expect((await sent.next()).value).toEqual({ data: { send: true } });
    expect((await first).value).toEqual({ data: { onMessage: { text: 'hi', sender: 'anonymous' } } });
    await messages.return?.();
  });
});
