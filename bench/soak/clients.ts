// The soak's client process: many raw graphql-transport-ws connections, each subscribed to one
// group, counting every tick (gaps in a group's sequence are losses) and its latency. Driven over IPC.
import WebSocket from 'ws';

interface Connection {
  ws: WebSocket;
  group: number;
  first: number | undefined;
  last: number | undefined;
  received: number;
  holes: number;
}

let port = 0;
let groups = 100;
/** gqlcast confirms each subscription with a first `next`; graphql-ws does not. */
let confirmations = true;
const connections = new Set<Connection>();
const latencies: number[] = [];
let finished = { received: 0, expected: 0, holes: 0 };
let nextGroup = 0;

function open(): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws', { perMessageDeflate: false });
    const connection: Connection = {
      ws,
      group: nextGroup++ % groups,
      first: undefined,
      last: undefined,
      received: 0,
      holes: 0,
    };
    let confirmed = false;
    ws.on('open', () => ws.send('{"type":"connection_init"}'));
    ws.on('error', reject);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: `subscription { onTick(group: ${connection.group}) { seq sentAt } }` },
          }),
        );
        if (!confirmations) {
          confirmed = true;
          connections.add(connection);
          resolve(connection);
        }
      } else if (message.type === 'next' && !confirmed) {
        confirmed = true;
        connections.add(connection);
        resolve(connection);
      } else if (message.type === 'next') {
        const { seq, sentAt } = message.payload.data.onTick;
        if (connection.last !== undefined && seq !== connection.last + 1) connection.holes += seq - connection.last - 1;
        connection.first ??= seq;
        connection.last = seq;
        connection.received++;
        if (latencies.length < 200_000) latencies.push(performance.timeOrigin + performance.now() - sentAt);
      }
    });
  });
}

function close(connection: Connection): void {
  connections.delete(connection);
  account(connection);
  connection.ws.close(1000);
}

function account(connection: Connection): void {
  finished.received += connection.received;
  finished.holes += connection.holes;
  if (connection.first !== undefined && connection.last !== undefined)
    finished.expected += connection.last - connection.first + 1;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

type Command = { type: string; port?: number; count?: number; groups?: number; confirmations?: boolean };

process.on('message', async (message: Command) => {
  switch (message.type) {
    case 'connect': {
      port = message.port ?? 0;
      groups = message.groups ?? 100;
      confirmations = message.confirmations ?? true;
      const started = performance.now();
      const count = message.count ?? 0;
      // In batches: thousands of simultaneous handshakes measure the accept queue, not the server.
      for (let done = 0; done < count; done += 200) {
        await Promise.all(Array.from({ length: Math.min(200, count - done) }, () => open()));
      }
      process.send?.({ type: 'connected', ms: performance.now() - started });
      break;
    }
    case 'churn': {
      const victims = [...connections].slice(0, message.count ?? 0);
      for (const victim of victims) close(victim);
      await Promise.all(victims.map(() => open()));
      process.send?.({ type: 'churned', count: victims.length });
      break;
    }
    case 'finish': {
      for (const connection of [...connections]) close(connection);
      process.send?.({
        type: 'finished',
        ...finished,
        latencyP50: percentile(latencies, 50),
        latencyP99: percentile(latencies, 99),
      });
      finished = { received: 0, expected: 0, holes: 0 };
      latencies.length = 0;
      break;
    }
    case 'exit':
      process.exit(0);
  }
});
process.send?.({ type: 'ready' });
