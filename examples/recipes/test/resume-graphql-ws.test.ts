// The resume recipe for graphql-ws's client, against two scripted servers on loopback that speak
// the wire format of docs/resume-client.md: the first sends cursors then restarts (1012), the
// second checks the cursor it is sent back and reports a gap.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createResumingClient, subscribeResuming } from '../src/resume-graphql-ws.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

type Frame = { id?: string; type: string; payload?: { extensions?: unknown } };

/** A graphql-transport-ws server that acknowledges, then runs `onSubscribe` for the subscribe message. */
async function scripted(onSubscribe: (socket: WebSocket, subscribe: Frame) => void): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-transport-ws' });
  servers.push(server);
  await once(server, 'listening');
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      else if (frame.type === 'subscribe') onSubscribe(socket, frame);
    });
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const tick = (n: number, gqlcast: object = {}) => ({
  data: { tick: n },
  extensions: { gqlcast: { cursor: `c${n}`, ...gqlcast } },
});

it('graphql-ws client: moves to the next URL on 1012 and resumes from the last cursor; a gap is reported', async () => {
  const resumedWith: unknown[] = [];
  const first = await scripted((socket, subscribe) => {
    for (const n of [1, 2]) socket.send(JSON.stringify({ id: subscribe.id, type: 'next', payload: tick(n) }));
    socket.close(1012, 'Service restart');
  });
  const second = await scripted((socket, subscribe) => {
    resumedWith.push(subscribe.payload?.extensions);
    // c3 is gone from this server's history: the gap comes with the next result.
    for (const payload of [tick(4, { gap: { missed: 1 } }), tick(5)])
      socket.send(JSON.stringify({ id: subscribe.id, type: 'next', payload }));
  });
  const client = createResumingClient([first, second], { webSocketImpl: WebSocket, retryAttempts: 1 });
  const results: unknown[] = [];
  const gaps: (number | undefined)[] = [];
  await new Promise<void>((resolve, reject) => {
    const unsubscribe = subscribeResuming(
      client,
      { query: 'subscription { tick }', extensions: { app: 1 } },
      {
        next(result) {
          results.push(result);
          if (results.length === 4) {
            unsubscribe();
            resolve();
          }
        },
        gap: (missed) => gaps.push(missed),
        error: reject,
        complete: () => undefined,
      },
    );
  });
  expect(results).toEqual([tick(1), tick(2), tick(4, { gap: { missed: 1 } }), tick(5)]);
  expect(gaps).toEqual([1]);
  expect(resumedWith).toEqual([{ app: 1, gqlcast: { resumeFrom: 'c2' } }]);
  await client.dispose();
});
