// The same soak scenario on the stack most users run: graphql-ws's server with an in-memory
// PubSub (graphql-subscriptions) or graphql-redis-subscriptions. Same IPC as server.ts.
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GraphQLBoolean, GraphQLFloat, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { processStats } from './stats.js';

const [redisUrl] = process.argv.slice(2);
const pubsub: PubSubEngine = redisUrl
  ? new RedisPubSub({ connection: redisUrl })
  : new PubSub({ eventEmitter: unlimitedEmitter() });

/** graphql-subscriptions' PubSub adds one listener per subscriber: lift Node's warning at 10. */
function unlimitedEmitter(): EventEmitter {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return emitter;
}

const Tick = new GraphQLObjectType({
  name: 'Tick',
  fields: { group: { type: GraphQLInt }, seq: { type: GraphQLInt }, sentAt: { type: GraphQLFloat } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean, resolve: () => true } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      onTick: {
        type: new GraphQLNonNull(Tick),
        args: { group: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: (_root, args: { group: number }) => pubsub.asyncIterableIterator(`soak:g${args.group}`),
        resolve: (payload: unknown) => payload,
      },
    },
  }),
});

const http = createServer();
const wss = new WebSocketServer({ server: http, path: '/graphql' });
const server = useServer({ schema }, wss);
http.listen(0, '127.0.0.1');
await once(http, 'listening');

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const sequences = new Map<number, number>();
let timer: NodeJS.Timeout | undefined;
let sent = 0;

process.on('message', async (message: { type: string; rate?: number; groups?: number }) => {
  switch (message.type) {
    case 'start': {
      loopDelay.enable();
      const groups = message.groups ?? 100;
      timer = setInterval(
        () => {
          const group = sent % groups;
          const seq = (sequences.get(group) ?? 0) + 1;
          sequences.set(group, seq);
          sent++;
          void pubsub.publish(`soak:g${group}`, { group, seq, sentAt: performance.timeOrigin + performance.now() });
        },
        1000 / (message.rate ?? 100),
      );
      break;
    }
    case 'stop':
      clearInterval(timer);
      loopDelay.disable();
      process.send?.({ type: 'stopped', sent });
      break;
    case 'stats': {
      process.send?.({
        type: 'stats',
        ...(await processStats(redisUrl)),
        connections: wss.clients.size,
        // graphql-ws keeps no subscription count of its own to report.
        hub: { subscriptions: 0, topics: 0 },
        loopDelayP99: loopDelay.percentile(99) / 1e6,
      });
      break;
    }
    case 'exit':
      await server.dispose();
      process.exit(0);
  }
});
process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
