// mercurius across processes: its pub/sub on an mqemitter-redis emitter, the resolvers and
// field-keyed events of the mercurius contender. S5 only.
import mqemitterRedis from 'mqemitter-redis';
import type { ContenderModule, ServerOptions } from './api.js';
import { mercuriusEvent, startMercurius } from './mercurius.js';

function redisOf({ redis }: ServerOptions): NonNullable<ServerOptions['redis']> {
  if (!redis) throw new Error('mercurius-redis takes part in S5 only: start it with { redis }');
  return redis;
}

type Emitter = ReturnType<typeof mqemitterRedis>;

function closeEmitter(emitter: Emitter): Promise<void> {
  return new Promise((resolve) => emitter.close(() => resolve()));
}

const contender: ContenderModule = {
  id: 'mercurius-redis',
  description: 'fastify + mercurius (graphql-js, withFilter) on an mqemitter-redis emitter',
  role: 'peer',
  packages: ['mercurius', 'fastify', 'mqemitter-redis', 'graphql', 'ws'],
  async startServer(options) {
    const emitter = mqemitterRedis(redisOf(options));
    const server = await startMercurius(emitter);
    return {
      ...server,
      async close() {
        await server.close();
        // mercurius does not close an emitter it was handed.
        await closeEmitter(emitter);
      },
    };
  },
  async startPublisher(options) {
    const emitter = mqemitterRedis(redisOf(options));
    return {
      publish: (topic, payload) =>
        new Promise<void>((resolve, reject) =>
          emitter.emit(mercuriusEvent(topic, payload), (error) => (error ? reject(error) : resolve())),
        ),
      close: () => closeEmitter(emitter),
    };
  },
};

export default contender;
