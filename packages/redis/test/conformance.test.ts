import { silentLogger } from '@gqlcast/core';
import { layerConformance } from '@gqlcast/core/testing';
import { afterAll, beforeAll } from 'vitest';
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

// Two layers made here share one Redis, as two processes would.
layerConformance('redisLayer on one node', () => redisLayer({ url: node.url, logger: silentLogger }), {
  sharedAcrossInstances: true,
  readyRounds: 1_000,
});

layerConformance(
  'redisLayer on a 3-node cluster (sharded pub/sub)',
  () => redisLayer({ cluster: cluster.nodes, logger: silentLogger }),
  {
    sharedAcrossInstances: true,
    readyRounds: 300,
  },
);
