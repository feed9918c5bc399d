// The limit for S5: ioredis publisher → Redis → ioredis subscriber (`messageBuffer`, msgpackr
// unpack), then the bare-ws fan-out: one JSON.stringify per distinct result per event and one
// pre-serialized Buffer per socket. No GraphQL execution.
import { Redis } from 'ioredis';
import { pack, unpack } from 'msgpackr';
import type { ContenderModule } from './api.js';
import { startBareWs } from './bare-ws.js';
import type { NotificationPayload } from './schema.js';

const contender: ContenderModule = {
  id: 'L-redis',
  description: 'ioredis PUBLISH (msgpackr) → ioredis subscriber (messageBuffer) → bare ws, one Buffer per socket',
  role: 'limit',
  packages: ['ioredis', 'msgpackr', 'ws', 'bufferutil'],
  async startServer({ redis }) {
    if (!redis) throw new Error('L-redis takes part in S5 only: start it with { redis }');
    const subscriber = new Redis(redis);
    // One Redis channel per topic, subscribed while the topic has subscribers. A failure here
    // (Redis gone) shows as loss in the benchmark, which fails the run loudly anyway.
    const ignore = () => {};
    const server = await startBareWs({
      onTopicActive: (topic) => void subscriber.subscribe(topic).catch(ignore),
      onTopicIdle: (topic) => void subscriber.unsubscribe(topic).catch(ignore),
    });
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      server.deliver(channel.toString(), unpack(message) as NotificationPayload);
    });
    return {
      port: server.port,
      path: server.path,
      subprotocols: ['graphql-transport-ws'],
      publish: () => {
        throw new Error('L-redis publishes through Redis: use startPublisher');
      },
      async close() {
        await server.close();
        await subscriber.quit();
      },
    };
  },
  async startPublisher({ redis }) {
    if (!redis) throw new Error('L-redis: startPublisher needs { redis }');
    const publisher = new Redis(redis);
    return {
      publish: async (topic, payload) => {
        await publisher.publish(topic, pack(payload));
      },
      async close() {
        await publisher.quit();
      },
    };
  },
};

export default contender;
