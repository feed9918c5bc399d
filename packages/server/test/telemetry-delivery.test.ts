import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { finishedSpan, recordSpans } from '../../core/test/trace-recorder.js';
import { newsFixture } from './utils/news-schema.js';
import type { TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';

const exporter = recordSpans();

async function serve() {
  const f = newsFixture();
  const server = await startServer({ confirmSubscriptions: true }, f);
  return { ...server, news: f.news };
}

const finished = (test: (span: ReadableSpan) => boolean) => finishedSpan(exporter, test);

async function subscribed(server: Awaited<ReturnType<typeof serve>>, query: string): Promise<TestClient> {
  const client = await server.client('graphql-transport-ws');
  await client.init();
  client.send({ id: 's', type: 'subscribe', payload: { query } });
  await client.next(); // the confirmation
  return client;
}

describe('a subscription span', () => {
  it('counts the notifications delivered and skipped when it ends', async () => {
    await using server = await serve();
    const client = await subscribed(server, 'subscription { news { text } }');
    for (const text of ['one', '-quiet', 'two', '-hush', '-shh']) await server.news.broadcast({ payload: { text } });
    expect((await client.next()).payload).toEqual({ data: { news: { text: 'one' } } });
    expect((await client.next()).payload).toEqual({ data: { news: { text: 'two' } } });
    // A later broadcast that is delivered: the skipped ones before it were counted by then.
    await server.news.broadcast({ payload: { text: 'three' } });
    expect((await client.next()).payload).toEqual({ data: { news: { text: 'three' } } });
    client.send({ id: 's', type: 'complete' });
    const span = await finished((s) => s.name === 'subscription');
    expect(span.attributes).toMatchObject({
      'gqlcast.end_reason': 'complete',
      'gqlcast.notifications.delivered': 3,
      'gqlcast.notifications.skipped': 3,
      'gqlcast.notifications.dropped': 0,
    });
  });
});

describe('a failing publish', () => {
  it('marks the received broadcast’s span failed, with the exception recorded once', async () => {
    await using server = await serve();
    const client = await subscribed(server, 'subscription { failing { text } }');
    exporter.reset();
    await server.news.broadcast({ payload: { text: 'boom' } });
    const failed = await client.next();
    expect(failed.payload).toMatchObject({ errors: [{ message: 'publish failed on boom' }] });
    const received = await finished((s) => s.name === 'process news');
    expect(received.status.code).toBe(SpanStatusCode.ERROR);
    expect(received.events.filter((event) => event.name === 'exception')).toHaveLength(1);
    // The stream goes on, and the next broadcast's span is fine.
    exporter.reset();
    await server.news.broadcast({ payload: { text: 'fine' } });
    expect((await client.next()).payload).toEqual({ data: { failing: { text: 'fine' } } });
    expect((await finished((s) => s.name === 'process news')).status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('a shared execution', () => {
  it('runs inside one CONSUMER span per notification for all its subscribers, a child of the broadcast’s trace', async () => {
    await using server = await serve();
    const clients = await Promise.all([1, 2, 3].map(() => subscribed(server, 'subscription { shared { text } }')));
    exporter.reset();
    await server.news.broadcast({ payload: { text: 'hello' } });
    for (const client of clients)
      expect((await client.next()).payload).toEqual({ data: { shared: { text: 'hello' } } });
    const producer = await finished((s) => s.name === 'publish news');
    const received = await finished(
      (s) => s.name === 'process news' && s.instrumentationScope.name === '@gqlcast/core',
    );
    const executions = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'process news' && s.instrumentationScope.name === '@gqlcast/server');
    expect(executions).toHaveLength(1);
    const [execution] = executions;
    expect(execution?.kind).toBe(SpanKind.CONSUMER);
    expect(execution?.attributes).toMatchObject({
      'gqlcast.execution': 'shared',
      'gqlcast.subscribers': 3,
      'messaging.destination.name': 'news',
    });
    expect(execution?.parentSpanContext?.spanId).toBe(received.spanContext().spanId);
    expect(execution?.spanContext().traceId).toBe(producer.spanContext().traceId);
    // One span per received broadcast in this process too, not one per subscriber.
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'process news')).toHaveLength(2);
  });

  it('makes no execution span for subscribers executed one by one', async () => {
    await using server = await serve();
    const clients = await Promise.all([1, 2].map(() => subscribed(server, 'subscription { news { text } }')));
    exporter.reset();
    await server.news.broadcast({ payload: { text: 'hello' } });
    for (const client of clients) await client.next();
    await finished((s) => s.name === 'process news');
    expect(exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@gqlcast/server')).toEqual([]);
  });
});
