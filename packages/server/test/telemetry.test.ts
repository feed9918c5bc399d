// OpenTelemetry traces of operations (issue 21), with the real SDK: a SERVER span per operation,
// named by its type; a subscription's lasts until it ends and says why; a broadcast in a
// mutation's resolver is a child of the mutation's span.
import { createHub, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import SchemaBuilder from '@pothos/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { finishedSpan, recordSpans } from '../../core/test/trace-recorder.js';
import type { ServerOptions } from '../src/index.js';
import type { TestClient } from './utils/test-client.js';
import { startServer } from './utils/test-server.js';
import { watchedLayer } from './utils/watched-layer.js';

const exporter = recordSpans();

function fixture() {
  const { layer, topicSubscribed } = watchedLayer();
  const hub = createHub({ layer, logger: silentLogger });
  const news = hub.channel('news', { payload: z.object({ text: z.string() }) });
  const builder = new SchemaBuilder<{ Context: object }>({ plugins: [GqlcastPlugin] });
  builder.queryType({ fields: (t) => ({ hello: t.string({ resolve: () => 'hi' }) }) });
  builder.mutationType({
    fields: (t) => ({
      send: t.boolean({
        args: { text: t.arg.string({ required: true }) },
        resolve: async (_root, args) => {
          await news.broadcast({ payload: { text: args.text } });
          return true;
        },
      }),
    }),
  });
  const News = builder
    .objectRef<{ text: string }>('News')
    .implement({ fields: (t) => ({ text: t.exposeString('text') }) });
  builder.subscriptionType({
    fields: (t) => ({
      news: t.subscriptionField({ type: News, channel: news }),
      // graphql-js's own path: a stream that yields once, then breaks.
      breaking: t.field({
        type: News,
        subscribe: async function* () {
          yield { text: 'first' };
          throw new Error('the stream broke');
        },
        resolve: (value) => value as { text: string },
      }),
    }),
  });
  return { hub, news, schema: builder.toSchema(), topicSubscribed };
}

async function serve(options: Partial<ServerOptions> = {}) {
  const f = fixture();
  const server = await startServer({ confirmSubscriptions: true, ...options }, f);
  return { ...server, news: f.news };
}

const finished = (test: (span: ReadableSpan) => boolean) => finishedSpan(exporter, test);

async function connected(server: Awaited<ReturnType<typeof serve>>): Promise<TestClient> {
  const client = await server.client('graphql-transport-ws');
  await client.init();
  return client;
}

const serverSpans = () => exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);

describe('operation spans', () => {
  it('names a query span by its type, with the GraphQL attributes', async () => {
    await using server = await serve();
    const client = await connected(server);
    client.send({ id: '1', type: 'subscribe', payload: { query: 'query Hello { hello }' } });
    await client.until((m) => m.type === 'complete');
    const span = await finished((s) => s.kind === SpanKind.SERVER);
    expect(span.name).toBe('query');
    expect(span.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'Hello' });
    expect(span.attributes['gqlcast.end_reason']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("traces a broadcast in a mutation's resolver as a child of the mutation's span", async () => {
    await using server = await serve();
    const client = await connected(server);
    client.send({ id: '1', type: 'subscribe', payload: { query: 'mutation { send(text: "hi") }' } });
    await client.until((m) => m.type === 'complete');
    const mutation = await finished((s) => s.name === 'mutation');
    const producer = await finished((s) => s.name === 'publish news');
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(producer.parentSpanContext?.spanId).toBe(mutation.spanContext().spanId);
    expect(producer.spanContext().traceId).toBe(mutation.spanContext().traceId);
  });

  it.each([
    ['complete', (client: TestClient): void => client.send({ id: 's', type: 'complete' })],
    ['disconnect', (client: TestClient): void => void client.close()],
  ] as const)('keeps a subscription span open until it ends, with gqlcast.end_reason %s', async (reason, end) => {
    await using server = await serve();
    const client = await connected(server);
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { news { text } }' } });
    await client.next(); // the confirmation
    await server.news.broadcast({ payload: { text: 'one' } });
    await client.next();
    // Still running: no server span has ended.
    expect(serverSpans()).toEqual([]);
    end(client);
    const span = await finished((s) => s.name === 'subscription');
    expect(span.attributes).toMatchObject({ 'graphql.operation.type': 'subscription', 'gqlcast.end_reason': reason });
  });

  it('records unsubscribe when the channel ends the subscription', async () => {
    await using server = await serve();
    const client = await connected(server);
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { news { text } }' } });
    await client.next();
    await server.news.unsubscribe();
    expect((await client.next()).type).toBe('complete');
    const span = await finished((s) => s.name === 'subscription');
    expect(span.attributes['gqlcast.end_reason']).toBe('unsubscribe');
  });

  it('records shutdown when the server closes under a subscription', async () => {
    const server = await serve();
    const client = await connected(server);
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { news { text } }' } });
    await client.next();
    await server.gql.close();
    const span = await finished((s) => s.name === 'subscription');
    expect(span.attributes['gqlcast.end_reason']).toBe('shutdown');
    await server[Symbol.asyncDispose]();
  });

  it('records error, with status ERROR and the exception once, when the stream fails', async () => {
    await using server = await serve({ logger: silentLogger });
    const client = await connected(server);
    client.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { breaking { text } }' } });
    await client.next(); // the confirmation
    expect((await client.next()).payload).toEqual({ data: { breaking: { text: 'first' } } });
    expect((await client.next()).type).toBe('error');
    const span = await finished((s) => s.name === 'subscription');
    expect(span.attributes).toMatchObject({ 'gqlcast.end_reason': 'error', 'gqlcast.notifications.delivered': 1 });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.filter((event) => event.name === 'exception')).toHaveLength(1);
  });

  it('marks a refused operation failed, with its errors recorded once', async () => {
    await using server = await serve();
    const client = await connected(server);
    client.send({ id: '1', type: 'subscribe', payload: { query: '{ nope }' } });
    expect((await client.next()).type).toBe('error');
    const span = await finished((s) => s.kind === SpanKind.SERVER);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.filter((event) => event.name === 'exception')).toHaveLength(1);
  });

  it('adds the operation name and the document only when asked', async () => {
    await using server = await serve({ telemetry: { includeOperationName: true, includeDocument: true } });
    const client = await connected(server);
    client.send({ id: '1', type: 'subscribe', payload: { query: 'query Hello { hello }' } });
    await client.until((m) => m.type === 'complete');
    const span = await finished((s) => s.kind === SpanKind.SERVER);
    expect(span.name).toBe('query Hello');
    expect(span.attributes['graphql.document']).toBe('query Hello { hello }');
  });

  it('records no operation span with telemetry: false', async () => {
    await using server = await serve({ telemetry: false });
    const client = await connected(server);
    client.send({ id: '1', type: 'subscribe', payload: { query: '{ hello }' } });
    await client.until((m) => m.type === 'complete');
    // A later answered query on the same connection: the first one's span would have ended before it.
    client.send({ id: '2', type: 'subscribe', payload: { query: '{ hello }' } });
    await client.until((m) => m.type === 'complete' && m.id === '2');
    expect(serverSpans()).toEqual([]);
  });
});
