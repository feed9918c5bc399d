// OpenTelemetry across a layer (issue 21), with the real SDK: the broadcaster's trace context
// travels with the broadcast, the receiving side's CONSUMER span continues that trace (one per
// received broadcast, not per subscriber), and the delivery latency histogram is recorded.
import { SpanKind, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHub, memoryLayer, silentLogger } from '../src/index.js';
import { recordMetrics, recordSpans } from './trace-recorder.js';

const exporter = recordSpans();
const recorder = recordMetrics();
const payload = z.object({ text: z.string() });

describe('trace context through the layer', () => {
  it('makes one CONSUMER span per received broadcast, a child of the PRODUCER span, whatever the subscriber count', async () => {
    const hub = createHub({ logger: silentLogger });
    const chat = hub.channel('chat', { payload });
    const first = chat.subscribe(['room:1']);
    const second = chat.subscribe(['room:1']);
    await Promise.all([first.ready, second.ready]);
    await trace.getTracer('test').startActiveSpan('mutation send', async (parent) => {
      await chat.broadcast({ group: 'room:1', payload: { text: 'hi' } });
      parent.end();
    });
    expect((await first.next()).value).toEqual({ text: 'hi' });
    expect((await second.next()).value).toEqual({ text: 'hi' });
    const spans = exporter.getFinishedSpans();
    const producer = spans.find((span) => span.name === 'publish chat');
    const consumers = spans.filter((span) => span.name === 'process chat');
    expect(consumers).toHaveLength(1);
    const [consumer] = consumers;
    expect(consumer?.kind).toBe(SpanKind.CONSUMER);
    // The parent is the PRODUCER span, which was never the active one: it came in the frame.
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(consumer?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(consumer?.attributes).toMatchObject({
      'messaging.system': 'gqlcast',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'chat',
      'gqlcast.group': 'room:1',
      'gqlcast.subscribers': 2,
    });
    await hub.close();
  });

  it('continues the trace of a hub that shares only the layer (as another process would)', async () => {
    const layer = memoryLayer();
    const receiving = createHub({ logger: silentLogger, layer });
    const sending = createHub({ logger: silentLogger, layer });
    const received = receiving.channel('chat', { payload }).subscribe();
    await received.ready;
    await sending.channel('chat', { payload }).broadcast({ payload: { text: 'hi' } });
    await received.next();
    const producer = exporter.getFinishedSpans().find((span) => span.name === 'publish chat');
    const consumer = exporter.getFinishedSpans().find((span) => span.name === 'process chat');
    expect(producer?.parentSpanContext).toBeUndefined();
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    await sending.close();
    await receiving.close();
  });

  it('starts a trace of its own for a broadcast that carries none (the sender traces nothing)', async () => {
    const layer = memoryLayer();
    const receiving = createHub({ logger: silentLogger, layer });
    const sending = createHub({ logger: silentLogger, layer, telemetry: false });
    const received = receiving.channel('chat', { payload }).subscribe();
    await received.ready;
    await sending.channel('chat', { payload }).broadcast({ payload: { text: 'hi' } });
    expect((await received.next()).value).toEqual({ text: 'hi' });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['process chat']);
    expect(spans[0]?.parentSpanContext).toBeUndefined();
    await receiving.close();
  });

  it('records no span with telemetry: false on the receiving hub', async () => {
    const hub = createHub({ logger: silentLogger, telemetry: false });
    const chat = hub.channel('chat', { payload });
    const received = chat.subscribe();
    await received.ready;
    await chat.broadcast({ payload: { text: 'hi' } });
    await received.next();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await hub.close();
  });
});

describe('delivery latency', () => {
  it('records one latency per received broadcast, in seconds, by channel', async () => {
    const hub = createHub({ logger: silentLogger });
    const chat = hub.channel('latency', { payload });
    const received = [chat.subscribe(), chat.subscribe()];
    await Promise.all(received.map((subscription) => subscription.ready));
    await chat.broadcast({ payload: { text: 'one' } });
    await chat.broadcast({ payload: { text: 'two' } });
    for (const subscription of received) {
      await subscription.next();
      await subscription.next();
    }
    const points = await recorder.points('gqlcast.notification.latency');
    const point = points.find((candidate) => candidate.attributes['messaging.destination.name'] === 'latency');
    const histogram = point?.value as { count: number; min: number; max: number };
    expect(histogram.count).toBe(2);
    expect(histogram.min).toBeGreaterThanOrEqual(0);
    // Seconds, not milliseconds: a loopback fan-out takes well under a minute.
    expect(histogram.max).toBeLessThan(60);
    await hub.close();
  });

  it('records nothing with telemetry: false', async () => {
    const hub = createHub({ logger: silentLogger, telemetry: false });
    const chat = hub.channel('quiet', { payload });
    const received = chat.subscribe();
    await received.ready;
    await chat.broadcast({ payload: { text: 'one' } });
    await received.next();
    const points = await recorder.points('gqlcast.notification.latency');
    expect(points.find((candidate) => candidate.attributes['messaging.destination.name'] === 'quiet')).toBeUndefined();
    await hub.close();
  });
});
