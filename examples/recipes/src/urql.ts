// Recipe: urql. Its subscriptionExchange forwards subscriptions (and, with
// `enableAllOperations`, queries and mutations) to graphql-ws's client.
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient, type Sink } from 'graphql-ws';
import WebSocket from 'ws';

export function createUrqlClient(url: string) {
  const ws = createClient({ url, webSocketImpl: WebSocket });
  const client = new Client({
    url: url.replace(/^ws/, 'http'), // unused: every operation goes over the WebSocket
    exchanges: [
      subscriptionExchange({
        enableAllOperations: true,
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              // urql's sink takes what graphql-ws delivers; only the optional fields' typing differs.
              const unsubscribe = ws.subscribe(input, sink as Sink);
              return { unsubscribe };
            },
          };
        },
      }),
      fetchExchange,
    ],
  });
  return { client, close: () => ws.dispose() };
}
