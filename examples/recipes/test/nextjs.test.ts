// The Next.js custom-server recipe: Next.js renders its page; GraphQL over
// WebSocket answers at /graphql on the same HTTP server, subscriptions included.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nextAppDir, startNext } from '../src/nextjs.js';
import { signallingLayer } from './signalling-layer.js';

const nextBin = fileURLToPath(new URL('../node_modules/.bin/next', import.meta.url));
let server: Awaited<ReturnType<typeof startNext>> | undefined;
const { layer, until } = signallingLayer();

beforeAll(async () => {
  // The production build the custom server serves (as `next build` before `node server.js`).
  await promisify(execFile)(nextBin, ['build'], {
    cwd: nextAppDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  server = await startNext({ layer });
}, 300_000);

afterAll(async () => {
  await server?.close();
});

it('serves the Next.js page and GraphQL over WebSocket on one HTTP server', async () => {
  if (server === undefined) throw new Error('the Next.js server did not start');
  const port = (server.http.address() as AddressInfo).port;
  const page = await fetch(`http://127.0.0.1:${port}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Hello from Next.js');

  const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  const hello = client.iterate({ query: '{ hello }' });
  expect((await hello.next()).value).toEqual({ data: { hello: 'Hello, anonymous!' } });
  const messages = client.iterate({ query: 'subscription { onMessage(room: "n") { text sender } }' });
  const first = messages.next();
  await until('room:n');
  const sent = client.iterate({ query: 'mutation { send(room: "n", text: "from next") }' });
  expect((await sent.next()).value).toEqual({ data: { send: true } });
  expect((await first).value).toEqual({ data: { onMessage: { text: 'from next', sender: 'anonymous' } } });
  await messages.return?.();
  await client.dispose();
});
