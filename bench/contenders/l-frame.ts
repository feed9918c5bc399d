// L-frame, the absolute floor (reported, not a target): per event one JSON.stringify per
// distinct result and one complete WebSocket frame (header + message) per distinct message, then
// one `write` of that same Buffer per socket, straight to the TCP socket under ws. ws is used
// only for the upgrade and to read client messages; nothing per socket is allocated per event.
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ContenderModule } from './api.js';
import { fieldValue, type Plan, planOf, topicOf } from './expected.js';
import type { NotificationPayload } from './schema.js';

/** Subscriptions with the same document, variables and id get byte-identical messages. */
interface Bucket {
  readonly plan: Plan;
  readonly prefix: string;
  readonly sockets: Set<Socket>;
}

/** An unmasked, final text frame holding `body`. */
function frame(body: Buffer): Buffer {
  const length = body.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerLength + length);
  out[0] = 0x81;
  if (headerLength === 2) out[1] = length;
  else if (headerLength === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  body.copy(out, headerLength);
  return out;
}

async function startFrameServer() {
  const topics = new Map<string, Map<string, Bucket>>();
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/graphql',
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
  });
  wss.on('connection', (ws: WebSocket) => {
    // ws keeps the TCP socket private; writing to it directly is the point of this limit.
    const socket = (ws as unknown as { _socket: Socket })._socket;
    const joined = new Map<string, Bucket>();
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        id?: string;
        payload?: { query: string; variables?: Record<string, unknown> | null };
      };
      if (message.type === 'connection_init') ws.send('{"type":"connection_ack"}');
      else if (message.type === 'ping') ws.send('{"type":"pong"}');
      else if (message.type === 'subscribe' && message.id !== undefined && message.payload) {
        const plan = planOf(message.payload.query, message.payload.variables ?? {});
        const topic = topicOf(plan);
        const key = `${message.id}\n${JSON.stringify(plan.args)}\n${message.payload.query}`;
        let buckets = topics.get(topic);
        if (!buckets) {
          buckets = new Map();
          topics.set(topic, buckets);
        }
        let bucket = buckets.get(key);
        if (!bucket) {
          const prefix = `{"id":${JSON.stringify(message.id)},"type":"next","payload":{"data":{"${plan.field}":`;
          bucket = { plan, prefix, sockets: new Set() };
          buckets.set(key, bucket);
        }
        bucket.sockets.add(socket);
        joined.set(message.id, bucket);
      } else if (message.type === 'complete' && message.id !== undefined) {
        joined.get(message.id)?.sockets.delete(socket);
        joined.delete(message.id);
      }
    });
    ws.on('close', () => {
      for (const bucket of joined.values()) bucket.sockets.delete(socket);
    });
  });
  await once(wss, 'listening');
  return {
    port: (wss.address() as AddressInfo).port,
    deliver(topic: string, payload: NotificationPayload) {
      const buckets = topics.get(topic);
      if (!buckets) return;
      const bodies = new Map<Plan['project'], Map<unknown, string>>();
      for (const bucket of buckets.values()) {
        if (bucket.sockets.size === 0) continue;
        const value = fieldValue(bucket.plan, payload);
        if (value === undefined) continue;
        // One JSON.stringify per distinct (selection, value), shared by every id.
        let byValue = bodies.get(bucket.plan.project);
        if (!byValue) {
          byValue = new Map();
          bodies.set(bucket.plan.project, byValue);
        }
        let body = byValue.get(value.variant);
        if (body === undefined) {
          body = JSON.stringify(bucket.plan.project(value));
          byValue.set(value.variant, body);
        }
        const framed = frame(Buffer.from(`${bucket.prefix}${body}}}}`));
        for (const socket of bucket.sockets) socket.write(framed);
      }
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const contender: ContenderModule = {
  id: 'L-frame',
  description: 'bare ws upgrade; one pre-framed Buffer per distinct message, written once per TCP socket',
  role: 'limit',
  packages: ['ws', 'bufferutil'],
  async startServer() {
    const server = await startFrameServer();
    return {
      port: server.port,
      path: '/graphql',
      subprotocols: ['graphql-transport-ws'],
      publish: (topic, payload) => server.deliver(topic, payload),
      close: () => server.close(),
    };
  },
};

export default contender;
