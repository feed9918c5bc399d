import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to Redis that holds every client → Redis chunk for `delay` ms
 * (Redis → client is untouched). Through it, a SUBSCRIBE reaches Redis late:
 * a layer that confirmed before Redis acknowledged would lose what is
 * published meanwhile. (The delay is the fault injected, not a test threshold.)
 */
export async function slowProxy(redisPort: number, delay: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delay));
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
