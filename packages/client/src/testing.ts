// `@gqlcast/client/testing`: hooks that let a test control the protocol exactly.
import type { ServerMessage } from '@gqlcast/core/protocol';
import type { Client } from './client.js';
import { ConnectionClosedError } from './errors.js';
import { type ClientInternals, internalsKey } from './internals.js';

function internalsOf(client: Client, name: string): ClientInternals {
  const internals = (client as Partial<Record<typeof internalsKey, ClientInternals>>)[internalsKey];
  if (internals === undefined) throw new TypeError(`${name}: \`client\` must come from createClient.`);
  return internals;
}

/**
 * Resolves once every message the server sent before this call has been
 * handled (a ping answered by pong; on the legacy protocol, a `{ __typename }`
 * query answered). Tests use it to assert that nothing else arrived.
 * Rejects with a `ConnectionClosedError` if the connection closes first.
 *
 * @example
 * ```ts
 * await flush(client); // every message sent before has arrived
 * ```
 */
export async function flush(client: Client): Promise<void> {
  const { connection, protocol, nextId, taps } = internalsOf(client, 'flush');
  const open = await connection.connected();
  const key = `flush-${nextId()}`;
  let tap!: (message: ServerMessage) => boolean;
  const done = new Promise<void>((resolve, reject) => {
    tap = (message) => {
      const answered =
        message.type === 'pong'
          ? (message.payload as { gqlcastFlush?: unknown } | undefined)?.gqlcastFlush === key
          : // A legacy `{ __typename }` probe: its result, error or complete proves every earlier message arrived.
            'id' in message && message.id === key;
      if (answered) resolve();
      return answered;
    };
    connection.nextClose().then(({ code, reason }) => reject(new ConnectionClosedError(code, reason)));
  });
  taps.add(tap);
  try {
    if (protocol === 'graphql-transport-ws')
      open.send(JSON.stringify({ type: 'ping', payload: { gqlcastFlush: key } }));
    else open.send(JSON.stringify({ id: key, type: 'start', payload: { query: '{ __typename }' } }));
    await done;
  } finally {
    taps.delete(tap);
  }
}

/** Sends a raw protocol message (an object is JSON-encoded), connecting first if needed. */
export async function sendRaw(client: Client, message: object | string): Promise<void> {
  const open = await internalsOf(client, 'sendRaw').connection.connected();
  open.send(typeof message === 'string' ? message : JSON.stringify(message));
}

/** Resolves with the code and reason of the next time the client's connection closes. */
export function waitForClose(client: Client): Promise<{ code: number; reason: string }> {
  return internalsOf(client, 'waitForClose').connection.nextClose();
}
