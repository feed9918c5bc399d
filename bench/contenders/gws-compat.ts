// graphql-ws's own server code and options (gws-apollo: graphql-subscriptions PubSub/withFilter),
// served by gqlcast's compatibility entry instead: one import changed (issue 20).
import { useServer } from '@gqlcast/server/graphql-ws';
import type { ContenderModule } from './api.js';
import { startApolloServer } from './gws-apollo.js';

const contender: ContenderModule = {
  id: 'gws-compat',
  description: "gws-apollo's code with `useServer` from @gqlcast/server/graphql-ws instead of graphql-ws/use/ws",
  role: 'under-test',
  packages: ['@gqlcast/server', 'graphql', 'graphql-subscriptions', 'ws'],
  startServer: () => startApolloServer(useServer as never),
};

export default contender;
