import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SendBuffer } from '../src/send-buffer.js';

/** A `ws` server socket and the client reading it, on loopback. */
async function socketPair(): Promise<{
  server: WebSocket;
  received: string[];
  arrived: (count: number) => Promise<void>;
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  opened.push(wss);
  await once(wss, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const [[server]] = await Promise.all([once(wss, 'connection') as Promise<[WebSocket]>, once(client, 'open')]);
  const received: string[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  client.on('message', (data) => {
    received.push(String(data));
    if (waiting !== undefined && received.length >= waiting.count) waiting.resolve();
  });
  const arrived = (count: number) =>
    received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { count, resolve }));
  return { server, received, arrived };
}

const opened: WebSocketServer[] = [];
afterEach(async () => {
  for (const wss of opened.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

describe('SendBuffer, batched', () => {
  it('writes the frames of a job when it ends, in the order they were sent, counting them as buffered meanwhile', async () => {
    const { server, received, arrived } = await socketPair();
    const buffer = new SendBuffer(server, 16 * 1024, true);
    buffer.send('first');
    buffer.send(Buffer.from('second'));
    // Not written yet: the job has not ended. The bytes count, so the outbox's bounds see them.
    expect(server.bufferedAmount).toBe(0);
    expect(buffer.bufferedAmount).toBe('first'.length + 'second'.length);
    await arrived(2);
    expect(received).toEqual(['first', 'second']);
    expect(buffer.bufferedAmount).toBe(0);
  });

  it('releases a drain wait that frames still waiting in the batch caused, once they are written', async () => {
    const { server, received, arrived } = await socketPair();
    const buffer = new SendBuffer(server, 1024, true);
    const frame = 'x'.repeat(300);
    for (let i = 0; i < 8; i++) buffer.send(frame);
    // 2,400 bytes wait, over the 1,024-byte mark: the outbox would wait for the drain.
    const drained = buffer.drained();
    expect(drained).toBeInstanceOf(Promise);
    // Loopback takes each write at once, so `ws`'s own buffer never holds any: the wait is released
    // by the frames written while it waits, or it would wait for ever.
    await drained;
    await arrived(8);
    expect(received).toHaveLength(8);
  });

  it('drops the frames of a socket closed before the batch is written, and writes the others', async () => {
    const a = await socketPair();
    const b = await socketPair();
    const first = new SendBuffer(a.server, 16 * 1024, true);
    const second = new SendBuffer(b.server, 16 * 1024, true);
    first.send('to a');
    second.send('to b');
    a.server.terminate();
    await b.arrived(1);
    expect(b.received).toEqual(['to b']);
    expect(a.received).toEqual([]);
  });
});

describe('SendBuffer, unbatched', () => {
  it('writes at once', async () => {
    const { server, received, arrived } = await socketPair();
    const buffer = new SendBuffer(server, 16 * 1024);
    buffer.send('now');
    expect(buffer.bufferedAmount).toBe(server.bufferedAmount);
    await arrived(1);
    expect(received).toEqual(['now']);
  });
});
