// fastify 5 + mercurius 16 with its default in-process mqemitter pub/sub and `withFilter`.
// Serves both `graphql-transport-ws` and the legacy `graphql-ws` subprotocol on one route.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Fastify from 'fastify';
import mercurius, { type IResolvers, type MercuriusContext, type PubSub } from 'mercurius';
import type { ContenderModule, ContenderServer } from './api.js';
import { type NotificationPayload, roomAccepts, shape, type Topic, typeDefs } from './schema.js';

/**
 * Mercurius's convention (its docs) is a published payload keyed by the subscription field's
 * name: the event is the field's root, and the default resolver reads `payload[field]`.
 */
export type MercuriusEvent = { [field: string]: NotificationPayload };

export function mercuriusEvent(topic: Topic, payload: NotificationPayload): { topic: Topic; payload: MercuriusEvent } {
  const field = topic.startsWith('room:') ? 'room' : topic;
  return { topic, payload: { [field]: payload } };
}

// mercurius is CommonJS and Node's ESM loader cannot see `withFilter` as a named export.
const { withFilter } = mercurius;

const resolvers: IResolvers = {
  Query: { ok: () => true },
  Subscription: {
    global: { subscribe: (_root, _args, { pubsub }: MercuriusContext) => pubsub.subscribe('global') },
    room: {
      subscribe: withFilter(
        (_root, args, { pubsub }: MercuriusContext) => pubsub.subscribe(`room:${args.id}`),
        (event: MercuriusEvent, args) => roomAccepts(event.room!, args.parity),
      ),
    },
    // withFilter only filters, so the per-argument value is made in `resolve`.
    shaped: {
      subscribe: (_root, _args, { pubsub }: MercuriusContext) => pubsub.subscribe('shaped'),
      resolve: (event: MercuriusEvent, args) => shape(event.shaped!, args.variant),
    },
  },
};

/**
 * Starts mercurius with `emitter` (mqemitter-redis for mercurius-redis) or, without one, its
 * default in-memory mqemitter.
 */
export async function startMercurius(emitter?: object): Promise<ContenderServer & { pubsub: PubSub }> {
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema: typeDefs,
    resolvers,
    path: '/graphql',
    subscription: emitter ? { emitter } : true,
  });
  // @fastify/websocket (registered by mercurius, inside its own plugin scope) runs a ws server
  // with ws's default `perMessageDeflate: false`; mercurius passes no option to change it. Its
  // server is not reachable from here, so `close` tracks the upgraded sockets itself.
  const sockets = new Set<Duplex>();
  app.server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const pubsub = app.graphql.pubsub as PubSub;
  return {
    port: (app.server.address() as AddressInfo).port,
    path: '/graphql',
    subprotocols: ['graphql-transport-ws', 'graphql-ws'],
    pubsub,
    publish: (topic, payload) => pubsub.publish(mercuriusEvent(topic, payload)),
    async close() {
      // Destroy rather than close: a load generator need not answer the closing handshake.
      // Waiting for 'close' lets mercurius end every subscription (and unsubscribe) first.
      const closed = [...sockets].map((socket) => once(socket, 'close'));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
      await app.close();
    },
  };
}

const contender: ContenderModule = {
  id: 'mercurius',
  description: 'fastify + mercurius (graphql-js, in-memory mqemitter, withFilter); graphql-transport-ws and graphql-ws',
  role: 'peer',
  packages: ['mercurius', 'fastify', 'graphql', 'ws'],
  startServer: () => startMercurius(),
};

export default contender;
