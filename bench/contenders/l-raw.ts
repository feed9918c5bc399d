// L-raw, the limit for ratios: a bare ws server (graphql-transport-ws handshake only, no
// GraphQL). Per event it serializes each distinct result once (JSON.stringify of the selected
// fields), then sends one pre-serialized Buffer per socket with `ws.send(buf, { binary: false })`:
// the `{"id":…` prefix is built once per subscription at subscribe time and concatenated with the
// shared body per socket. Room subscribers whose parity does not match get nothing (the 50 %
// SKIP of S2 costs the limit one comparison). The fan-out is bare-ws.ts, shared with L-redis.
import type { ContenderModule } from './api.js';
import { startBareWs } from './bare-ws.js';

const contender: ContenderModule = {
  id: 'L-raw',
  description: 'bare ws: one JSON.stringify per distinct result per event, one ws.send(Buffer) per socket',
  role: 'limit',
  packages: ['ws', 'bufferutil'],
  async startServer() {
    const server = await startBareWs();
    return {
      port: server.port,
      path: server.path,
      subprotocols: ['graphql-transport-ws'],
      publish: (topic, payload) => server.deliver(topic, payload),
      close: () => server.close(),
    };
  },
};

export default contender;
