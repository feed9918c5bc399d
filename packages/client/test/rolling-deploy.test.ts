// Rolling deploys (issue 19): a server shutting down closes with 1012, and the client goes to the
// next URL at once. "At once" is proven by a backoff of an hour: applied, the test would time out.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../server/test/utils/test-server.js';
import { type ClientEvents, createClient, webSocketTransport } from '../src/index.js';
import { closeScriptedServers, scripted } from './scripted.js';
import { protocols } from './setup.js';

afterEach(closeScriptedServers);

const hour = 3_600_000;
const onMessage = 'subscription { onMessage(room: "r") { text } }';
const message = (text: string) => ({ room: 'r', text, from: 'x' });

describe.each(protocols)('rolling deploy (%s)', (protocol) => {
  it('moves to the next URL at once when its server shuts down (1012), and re-subscribes there', async () => {
    await using first = await startServer({ confirmSubscriptions: true });
    await using second = await startServer({ confirmSubscriptions: true });
    const client = createClient({
      transport: webSocketTransport([first.url, second.url]),
      protocol,
      retry: { minDelay: hour, maxDelay: hour, jitter: 0 },
    });
    const closes: ClientEvents['closed'][] = [];
    const reconnects: ClientEvents['reconnecting'][] = [];
    client.on('closed', (event) => closes.push(event));
    client.on('reconnecting', (event) => reconnects.push(event));
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    await first.messages.broadcast({ group: 'room:r', payload: message('from the first') });
    expect((await subscription.next()).value).toEqual({ data: { onMessage: { text: 'from the first' } } });

    const reconnected = new Promise((resolve) => client.on('connected', resolve));
    await first.gql.close();
    await reconnected;
    // Re-subscribed on the second server: a broadcast there arrives.
    await second.topicSubscribed('messages:room:r');
    await second.messages.broadcast({ group: 'room:r', payload: message('from the second') });
    expect((await subscription.next()).value).toEqual({ data: { onMessage: { text: 'from the second' } } });
    expect(closes).toEqual([{ code: 1012, reason: 'Server is shutting down' }]);
    expect(reconnects).toEqual([{ attempt: 1, delay: 0 }]);
    expect(second.gql.connectionCount).toBe(1);
    await client.close();
  });
});

describe('several URLs', () => {
  it('tries the next URL when one cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await using server = await startServer();
    const client = createClient({
      transport: webSocketTransport([`ws://127.0.0.1:${port}/graphql`, server.url]),
      retry: { minDelay: 1, maxDelay: 1 },
    });
    const attempts: number[] = [];
    client.on('connecting', ({ attempt }) => attempts.push(attempt));
    expect(await client.execute({ query: '{ hello }' })).toEqual({ data: { hello: 'Hello, world!' } });
    expect(attempts).toEqual([0, 1]);
    await client.close();
  });

  it('refuses an empty list, naming the option', () => {
    expect(() => webSocketTransport([])).toThrow(
      new TypeError('webSocketTransport: `url` must be a URL or a non-empty list of URLs.'),
    );
  });
});

describe('1012 without a tight loop', () => {
  it('skips the backoff once, not for a server that keeps closing with 1012 right after acknowledging', async () => {
    const url = await scripted(async (connection) => {
      await connection.next(); // connection_init
      connection.send({ type: 'connection_ack' });
      connection.socket.close(1012, 'Service restart');
    });
    const client = createClient({
      transport: webSocketTransport(url),
      lazy: false,
      retry: { minDelay: hour, maxDelay: hour, jitter: 0 },
    });
    const reconnects = await new Promise<ClientEvents['reconnecting'][]>((resolve) => {
      const seen: ClientEvents['reconnecting'][] = [];
      client.on('reconnecting', (event) => {
        seen.push(event);
        if (seen.length === 2) resolve(seen);
      });
    });
    // The first reconnection at once; the second, after the same server did it again, waits its backoff.
    expect(reconnects).toEqual([
      { attempt: 1, delay: 0 },
      { attempt: 1, delay: hour },
    ]);
    await client.close();
  });
});
