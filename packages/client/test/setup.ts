import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGraphqlWsServer, type GraphqlWsServer, type ServerOptions } from '@gqlcast/server';
import { inProcessTransport } from '@gqlcast/server/testing';
import { createFixture } from '../../server/test/utils/schema.js';
import { type Client, type ClientOptions, createClient, webSocketTransport } from '../src/index.js';

export type TransportKind = 'websocket' | 'in-process';
export const transportKinds: TransportKind[] = ['websocket', 'in-process'];
export const protocols = ['graphql-transport-ws', 'graphql-ws'] as const;

/**
 * A server with the server tests' fixture schema, reachable through a real
 * WebSocket on loopback or in-process; `restart()` replaces it on the same port.
 */
export async function setup(kind: TransportKind, serverOptions: Partial<ServerOptions> = {}) {
  const fixture = createFixture();
  const make = () =>
    createGraphqlWsServer({ heartbeatInterval: false, ...serverOptions, schema: fixture.schema } as ServerOptions);
  let gql: GraphqlWsServer = make();
  let http: Server | undefined;
  let port = 0;
  const listen = async () => {
    http = createServer();
    gql.attach(http, { path: '/graphql' });
    http.listen(port, '127.0.0.1');
    await once(http, 'listening');
    port = (http.address() as AddressInfo).port;
  };
  if (kind === 'websocket') await listen();
  const clients: Client[] = [];
  const stopHttp = async () => {
    if (http === undefined) return;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
    http = undefined;
  };
  return {
    ...fixture,
    get gql() {
      return gql;
    },
    client(options: Partial<ClientOptions> = {}) {
      const transport =
        kind === 'websocket'
          ? webSocketTransport(`ws://127.0.0.1:${port}/graphql`)
          : inProcessTransport(() => gql, { request: { headers: { cookie: 'session=abc' } } });
      const client = createClient({ transport, retry: { minDelay: 5, maxDelay: 20 }, ...options });
      clients.push(client);
      return client;
    },
    /** Shuts the server down (sockets close with 1012), then starts a fresh one in its place. */
    async restart() {
      await gql.close();
      await stopHttp();
      gql = make();
      if (kind === 'websocket') await listen();
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close()));
      await gql.close();
      await stopHttp();
      await fixture.hub.close();
    },
  };
}
