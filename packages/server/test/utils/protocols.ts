import type { Message, TestClient } from './test-client.js';

/** The words each subprotocol uses for the same thing, so one suite runs against both. */
export const protocols = {
  'graphql-transport-ws': { start: 'subscribe', stop: 'complete', data: 'next', legacy: false },
  'graphql-ws': { start: 'start', stop: 'stop', data: 'data', legacy: true },
} as const;

export type ProtocolName = keyof typeof protocols;
export const protocolNames = Object.keys(protocols) as ProtocolName[];

export function words(client: TestClient) {
  return protocols[client.protocol as ProtocolName];
}

export function start(client: TestClient, id: string, query: string, variables?: Record<string, unknown>) {
  client.send({ id, type: words(client).start, payload: variables ? { query, variables } : { query } });
}

export function stop(client: TestClient, id: string) {
  client.send({ id, type: words(client).stop });
}

/** The result message of `id` with this payload, in the client's protocol. */
export function data(client: TestClient, id: string, payload: unknown): Message {
  return { id, type: words(client).data, payload };
}
