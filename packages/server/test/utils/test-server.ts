import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createGraphqlWsServer, type GraphqlWsServer, type ServerOptions } from '../../src/index.js';
import { createFixture } from './schema.js';
import { TestClient } from './test-client.js';

export type Fixture = ReturnType<typeof createFixture>;

/** A real HTTP server on a free loopback port, with the fixture schema served at /graphql. */
export async function startServer<F extends { schema: GraphQLSchema; hub: { close(): Promise<void> } } = Fixture>(
  options: Omit<ServerOptions, 'schema'> & { schema?: ServerOptions['schema'] } = {},
  fixture: F = createFixture() as unknown as F,
) {
  const http: Server = createServer((_request, response) => response.writeHead(404).end());
  const gql: GraphqlWsServer = createGraphqlWsServer({
    heartbeatInterval: false,
    ...options,
    schema: options.schema ?? fixture.schema,
  } as ServerOptions);
  gql.attach(http, { path: '/graphql' });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}/graphql`;
  const clients: TestClient[] = [];
  return {
    ...fixture,
    gql,
    http,
    url,
    port,
    async client(protocol: string | string[], headers?: Record<string, string>, options?: { autoPong?: boolean }) {
      const client = await TestClient.open(url, protocol, headers, options);
      clients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close()));
      await gql.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await fixture.hub.close();
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;
