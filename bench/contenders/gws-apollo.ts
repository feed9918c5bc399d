// graphql-ws 6 + graphql-js 16 + graphql-subscriptions 3 `PubSub` + `withFilter`: what Apollo
// Server documents for subscriptions.
import { EventEmitter } from 'node:events';
import { PubSub, type PubSubEngine, withFilter } from 'graphql-subscriptions';
import type { ContenderModule } from './api.js';
import { type GwsOptions, startGws } from './gws-server.js';
import { buildPeerSchema, identity, type PeerFields } from './peer-schema.js';
import { type NotificationPayload, roomAccepts, shape } from './schema.js';

/** The resolvers, shared with gws-redis (graphql-redis-subscriptions' `RedisPubSub`). */
export function apolloFields(pubsub: PubSubEngine): PeerFields {
  return {
    global: { subscribe: () => pubsub.asyncIterableIterator('global'), resolve: identity },
    room: {
      subscribe: withFilter(
        (_root, args) => pubsub.asyncIterableIterator(`room:${args.id}`),
        (payload, args) => roomAccepts(payload, args.parity),
      ),
      resolve: identity,
    },
    // withFilter only filters, so the per-argument value is made in `resolve`.
    shaped: {
      subscribe: () => pubsub.asyncIterableIterator('shaped'),
      resolve: (payload: NotificationPayload, args) => shape(payload, args.variant),
    },
  };
}

/** graphql-ws's server with graphql-subscriptions' PubSub; `useServer` picks whose server runs it (gws-compat). */
export async function startApolloServer(useServer?: GwsOptions['useServer']) {
  // One listener per subscriber on a topic: lift EventEmitter's 10-listener warning.
  const eventEmitter = new EventEmitter();
  eventEmitter.setMaxListeners(0);
  const pubsub = new PubSub({ eventEmitter });
  const server = await startGws({
    schema: buildPeerSchema(apolloFields(pubsub)),
    ...(useServer === undefined ? {} : { useServer }),
  });
  return {
    port: server.port,
    path: '/graphql',
    subprotocols: ['graphql-transport-ws' as const],
    publish: (topic: string, payload: unknown) => pubsub.publish(topic, payload),
    close: () => server.close(),
  };
}

const contender: ContenderModule = {
  id: 'gws-apollo',
  description: 'graphql-ws useServer (ws) + graphql-js subscribe + graphql-subscriptions PubSub/withFilter',
  role: 'peer',
  packages: ['graphql-ws', 'graphql', 'graphql-subscriptions', 'ws'],
  startServer: () => startApolloServer(),
};

export default contender;
