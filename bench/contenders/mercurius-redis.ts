// mercurius across processes: its pub/sub on an mqemitter-redis emitter, the resolvers and
// field-keyed events of the mercurius contender. S5 only.
import type { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import type { ContenderModule, ServerOptions } from './api.js';
import { mercuriusEvent, startMercurius } from './mercurius.js';

function redisOf({ redis }: ServerOptions): NonNullable<ServerOptions['redis']> {
  if (!redis) throw new Error('mercurius-redis takes part in S5 only: start it with { redis }');
  return redis;
}

type Emitter = ReturnType<typeof mqemitterRedis>;
type Connection = NonNullable<NonNullable<Parameters<typeof mqemitterRedis>[0]>['subConn']>;

/**
 * An mqemitter-redis emitter on the bench's ioredis 6, like the other Redis peers. Left to
 * itself it opens connections with its own ioredis 5.11, whose ready check (INFO) races a
 * SUBSCRIBE sent while the connection is still in its connect phase: INFO is then refused
 * ("Connection in subscriber mode") and mqemitter-redis rethrows that error from an event
 * emitter nobody listens to, which kills the process. ioredis 6 queues the SUBSCRIBE until
 * the handshake is done. The connections keep mqemitter-redis's own setting (auto-pipelining).
 */
function createEmitter(options: ServerOptions): Emitter {
  const redis = redisOf(options);
  // mqemitter-redis types its connections with its own ioredis 5; ioredis 6 has the same API.
  const connection = () => new Redis({ ...redis, enableAutoPipelining: true }) as unknown as Connection;
  const emitter = mqemitterRedis({ subConn: connection(), pubConn: connection() });
  // Logged, not thrown: a notification lost to a Redis error fails the run by the loss check.
  (emitter as unknown as { state: EventEmitter }).state.on('error', (error: Error) => {
    console.error('[mercurius-redis] Redis error:', error);
  });
  return emitter;
}

function closeEmitter(emitter: Emitter): Promise<void> {
  return new Promise((resolve) => emitter.close(() => resolve()));
}

const contender: ContenderModule = {
  id: 'mercurius-redis',
  description: 'fastify + mercurius (graphql-js, withFilter) on an mqemitter-redis emitter (ioredis 6 connections)',
  role: 'peer',
  packages: ['mercurius', 'fastify', 'mqemitter-redis', 'ioredis', 'graphql', 'ws'],
  async startServer(options) {
    const emitter = createEmitter(options);
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
    const emitter = createEmitter(options);
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
