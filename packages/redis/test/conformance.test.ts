import { silentLogger } from '@gqlcast/core';
import { collect, layerConformance } from '@gqlcast/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisLayer, redisLayer } from '../src/index.js';
import { slotOf, streamKeyOf } from '../src/stream-key.js';
import { type RedisCluster, type RedisNode, startCluster, startRedis } from './utils/redis-server.js';

let node: RedisNode;
let cluster: RedisCluster;

beforeAll(async () => {
  [node, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterAll(async () => {
  await Promise.all([node?.stop(), cluster?.stop()]);
});

// Two layers made here share one Redis, as two processes would.
layerConformance('redisLayer on one node', () => redisLayer({ url: node.url, logger: silentLogger }), {
  sharedAcrossInstances: true,
  readyRounds: 1_000,
  retains: true,
});

// Signed envelopes keep every promise of the contract (bytes, order, confirmation).
layerConformance(
  'redisLayer on one node, with a signingKey',
  () => redisLayer({ url: node.url, logger: silentLogger, signingKey: 'conformance signing key, 32 bytes' }),
  { sharedAcrossInstances: true, readyRounds: 200, retains: true, seamRounds: 200 },
);

layerConformance(
  'redisLayer on a 3-node cluster (sharded pub/sub)',
  () => redisLayer({ cluster: cluster.nodes, logger: silentLogger }),
  {
    sharedAcrossInstances: true,
    readyRounds: 300,
    retains: true,
  },
);

describe('sharded pub/sub on the cluster', () => {
  it('subscribes with SSUBSCRIBE on the shard owning the channel, and publishes with SPUBLISH', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const run = promisify(execFile);
    const subscriber = redisLayer({ cluster: cluster.nodes, logger: silentLogger, keyPrefix: 'shard:' });
    const publisher = redisLayer({ cluster: cluster.nodes, logger: silentLogger, keyPrefix: 'shard:' });
    try {
      await subscriber.subscribe('news:today', () => undefined);
      const counts = await Promise.all(
        cluster.nodes.map(async (node) => {
          const sharded = await run('redis-cli', [
            '-p',
            String(node.port),
            'pubsub',
            'shardnumsub',
            'shard:news:today',
          ]);
          const plain = await run('redis-cli', ['-p', String(node.port), 'pubsub', 'numsub', 'shard:news:today']);
          return [Number(sharded.stdout.trim().split('\n')[1]), Number(plain.stdout.trim().split('\n')[1])];
        }),
      );
      // Exactly one shard holds the sharded subscription; no node holds a classic one.
      expect(counts.map(([sharded]) => sharded).sort()).toEqual([0, 0, 1]);
      expect(counts.map(([, plain]) => plain)).toEqual([0, 0, 0]);
      const stats = () =>
        Promise.all(cluster.nodes.map((node) => run('redis-cli', ['-p', String(node.port), 'info', 'commandstats'])));
      const calls = (text: string, command: string) =>
        Number(text.match(new RegExp(`cmdstat_${command}:calls=(\\d+)`))?.[1] ?? 0);
      const before = await stats();
      await publisher.publish('news:today', new TextEncoder().encode('sharded'));
      const after = await stats();
      const delta = (command: string) =>
        after.reduce((sum, { stdout }, i) => sum + calls(stdout, command) - calls(before[i]?.stdout ?? '', command), 0);
      expect([delta('spublish'), delta('publish')]).toEqual([1, 0]);
    } finally {
      await Promise.all([subscriber.close(), publisher.close()]);
    }
  });

  it("keeps each topic's stream in its channel's slot, whatever braces the prefix and group hold", async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const run = promisify(execFile);
    const port = String(cluster.nodes[0]?.port);
    const keyslot = async (key: string) =>
      Number((await run('redis-cli', ['-p', port, 'cluster', 'keyslot', key])).stdout);
    const cases = [
      ['gqlcast:', 'chat:room1'],
      ['gqlcast:', 'chat:{user1}'],
      ['gqlcast:', 'chat:}{'],
      ['gqlcast:', 'chat:a}b'],
      ['{app}:', 'chat:room1'],
      ['app{', 'chat:x}'],
      ['', 'chat:{}'],
    ];
    for (const [prefix = '', topic = ''] of cases) {
      const key = streamKeyOf(prefix, topic);
      const slot = await keyslot(prefix + topic);
      expect({ prefix, topic, slot: slotOf(prefix + topic), keySlot: await keyslot(key) }).toEqual({
        prefix,
        topic,
        slot,
        keySlot: slot,
      });
    }
    // And a retained broadcast of such a group runs (XADD and SPUBLISH in one script need one slot).
    const layer = redisLayer({ cluster: cluster.nodes, logger: silentLogger });
    try {
      const got = collect<string | undefined>();
      await layer.subscribe('chat:a}b', (_message, id) => got.push(id));
      await layer.publish('chat:a}b', new TextEncoder().encode('x'), { count: 5 });
      const ids = await got.waitFor(1);
      const history = await layer.history?.('chat:a}b', '0');
      expect(history?.events.map((event) => event.id)).toEqual(ids);
    } finally {
      await layer.close();
    }
  });

  it('gives two layer instances on the cluster the same ids for the same messages', async () => {
    const [a, b] = [0, 1].map(() => redisLayer({ cluster: cluster.nodes, logger: silentLogger })) as [
      RedisLayer,
      RedisLayer,
    ];
    try {
      const topic = `ids.${process.pid}:shared`;
      const [seenByA, seenByB] = [collect<string | undefined>(), collect<string | undefined>()];
      await a.subscribe(topic, (_message, id) => seenByA.push(id));
      await b.subscribe(topic, (_message, id) => seenByB.push(id));
      await Promise.all(
        Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).publish(topic, new Uint8Array([n]), { count: 100 })),
      );
      const [idsA, idsB] = await Promise.all([seenByA.waitFor(20), seenByB.waitFor(20)]);
      expect(idsA).toEqual(idsB);
      expect((await a.history?.(topic, '0'))?.events.map((event) => event.id)).toEqual(idsA);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
