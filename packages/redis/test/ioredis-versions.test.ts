import { silentLogger } from '@gqlcast/core';
import { deferred } from '@gqlcast/core/testing';
import * as ioredis6 from 'ioredis';
import * as ioredis5 from 'ioredis5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLayer } from '../src/index.js';
import { type RedisCluster, type RedisNode, startCluster, startRedis } from './utils/redis-server.js';

let node: RedisNode;
let cluster: RedisCluster;

beforeAll(async () => {
  [node, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterAll(async () => {
  await Promise.all([node?.stop(), cluster?.stop()]);
});

// ioredis is a peer (^5 || ^6): the user's own client of either major version, not the copy this
// package was built against. The types are the user's too; the cast stands for that here.
interface Client {
  quit(): Promise<unknown>;
}
const versions: { major: number; Redis: new (url: string) => Client; Cluster: new (nodes: object[]) => Client }[] = [
  { major: 6, Redis: ioredis6.Redis, Cluster: ioredis6.Cluster },
  { major: 5, Redis: ioredis5.Redis, Cluster: ioredis5.Cluster },
];

let rounds = 0;
async function roundTrip(makeClient: () => Client) {
  const kept = `kept.${++rounds}`;
  const clients = [makeClient(), makeClient()];
  const subscriber = redisLayer({ redis: clients[0] as never, logger: silentLogger, keyPrefix: 'v:' });
  const publisher = redisLayer({ redis: clients[1] as never, logger: silentLogger, keyPrefix: 'v:' });
  try {
    const received = deferred<string>();
    await subscriber.subscribe('news', (message) => received.resolve(new TextDecoder().decode(message)));
    await publisher.publish('news', new TextEncoder().encode('hello'));
    const text = await received.promise;
    // Retention's scripts are defined on your client (ioredis defineCommand, in both majors).
    const retained = deferred<string | undefined>();
    await subscriber.subscribe(kept, (_message, id) => retained.resolve(id));
    await publisher.publish(kept, new TextEncoder().encode('kept'), { count: 5 });
    const history = await subscriber.history?.(kept, '0');
    return {
      text,
      names: [subscriber.name, publisher.name],
      retained: [await retained.promise, history?.events.map((event) => event.id)],
    };
  } finally {
    await Promise.all([subscriber.close(), publisher.close()]);
    await Promise.all(clients.map((client) => client.quit()));
  }
}

for (const { major, Redis, Cluster } of versions) {
  describe(`a user's ioredis ${major} client`, () => {
    it('is accepted as one node', async () => {
      const { text, names, retained } = await roundTrip(() => new Redis(node.url));
      expect(text).toBe('hello');
      expect(retained[1]).toEqual([retained[0]]);
      expect(names.every((name) => !name.startsWith('redis-cluster'))).toBe(true);
    });

    it('is recognised as a Cluster without instanceof (sharded pub/sub)', async () => {
      const { text, names, retained } = await roundTrip(() => new Cluster(cluster.nodes));
      expect(text).toBe('hello');
      expect(retained[1]).toEqual([retained[0]]);
      expect(names).toEqual(['redis-cluster', 'redis-cluster']);
    });
  });
}
