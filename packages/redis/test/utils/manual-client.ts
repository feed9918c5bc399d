import { Redis } from 'ioredis';

/**
 * An ioredis client that never reconnects by itself and fails commands at once while down:
 * a test reconnects it (`connect()`) when it chooses, e.g. after the subscriber is back.
 */
export function manualReconnectClient(url: string, cleanups: (() => Promise<unknown>)[]): Redis {
  const client = new Redis(url, { retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  cleanups.push(async () => client.disconnect());
  return client;
}
