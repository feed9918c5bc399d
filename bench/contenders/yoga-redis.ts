// gws-yoga across processes: graphql-ws + graphql-js + `createPubSub` over
// @graphql-yoga/redis-event-target (ioredis), the resolvers of gws-yoga. S5 only.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { ContenderModule, ServerOptions } from './api.js';
import { startGws } from './gws-server.js';
import { type YogaTopics, yogaFields } from './gws-yoga.js';
import { buildPeerSchema } from './peer-schema.js';

function redisOf({ redis }: ServerOptions): NonNullable<ServerOptions['redis']> {
  if (!redis) throw new Error('yoga-redis takes part in S5 only: start it with { redis }');
  return redis;
}

function redisPubSub(publishClient: Redis, subscribeClient: Redis): PubSub<YogaTopics> {
  return createPubSub<YogaTopics>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
}

const contender: ContenderModule = {
  id: 'yoga-redis',
  description: 'graphql-ws useServer (ws) + graphql-js + Yoga createPubSub over @graphql-yoga/redis-event-target',
  role: 'peer',
  packages: [
    'graphql-ws',
    'graphql',
    '@graphql-yoga/subscription',
    '@graphql-yoga/redis-event-target',
    'ioredis',
    'ws',
  ],
  async startServer(options) {
    const redis = redisOf(options);
    const publishClient = new Redis(redis);
    const subscribeClient = new Redis(redis);
    const pubsub = redisPubSub(publishClient, subscribeClient);
    const server = await startGws({ schema: buildPeerSchema(yogaFields(pubsub)) });
    return {
      port: server.port,
      path: '/graphql',
      subprotocols: ['graphql-transport-ws'],
      publish: (topic, payload) => pubsub.publish(topic, payload),
      async close() {
        await server.close();
        await Promise.all([publishClient.quit(), subscribeClient.quit()]);
      },
    };
  },
  async startPublisher(options) {
    const redis = redisOf(options);
    const publishClient = new Redis(redis);
    // Nothing subscribes in the publisher process: a lazy client never connects.
    const subscribeClient = new Redis({ ...redis, lazyConnect: true });
    const pubsub = redisPubSub(publishClient, subscribeClient);
    return {
      publish: (topic, payload) => pubsub.publish(topic, payload),
      async close() {
        await publishClient.quit();
        subscribeClient.disconnect();
      },
    };
  },
};

export default contender;
