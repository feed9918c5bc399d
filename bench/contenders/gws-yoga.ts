// graphql-ws 6 + graphql-js 16 + @graphql-yoga/subscription `createPubSub`: the Yoga-style stack.
import { createPubSub, filter, map, type PubSub, pipe } from '@graphql-yoga/subscription';
import type { ContenderModule } from './api.js';
import { startGws } from './gws-server.js';
import { buildPeerSchema, identity, type PeerFields } from './peer-schema.js';
import { type NotificationPayload, roomAccepts, shape } from './schema.js';

/** Every topic carries one payload. */
export type YogaTopics = Record<string, [NotificationPayload]>;

/** The resolvers, shared with gws-jit and yoga-redis (whose pub/sub goes through Redis). */
export function yogaFields(pubsub: PubSub<YogaTopics>): PeerFields {
  return {
    global: { subscribe: () => pubsub.subscribe('global'), resolve: identity },
    room: {
      subscribe: (_root, args) =>
        pipe(
          pubsub.subscribe(`room:${args.id}`),
          filter((payload: NotificationPayload) => roomAccepts(payload, args.parity)),
        ),
      resolve: identity,
    },
    shaped: {
      subscribe: (_root, args) =>
        pipe(
          pubsub.subscribe('shaped'),
          map((payload: NotificationPayload) => shape(payload, args.variant)),
        ),
      resolve: identity,
    },
  };
}

const contender: ContenderModule = {
  id: 'gws-yoga',
  description: 'graphql-ws useServer (ws) + graphql-js subscribe + @graphql-yoga/subscription createPubSub',
  role: 'peer',
  packages: ['graphql-ws', 'graphql', '@graphql-yoga/subscription', 'ws'],
  async startServer() {
    const pubsub = createPubSub<YogaTopics>();
    const server = await startGws({ schema: buildPeerSchema(yogaFields(pubsub)) });
    return {
      port: server.port,
      path: '/graphql',
      subprotocols: ['graphql-transport-ws'],
      publish: (topic, payload) => pubsub.publish(topic, payload),
      close: () => server.close(),
    };
  },
};

export default contender;
