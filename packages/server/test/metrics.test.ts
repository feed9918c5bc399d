// OpenTelemetry metrics (issue 21), with the real SDK's in-memory reader, after a scripted
// scenario: connections open and closed by code, refusals by reason, operations refused by
// code, subscriptions active by field, notifications by channel and outcome, bytes waiting.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { recordMetrics } from '../../core/test/trace-recorder.js';
import type { ServerOptions } from '../src/index.js';
import { newsFixture } from './utils/news-schema.js';
import type { TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';

const recorder = recordMetrics();

async function serve(options: Partial<ServerOptions> = {}, queueLimit?: number) {
  const f = newsFixture(queueLimit);
  const server = await startServer({ confirmSubscriptions: true, ...options }, f);
  return { ...server, news: f.news };
}

/** The value of `name`'s data point whose attributes include `attributes` (0 when none yet). */
async function metricValue(name: string, attributes: Record<string, unknown> = {}): Promise<number> {
  const points = await recorder.points(name);
  const point = points.find((candidate) =>
    Object.entries(attributes).every(([key, value]) => candidate.attributes[key] === value),
  );
  return (point?.value as number | undefined) ?? 0;
}

/** Waits (one turn of the event loop at a time, no timer) until `name` reaches `expected`. */
async function reaches(name: string, attributes: Record<string, unknown>, expected: number): Promise<void> {
  while ((await metricValue(name, attributes)) !== expected) await new Promise((resolve) => setImmediate(resolve));
}

async function subscribed(server: Awaited<ReturnType<typeof serve>>, id = 's'): Promise<TestClient> {
  const client = await server.client('graphql-transport-ws');
  await client.init();
  client.send({ id, type: 'subscribe', payload: { query: 'subscription { news { text } }' } });
  await client.next(); // the confirmation
  return client;
}

describe('connection metrics', () => {
  it('counts connections open and closed by code, and refusals by reason', async () => {
    await using server = await serve({
      allowedOrigins: ['https://ok.example'],
      onConnect: (_connection, params) => params?.deny !== true,
    });
    const open = { 'gqlcast.subprotocol': 'graphql-transport-ws' };
    const first = await server.client('graphql-transport-ws');
    await first.init();
    const second = await server.client('graphql-transport-ws');
    await second.init();
    expect(await metricValue('gqlcast.connections.open', open)).toBe(2);

    // A browser from another origin: refused before the upgrade.
    const foreign = new WebSocket(server.url, 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
    foreign.on('error', () => undefined);
    await once(foreign, 'unexpected-response');
    expect(await metricValue('gqlcast.connections.refused', { 'gqlcast.refusal_reason': 'origin' })).toBe(1);

    // onConnect says no: refused, closed with 4403.
    const denied = await server.client('graphql-transport-ws');
    denied.send({ type: 'connection_init', payload: { deny: true } });
    expect((await denied.closed).code).toBe(4403);
    await reaches('gqlcast.connections.closed', { 'gqlcast.close_code': 4403 }, 1);
    expect(await metricValue('gqlcast.connections.refused', { 'gqlcast.refusal_reason': 'on_connect' })).toBe(1);

    await second.close();
    await reaches('gqlcast.connections.closed', { 'gqlcast.close_code': 1000 }, 1);
    await reaches('gqlcast.connections.open', open, 1);
    await first.close();
    await reaches('gqlcast.connections.open', open, 0);
  });
});

describe('close codes', () => {
  it('counts a close code a client made up as other, so clients cannot grow the series', async () => {
    await using server = await serve();
    for (const code of [3001, 3002, 4999]) {
      const client = await server.client('graphql-transport-ws');
      await client.init();
      client.ws.close(code);
      await client.closed;
    }
    await reaches('gqlcast.connections.closed', { 'gqlcast.close_code': 'other' }, 3);
    const points = await recorder.points('gqlcast.connections.closed');
    expect(points.map((point) => point.attributes['gqlcast.close_code'])).not.toContain(3001);
  });
});

describe('operation metrics', () => {
  it('counts subscriptions active by field and refused operations by code', async () => {
    await using server = await serve({ maxSubscriptionsPerConnection: 1 });
    const client = await subscribed(server);
    expect(await metricValue('gqlcast.subscriptions.active', { 'graphql.field.name': 'news' })).toBe(1);
    client.send({ id: 't', type: 'subscribe', payload: { query: 'subscription { news { text } }' } });
    expect((await client.next()).type).toBe('error');
    expect(await metricValue('gqlcast.operations.refused', { 'error.type': 'GQLCAST_TOO_MANY_SUBSCRIPTIONS' })).toBe(1);
    client.send({ id: 'u', type: 'subscribe', payload: { query: '{ nope }' } });
    expect((await client.next()).type).toBe('error');
    expect(await metricValue('gqlcast.operations.refused', { 'error.type': 'GQLCAST_INVALID_OPERATION' })).toBe(1);
    client.send({ id: 's', type: 'complete' });
    await reaches('gqlcast.subscriptions.active', { 'graphql.field.name': 'news' }, 0);
  });

  it('counts notifications by channel and outcome: delivered and skipped', async () => {
    await using server = await serve();
    const clients = [await subscribed(server), await subscribed(server)];
    for (const text of ['one', '-skip', 'two']) await server.news.broadcast({ payload: { text } });
    for (const client of clients) {
      await client.next();
      await client.next();
    }
    const channel = { 'messaging.destination.name': 'news' };
    expect(await metricValue('gqlcast.notifications', { ...channel, 'gqlcast.outcome': 'delivered' })).toBe(4);
    expect(await metricValue('gqlcast.notifications', { ...channel, 'gqlcast.outcome': 'skipped' })).toBe(2);
    expect(await metricValue('gqlcast.notifications', { ...channel, 'gqlcast.outcome': 'dropped' })).toBe(0);
  });

  it('counts what a socket that stopped reading dropped, and reports the bytes waiting for it', async () => {
    await using server = await serve({ sendHighWaterMark: 16 * 1024, messageRate: false }, 4);
    const slow = await subscribed(server);
    const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    // 24 MiB: more than the loopback socket buffers can hold, so the outbox must drop.
    const text = 'x'.repeat(64 * 1024);
    const sent = 400;
    for (let i = 0; i < sent; i++) await server.news.broadcast({ payload: { text } });
    expect(await metricValue('gqlcast.outbox.bytes')).toBeGreaterThan(16 * 1024);
    socket.resume();
    await server.news.broadcast({ payload: { text: 'last' } });
    // Read up to the last one: everything else was either written or dropped by then.
    for (;;) {
      const message = await slow.next();
      if ((message.payload as { data: { news: { text: string } } }).data.news.text === 'last') break;
    }
    const channel = { 'messaging.destination.name': 'news' };
    const delivered = await metricValue('gqlcast.notifications', { ...channel, 'gqlcast.outcome': 'delivered' });
    const dropped = await metricValue('gqlcast.notifications', { ...channel, 'gqlcast.outcome': 'dropped' });
    expect(dropped).toBeGreaterThan(0);
    expect(delivered + dropped).toBe(sent + 1);
  });
});
