// Recipe: Apollo Client. Every operation over the one WebSocket, through
// graphql-ws's client (gqlcast speaks graphql-transport-ws). To keep queries
// and mutations on HTTP instead, `split` on the operation type as Apollo's
// docs show: gqlcast only serves the WebSocket side.
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export function createApolloClient(url: string, connectionParams?: Record<string, unknown>) {
  // In a browser, leave out webSocketImpl: the global WebSocket is used.
  const ws = createClient({ url, webSocketImpl: WebSocket, ...(connectionParams ? { connectionParams } : {}) });
  const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
  return {
    client,
    close() {
      client.stop();
      return ws.dispose();
    },
  };
}
