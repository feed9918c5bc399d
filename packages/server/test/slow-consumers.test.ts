// One client stops reading while 50 others receive 2,000 distinct 16 KiB notifications.
import { describe, expect, it } from 'vitest';
import { recordingLogger } from './utils/logger.js';
import { createFixture } from './utils/schema.js';
import { startServer } from './utils/test-server.js';

const healthyCount = 50;
const notifications = 2_000;
const body = 'x'.repeat(16 * 1024);

describe('a slow consumer among healthy ones', () => {
  it('costs the others nothing: they get every notification in order; its buffer and queue stay bounded', async () => {
    const logger = recordingLogger();
    const highWaterMark = 256 * 1024;
    await using server = await startServer(
      { sendHighWaterMark: highWaterMark, confirmSubscriptions: true, logger, messageRate: false },
      createFixture({ queueLimit: 100, logger }),
    );
    const query = { query: 'subscription { onMessage(room: "load") { text } }' };
    const slow = await server.client('graphql-transport-ws');
    await slow.init();
    slow.send({ id: 's', type: 'subscribe', payload: query });
    await slow.next();
    const healthy = await Promise.all(
      Array.from({ length: healthyCount }, () => server.client('graphql-transport-ws')),
    );
    for (const client of healthy) {
      await client.init();
      client.send({ id: 's', type: 'subscribe', payload: query });
      await client.next();
    }
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();

    // Each healthy client checks order as frames arrive (no buffering of 2,000 x 16 KiB per client).
    const received = healthy.map(() => 0);
    let wake: (() => void) | undefined;
    const progress = healthy.map(async (client, index) => {
      for (let expected = 0; expected < notifications; expected++) {
        const message = await client.next();
        const text = (message.payload as { data: { onMessage: { text: string } } }).data.onMessage.text;
        if (!text.startsWith(`${expected} `))
          throw new Error(`out of order: expected ${expected}, got ${text.slice(0, 12)}`);
        received[index] = expected + 1;
        wake?.();
      }
      return notifications;
    });
    // The producer keeps at most 50 notifications ahead of the slowest healthy client: it measures
    // the server, not how fast one test process can outrun 50 readers.
    const window = 50;
    let largestBuffer = 0;
    for (let i = 0; i < notifications; i++) {
      while (Math.min(...received) < i - window) await new Promise<void>((resolve) => (wake = resolve));
      await server.messages.broadcast({
        group: 'room:load',
        payload: { room: 'load', text: `${i} ${body}`, from: 'x' },
      });
      if (i % 100 === 0) largestBuffer = Math.max(largestBuffer, server.gql.bufferStats().largestBuffer);
    }
    expect(await Promise.all(progress)).toEqual(Array(healthyCount).fill(notifications));
    largestBuffer = Math.max(largestBuffer, server.gql.bufferStats().largestBuffer);

    // The slow socket's unsent bytes stay under the mark plus the frame in flight; its queue drops the oldest.
    expect(largestBuffer).toBeLessThanOrEqual(highWaterMark + 20 * 1024);
    expect(server.hub.stats().dropped).toBeGreaterThan(0);
    expect(logger.lines.some((line) => line.level === 'warn' && /is behind: dropped/.test(line.message))).toBe(true);
    (slow.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
  }, 120_000);
});
