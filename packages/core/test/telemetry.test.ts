// OpenTelemetry traces of broadcasts (issue 21), with the real SDK: a PRODUCER span per
// broadcast, a child of the span active at the call, failed when the broadcast is refused.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHub, silentLogger } from '../src/index.js';
import { recordSpans } from './trace-recorder.js';

const exporter = recordSpans();

const payload = z.object({ text: z.string() });

describe('broadcast spans', () => {
  it('records a PRODUCER span per broadcast, a child of the active span, with messaging attributes', async () => {
    const hub = createHub({ logger: silentLogger });
    const chat = hub.channel('chat', { payload });
    await trace.getTracer('test').startActiveSpan('mutation send', async (parent) => {
      await chat.broadcast({ group: 'room:1', payload: { text: 'hi' } });
      parent.end();
    });
    const spans = exporter.getFinishedSpans();
    const producer = spans.find((span) => span.name === 'publish chat');
    const parent = spans.find((span) => span.name === 'mutation send');
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    expect(producer?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(producer?.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(producer?.attributes).toMatchObject({
      'messaging.system': 'gqlcast',
      'messaging.operation.type': 'publish',
      'messaging.destination.name': 'chat',
      'gqlcast.group': 'room:1',
    });
    expect(producer?.attributes['messaging.message.body.size']).toBeGreaterThan(0);
    expect(producer?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks the span failed, with the exception recorded once, when the payload is refused', async () => {
    const hub = createHub({ logger: silentLogger });
    const chat = hub.channel('chat', { payload });
    await expect(chat.broadcast({ payload: { text: 42 } as never })).rejects.toThrow();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('publish chat');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.events.filter((event) => event.name === 'exception')).toHaveLength(1);
  });

  it('records nothing with telemetry: false', async () => {
    const hub = createHub({ logger: silentLogger, telemetry: false });
    const chat = hub.channel('chat', { payload });
    await chat.broadcast({ payload: { text: 'hi' } });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
