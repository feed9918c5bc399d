// Resumable subscriptions end to end (issue 19): @gqlcast/client against two real gqlcast servers
// that share one hub and a retaining channel. The first shuts down (1012) or drops the socket while
// broadcasts go on; the client resumes on the other from its cursor: one ordered stream, nothing
// lost, nothing repeated. "At once" is proven by a backoff of an hour, as in rolling-deploy.test.ts.
import type { Socket } from 'node:net';
import { deferred } from '@gqlcast/core/testing';
import { describe, expect, it } from 'vitest';
import { createFixture } from '../../server/test/utils/schema.js';
import { startServer } from '../../server/test/utils/test-server.js';
import { type ClientEvents, type ClientResult, createClient, webSocketTransport } from '../src/index.js';
import { protocols } from './setup.js';

const hour = 3_600_000;
const onMessage = 'subscription { onMessage(room: "r") { text } }';
const message = (n: number) => ({ room: 'r', text: String(n), from: 'x' });
const textOf = (result: ClientResult<unknown> | undefined) =>
  Number((result?.data as { onMessage?: { text: string } } | undefined)?.onMessage?.text);

describe.each(protocols)('resuming with @gqlcast/client (%s)', (protocol) => {
  it.each([
    ['a graceful shutdown (1012)', 'shutdown'],
    ['a dropped socket', 'drop'],
  ] as const)('after %s, the stream on the other server goes on without a loss or a duplicate', async (_label, how) => {
    const fixture = createFixture({ retain: { count: 1000 } });
    await using first = await startServer({ confirmSubscriptions: true }, fixture);
    await using second = await startServer({ confirmSubscriptions: true }, fixture);
    const client = createClient({
      transport: webSocketTransport([first.url, second.url]),
      protocol,
      retry: how === 'shutdown' ? { minDelay: hour, maxDelay: hour, jitter: 0 } : { minDelay: 1, maxDelay: 1 },
    });
    const gaps: ClientEvents['gap'][] = [];
    client.on('gap', (event) => gaps.push(event));
    // The first server's sockets, to cut them at the TCP level (no close frame: the client sees 1006).
    const sockets: Socket[] = [];
    first.http.on('upgrade', (_request, socket: Socket) => sockets.push(socket));
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    const received: number[] = [];
    const read = async (until: number) => {
      while (received.at(-1) !== until) received.push(textOf((await subscription.next()).value));
    };
    let n = 0;
    for (; n < 5; ) await fixture.messages.broadcast({ group: 'room:r', payload: message(++n) });
    await read(5);

    const reconnected = new Promise((resolve) => client.on('connected', resolve));
    if (how === 'shutdown') void first.gql.close();
    else for (const socket of sockets) socket.destroy();
    // Broadcast while the client is away (and while the first server is still closing).
    for (; n < 10; ) await fixture.messages.broadcast({ group: 'room:r', payload: message(++n) });
    await reconnected;
    for (; n < 15; ) await fixture.messages.broadcast({ group: 'room:r', payload: message(++n) });
    await read(15);
    expect(received).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
    await client.close();
  });

  it('reports a gap when it was away longer than the retention, then goes on in order', async () => {
    const fixture = createFixture({ retain: { count: 3 } });
    // The second server holds the re-subscription until 2…9 were broadcast: the client is away meanwhile.
    const away = deferred<void>();
    await using first = await startServer({ confirmSubscriptions: true }, fixture);
    await using second = await startServer({ confirmSubscriptions: true, onSubscribe: () => away.promise }, fixture);
    const client = createClient({
      transport: webSocketTransport([first.url, second.url]),
      protocol,
      retry: { minDelay: hour, maxDelay: hour, jitter: 0 },
    });
    const gaps: ClientEvents['gap'][] = [];
    client.on('gap', (event) => gaps.push(event));
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    await fixture.messages.broadcast({ group: 'room:r', payload: message(1) });
    expect(textOf((await subscription.next()).value)).toBe(1);
    const reconnected = new Promise((resolve) => client.on('connected', resolve));
    await first.gql.close();
    await reconnected;
    // Only 7, 8 and 9 stay retained.
    for (let n = 2; n <= 9; n++) await fixture.messages.broadcast({ group: 'room:r', payload: message(n) });
    away.resolve();
    // The gap first (it rode on the confirmation: a result without data), then what is retained, in order.
    const gap = (await subscription.next()).value;
    expect(gap?.extensions?.gqlcast?.gap).toEqual({ missed: 5 });
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push(textOf((await subscription.next()).value));
    expect(rest).toEqual([7, 8, 9]);
    expect(gaps).toEqual([{ id: expect.any(String), missed: 5 }]);
    await client.close();
  });
});
