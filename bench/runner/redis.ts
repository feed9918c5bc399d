// A private redis-server for S5, on a free port, pinned to core 1 (it shares the load
// generator's core, and the report says so). No persistence; no pub/sub output-buffer limit, so
// a slow subscriber is never disconnected mid-measure (that would read as loss).
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { spawnPinned } from './child.js';

export interface RedisProcess {
  port: number;
  client: Redis;
  /** `cmdstat_publish` + `cmdstat_spublish` calls, and bytes received by Redis so far. */
  counters(): Promise<{ publishes: number; inputBytes: number }>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const child = spawnPinned(
    1,
    [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--client-output-buffer-limit',
      'pubsub 0 0 0',
      '--loglevel',
      'warning',
    ],
    true,
  );
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  // Refused connections while redis-server starts are expected; the loop below retries.
  client.on('error', () => undefined);
  for (let tries = 0; ; tries++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (error) {
      if (tries > 50) throw new Error(`redis-server did not start: ${String(error)}`);
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    client,
    async counters() {
      const commands = await client.info('commandstats');
      const stats = await client.info('stats');
      const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(commands)?.[1] ?? 0);
      const inputBytes = Number(/total_net_input_bytes:(\d+)/.exec(stats)?.[1] ?? 0);
      return { publishes: calls('publish') + calls('spublish'), inputBytes };
    },
    async stop() {
      client.disconnect();
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      await gone;
    },
  };
}
