// gws-apollo across processes: graphql-ws + graphql-js + graphql-redis-subscriptions `RedisPubSub`
// (ioredis publisher and subscriber), the resolvers of gws-apollo. S5 only.
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { ContenderModule, ServerOptions } from './api.js';
import { apolloFields } from './gws-apollo.js';
import { startGws } from './gws-server.js';
import { buildPeerSchema } from './peer-schema.js';

type PubSubOptions = NonNullable<ConstructorParameters<typeof RedisPubSub>[0]>;
// graphql-redis-subscriptions types its clients with its own ioredis 5; the bench's ioredis 6
// clients speak the same API.
type Client = NonNullable<PubSubOptions['publisher']>;

function redisOf({ redis }: ServerOptions): NonNullable<ServerOptions['redis']> {
  if (!redis) throw new Error('gws-redis takes part in S5 only: start it with { redis }');
  return redis;
}

const contender: ContenderModule = {
  id: 'gws-redis',
  description: 'graphql-ws useServer (ws) + graphql-js + graphql-redis-subscriptions RedisPubSub (ioredis)',
  role: 'peer',
  packages: ['graphql-ws', 'graphql', 'graphql-redis-subscriptions', 'graphql-subscriptions', 'ioredis', 'ws'],
  async startServer(options) {
    const redis = redisOf(options);
    const pubsub = new RedisPubSub({
      publisher: new Redis(redis) as unknown as Client,
      subscriber: new Redis(redis) as unknown as Client,
    });
    const server = await startGws({ schema: buildPeerSchema(apolloFields(pubsub)) });
    return {
      port: server.port,
      path: '/graphql',
      subprotocols: ['graphql-transport-ws'],
      publish: (topic, payload) => pubsub.publish(topic, payload),
      async close() {
        await server.close();
        await pubsub.close();
      },
    };
  },
  async startPublisher(options) {
    const redis = redisOf(options);
    // RedisPubSub wants a subscriber too; a lazy client never connects in the publisher process.
    const subscriber = new Redis({ ...redis, lazyConnect: true });
    const publisher = new Redis(redis);
    const pubsub = new RedisPubSub({
      publisher: publisher as unknown as Client,
      subscriber: subscriber as unknown as Client,
    });
    return {
      publish: (topic, payload) => pubsub.publish(topic, payload),
      async close() {
        await publisher.quit();
        subscriber.disconnect();
      },
    };
  },
};

export default contender;
