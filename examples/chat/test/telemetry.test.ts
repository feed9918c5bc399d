// The chat's OpenTelemetry (issue 21): Prometheus metrics on /metrics, and traces and metrics
// exported over OTLP/HTTP to a collector (a loopback HTTP server standing in for one).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, webSocketTransport } from '@gqlcast/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess, waitForLine } from '../../../packages/redis/test/utils/processes.js';
import { startChatServer } from '../src/server/app.js';
import { startTelemetry } from '../src/server/telemetry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gqlcast-chat-otel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const subscription = 'subscription { onNewChatMessage { text } }';
const send = 'mutation { sendChatMessage(chatroom: "kittens", text: "hello") { ok } }';

/** `listener` subscribes, `sender` sends one message (the chat never echoes it to its sender): what `listener` got. */
async function oneMessage(listener: ReturnType<typeof createClient>, sender: ReturnType<typeof createClient>) {
  const messages = listener.subscribe({ query: subscription });
  await messages.ready;
  await sender.execute({ query: send });
  return (await messages.next()).value;
}

/** One Prometheus sample: the line of `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('PROMETHEUS_METRICS=1', () => {
  it('serves gqlcast’s metrics on /metrics in the Prometheus text format', async () => {
    const telemetry = await startTelemetry({ PROMETHEUS_METRICS: '1' });
    const server = await startChatServer({
      port: 0,
      databaseFile: join(dir, 'prometheus.sqlite'),
      log: () => undefined,
      keepAlive: 0,
      metrics: telemetry?.metricsHandler,
    });
    const url = `ws://127.0.0.1:${server.port}/graphql`;
    // Stays connected while /metrics is read: a listener and a sender.
    const listener = createClient({ transport: webSocketTransport(url), retry: false });
    const sender = createClient({ transport: webSocketTransport(url), retry: false });
    try {
      expect(await oneMessage(listener, sender)).toEqual({ data: { onNewChatMessage: { text: 'hello' } } });

      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(sample(text, 'gqlcast_connections_open', { gqlcast_subprotocol: 'graphql-transport-ws' })).toBe(2);
      expect(sample(text, 'gqlcast_subscriptions_active', { graphql_field_name: 'onNewChatMessage' })).toBe(1);
      expect(
        sample(text, 'gqlcast_notifications_total', {
          messaging_destination_name: 'chatMessages',
          gqlcast_outcome: 'delivered',
        }),
      ).toBe(1);
      expect(
        sample(text, 'gqlcast_notification_latency_count', { messaging_destination_name: 'chatMessages' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'gqlcast_outbox_bytes', {})).toBeGreaterThanOrEqual(0);
    } finally {
      await listener.close();
      await sender.close();
      await server.close();
      await telemetry?.shutdown();
    }
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports the broadcast’s trace and the metrics over OTLP/HTTP', async () => {
    const received: Record<string, string[]> = { '/v1/traces': [], '/v1/metrics': [] };
    let arrived: (() => void) | undefined;
    const collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received[request.url ?? '']?.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        arrived?.();
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const chat = fork(`${root}src/server/main.ts`, [], {
      execArgv: ['--conditions=@gqlcast/source', '--import', 'tsx'],
      env: {
        ...process.env,
        PORT: '0',
        DB_FILE: join(dir, 'otlp.sqlite'),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        // Export soon after, rather than after the SDK's default 5 s and 60 s.
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    try {
      const port = Number((await waitForLine(chat, /localhost:(\d+) \(GraphiQL/))[1]);
      const url = `ws://127.0.0.1:${port}/graphql`;
      const listener = createClient({ transport: webSocketTransport(url), retry: false });
      const sender = createClient({ transport: webSocketTransport(url), retry: false });
      try {
        await oneMessage(listener, sender);
      } finally {
        await listener.close();
        await sender.close();
      }
      type Batch = { resourceSpans: { scopeSpans: { spans: { name: string; traceId: string }[] }[] }[] };
      const spans = () =>
        (received['/v1/traces'] ?? []).flatMap((body) =>
          (JSON.parse(body) as Batch).resourceSpans.flatMap((resource) =>
            resource.scopeSpans.flatMap((scope) => scope.spans),
          ),
        );
      const done = () =>
        ['publish chatMessages', 'process chatMessages', 'mutation'].every((name) =>
          spans().some((span) => span.name === name),
        ) && (received['/v1/metrics'] ?? []).some((body) => body.includes('"gqlcast.notifications"'));
      while (!done()) await new Promise<void>((resolve) => (arrived = resolve));
      const all = spans();
      const mutation = all.find((span) => span.name === 'mutation');
      // One trace from the mutation to the delivery: the broadcast and its processing are in it.
      expect(all.find((span) => span.name === 'publish chatMessages')?.traceId).toBe(mutation?.traceId);
      expect(all.find((span) => span.name === 'process chatMessages')?.traceId).toBe(mutation?.traceId);
      expect(received['/v1/traces']?.[0]).toContain('"gqlcast-chat"');
    } finally {
      await stopProcess(chat);
      collector.close();
    }
  });
});
