// Issue 15, attacks 10 and 12: sockets that misbehave, and clients that write into the logs.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { logText } from '../../src/index.js';
import { recordingLogger } from '../utils/logger.js';
import { rawConnect } from '../utils/raw-socket.js';
import { startServer } from '../utils/test-server.js';

describe('attack 10: sockets that never send connection_init and never answer the close', () => {
  it('closes with 4408, then destroys the socket after closeTimeout instead of waiting 30 s for the peer', async () => {
    await using server = await startServer({ connectionInitTimeout: 20, closeTimeout: 20 });
    const raw = await rawConnect(server.port, 'graphql-transport-ws');
    // This peer reads the close frame and never answers it (the helper would hang up by itself).
    raw.socket.removeAllListeners('data');
    const frames: Buffer[] = [];
    raw.socket.on('data', (chunk: Buffer) => frames.push(chunk));
    await once(raw.socket, 'close');
    // The close frame (opcode 8) with 4408 came first.
    const all = Buffer.concat(frames);
    expect((all[0] ?? 0) & 0x0f).toBe(0x8);
    expect(all.readUInt16BE(2)).toBe(4408);
    // The server's side of the close runs its hooks on a later turn.
    for (let turn = 0; turn < 100 && server.gql.connectionCount > 0; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.gql.connectionCount).toBe(0);
  });
});

describe('maxConnectionsPerAddress', () => {
  async function upgrade(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
    return new Promise((resolve) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    });
  }

  it('answers 429 past the limit from one address, and counts a closed connection out', async () => {
    await using server = await startServer({ maxConnectionsPerAddress: 2 });
    const first = await upgrade(server.url);
    const second = await upgrade(server.url);
    expect(await upgrade(server.url)).toBe(429);
    if (!(first instanceof WebSocket) || !(second instanceof WebSocket)) throw new Error('expected two sockets');
    first.close();
    await once(first, 'close');
    // The server counted it out when its TCP socket closed: a sentinel on the second proves the order.
    second.send(JSON.stringify({ type: 'connection_init' }));
    await once(second, 'message');
    let third = await upgrade(server.url);
    for (let attempt = 0; third === 429 && attempt < 50; attempt++) {
      await new Promise((resolve) => setImmediate(resolve));
      third = await upgrade(server.url);
    }
    expect(third).toBeInstanceOf(WebSocket);
    (third as WebSocket).close();
    second.close();
  });

  it('counts by clientAddress when a proxy sets the address', async () => {
    await using server = await startServer({
      maxConnectionsPerAddress: 1,
      clientAddress: (request) => String(request.headers['x-real-ip'] ?? request.socket.remoteAddress),
    });
    const a = await upgrade(server.url, { 'x-real-ip': '10.0.0.1' });
    const b = await upgrade(server.url, { 'x-real-ip': '10.0.0.2' });
    expect(a).toBeInstanceOf(WebSocket);
    expect(b).toBeInstanceOf(WebSocket);
    expect(await upgrade(server.url, { 'x-real-ip': '10.0.0.1' })).toBe(429);
    (a as WebSocket).close();
    (b as WebSocket).close();
  });

  it('refuses a maxConnectionsPerAddress that is not a whole number', async () => {
    await expect(startServer({ maxConnectionsPerAddress: 0 })).rejects.toThrow(/maxConnectionsPerAddress/);
  });
});

describe('attack 12: client-chosen strings in log lines', () => {
  it('escapes control characters in ids and cuts long strings, in messages and details', async () => {
    const logger = recordingLogger();
    await using server = await startServer({
      logger,
      messageLimits: { operationId: 4_096 },
      context: () => {
        throw new Error('no context');
      },
    });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const id = `1\n[gqlcast] FORGED line\u001b[31m${'x'.repeat(2_000)}`;
    client.send({ id, type: 'subscribe', payload: { query: '{ hello }' } });
    expect((await client.next()).type).toBe('error');
    const line = logger.lines.find((entry) => entry.message.includes('FORGED'));
    expect(line).toBeDefined();
    expect(line?.message).not.toContain('\n');
    expect(line?.message).not.toContain('\u001b');
    expect(line?.message).toContain('\\n[gqlcast] FORGED line\\u001b[31m');
    expect(line?.message.length).toBeLessThan(1_200);
    expect(String(line?.details?.operationId)).not.toContain('\n');
  });

  it('logText escapes and cuts', () => {
    expect(logText('a\r\nb\u2028c')).toBe('a\\r\\nb\\u2028c');
    expect(logText('abcdef', 3)).toBe('abc… (3 more characters)');
  });
});
