// One trace across processes over Redis (issue 21): a worker process broadcasts inside a span
// of its own; this process's CONSUMER span for that broadcast continues the worker's trace.
// The trace context can only have come in the message: the two processes share nothing else.
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSpans } from '../../core/test/trace-recorder.js';
import { chatHub } from './fixtures/chat.js';
import { startFixture, waitForLine } from './utils/processes.js';
import { type RedisNode, startRedis } from './utils/redis-server.js';

const exporter = recordSpans();
let node: RedisNode;
beforeAll(async () => {
  node = await startRedis();
});
afterAll(async () => {
  await node?.stop();
});

describe('a trace from a broadcast in one process to the delivery in another', () => {
  it('continues the broadcaster’s trace in the receiving process', async () => {
    const { hub, messages } = chatHub(node.url);
    try {
      const subscription = messages.subscribe(['room:traced']);
      await subscription.ready;
      const worker = startFixture('traced-broadcast.ts', [node.url, 'traced', 'hello']);
      const [, traceId, producerSpanId] = await waitForLine(worker, /trace (\w+) (\w+)/);
      expect((await subscription.next()).value).toEqual({ room: 'traced', text: 'hello', from: 'worker' });
      const consumer = exporter.getFinishedSpans().find((span) => span.name === 'process messages');
      expect(consumer?.kind).toBe(SpanKind.CONSUMER);
      expect(consumer?.spanContext().traceId).toBe(traceId);
      expect(consumer?.parentSpanContext?.spanId).toBe(producerSpanId);
      expect(consumer?.parentSpanContext?.isRemote).toBe(true);
      await worker.output;
    } finally {
      await hub.close();
    }
  });
});
