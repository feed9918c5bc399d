// A graphql-ws style fixture (a plain graphql-js schema whose `greetings` subscription is an async
// generator) and the real graphql-ws client, for the compatibility entry's tests.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { type Client, createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';

export const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: { type: GraphQLString, resolve: () => 'world' },
      whoami: { type: GraphQLString, resolve: (_root, _args, context: { user?: string }) => context?.user ?? null },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      greetings: {
        type: GraphQLString,
        subscribe: async function* () {
          for (const hi of ['Hi', 'Bonjour', 'Hola', 'Ciao', 'Zdravo']) yield { greetings: hi };
        },
      },
    },
  }),
});

/** A `ws` server on a free loopback port, as the recipes make one (`port: 4000` becomes a free one). */
export async function wsServer(): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/graphql' });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `ws://127.0.0.1:${port}/graphql` };
}

export function client(url: string, options: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
}

/** Every result of one operation, until it completes; rejects with what the client reports. */
export function collect(
  c: Client,
  payload: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
) {
  return new Promise<ExecutionResult[]>((resolve, reject) => {
    const results: ExecutionResult[] = [];
    c.subscribe(payload, {
      next: (result) => results.push(result as ExecutionResult),
      error: reject,
      complete: () => resolve(results),
    });
  });
}

/** The close event the client saw, for connections the server refuses. */
export function closeOf(url: string, options: Partial<Parameters<typeof createClient>[0]> = {}) {
  return new Promise<{ code: number; reason: string }>((resolve) => {
    const c = client(url, {
      ...options,
      lazy: false,
      on: { closed: (event) => resolve(event as { code: number; reason: string }) },
    });
    c.subscribe({ query: '{ hello }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  });
}
