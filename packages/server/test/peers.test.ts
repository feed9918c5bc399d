// Real peer clients against a real server on loopback: graphql-ws, the legacy
// subscriptions-transport-ws, and Apollo Client over both.
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { WebSocketLink } from '@apollo/client/link/ws';
import { createClient } from 'graphql-ws';
import { SubscriptionClient } from 'subscriptions-transport-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type TestServer } from './utils/test-server.js';

interface Result {
  data?: unknown;
  errors?: unknown;
}

/** What each peer needs to offer: run one request, or open a subscription. */
interface Peer {
  request(query: string, variables?: Record<string, unknown>): Promise<Result>;
  subscribe(query: string, variables: Record<string, unknown>, onResult: (result: Result) => void): () => void;
  close(): Promise<void> | void;
}

const peers: Record<string, (server: TestServer, user: string) => Peer> = {
  'graphql-ws client': (server, user) => {
    const client = createClient({
      url: server.url,
      webSocketImpl: WebSocket,
      connectionParams: { user },
      retryAttempts: 0,
      lazy: false,
    });
    return {
      async request(query, variables) {
        for await (const result of client.iterate({ query, variables })) return result as Result;
        throw new Error('no result');
      },
      subscribe(query, variables, onResult) {
        return client.subscribe(
          { query, variables },
          { next: onResult, error: () => undefined, complete: () => undefined },
        );
      },
      close: () => client.dispose(),
    };
  },
  'subscriptions-transport-ws client': (server, user) => {
    const client = new SubscriptionClient(server.url, { connectionParams: { user }, reconnect: false }, WebSocket);
    return {
      request(query, variables) {
        return new Promise((resolve, reject) => {
          const subscription = client.request({ query, variables: variables ?? {} }).subscribe({
            next: (result) => {
              resolve(result as Result);
              subscription.unsubscribe();
            },
            error: reject,
          });
        });
      },
      subscribe(query, variables, onResult) {
        const subscription = client
          .request({ query, variables })
          .subscribe({ next: (result) => onResult(result as Result) });
        return () => subscription.unsubscribe();
      },
      close: () => client.close(),
    };
  },
  'Apollo Client with GraphQLWsLink': (server, user) => {
    const ws = createClient({
      url: server.url,
      webSocketImpl: WebSocket,
      connectionParams: { user },
      retryAttempts: 0,
      lazy: false,
    });
    return apolloPeer(new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() }), () =>
      ws.dispose(),
    );
  },
  'Apollo Client with the legacy WebSocketLink': (server, user) => {
    const ws = new SubscriptionClient(server.url, { connectionParams: { user }, reconnect: false }, WebSocket);
    return apolloPeer(new ApolloClient({ link: new WebSocketLink(ws), cache: new InMemoryCache() }), () => ws.close());
  },
};

function apolloPeer(client: ApolloClient, close: () => void): Peer {
  return {
    async request(query, variables) {
      const document = gql(query);
      const isMutation = query.trimStart().startsWith('mutation');
      const result = isMutation
        ? await client.mutate({ mutation: document, variables: variables ?? {} })
        : await client.query({ query: document, variables: variables ?? {}, fetchPolicy: 'no-cache' });
      return { data: result.data };
    },
    subscribe(query, variables, onResult) {
      const subscription = client
        .subscribe({ query: gql(query), variables })
        .subscribe({ next: (result) => onResult({ data: result.data }) });
      return () => subscription.unsubscribe();
    },
    close: () => {
      client.stop();
      close();
    },
  };
}

describe.each(Object.keys(peers))('%s', (name) => {
  const open = peers[name] as (server: TestServer, user: string) => Peer;

  it('runs a query and a mutation', async () => {
    await using server = await startServer();
    const peer = open(server, 'ada');
    try {
      expect(await peer.request('query ($name: String) { hello(name: $name) }', { name: 'Ada' })).toEqual({
        data: { hello: 'Hello, Ada!' },
      });
      expect(await peer.request('mutation { setState(key: "k", value: "v") }')).toEqual({ data: { setState: true } });
      expect(await peer.request('{ stateValue(key: "k") }')).toEqual({ data: { stateValue: 'v' } });
    } finally {
      await peer.close();
    }
  });

  it('receives broadcasts for its arguments, and stops when it completes', async () => {
    await using server = await startServer();
    const reader = open(server, 'reader');
    const writer = open(server, 'writer');
    try {
      const received: Result[] = [];
      let wake: (() => void) | undefined;
      const stopReading = reader.subscribe(
        'subscription ($room: String) { onMessage(room: $room) { room text from } }',
        { room: 'kittens' },
        (result) => {
          received.push(result);
          wake?.();
        },
      );
      await server.topicSubscribed('messages:room:kittens');
      expect(await writer.request('mutation { send(room: "puppies", text: "Woof") }')).toEqual({
        data: { send: true },
      });
      expect(await writer.request('mutation { send(room: "kittens", text: "Hi all!") }')).toEqual({
        data: { send: true },
      });
      while (received.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      // (Apollo adds __typename; the rest is exactly what was broadcast.)
      expect(received).toEqual([
        { data: { onMessage: expect.objectContaining({ room: 'kittens', text: 'Hi all!', from: 'writer' }) } },
      ]);
      stopReading();
      expect(await server.unsubscribedCount(1)).toEqual([{ room: 'kittens', reason: 'complete' }]);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
