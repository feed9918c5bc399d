// graphql-ws's own server code and options (gws-apollo: graphql-subscriptions PubSub/withFilter),
// served by gqlcast's compatibility entry instead: one import changed (issue 20).
import { EventEmitter } from 'node:events';
import { useServer } from '@gqlcast/server/graphql-ws';
import { PubSub } from 'graphql-subscriptions';
import type { ContenderModule } from './api.js';
import { apolloFields } from './gws-apollo.js';
import { startGws } from './gws-server.js';
import { buildPeerSchema } from './peer-schema.js';

const contender: ContenderModule = {
  id: 'gws-compat',
  description: "gws-apollo's code with `useServer` from @gqlcast/server/graphql-ws instead of graphql-ws/use/ws",
  role: 'under-test',
  packages: ['@gqlcast/server', 'graphql', 'graphql-subscriptions', 'ws'],
  async startServer() {
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(0);
    const pubsub = new PubSub({ eventEmitter });
    const server = await startGws({
      schema: buildPeerSchema(apolloFields(pubsub)),
      useServer: useServer as never,
    });
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
