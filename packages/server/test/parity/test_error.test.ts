// Parity with DjangoChannelsGraphqlWs tests/test_error.py. Tests named
// `..._graphql_transport_ws` are about that subprotocol's close codes and run on it only.
import { describe, expect, it } from 'vitest';
import type { Message } from '../utils/test-client.js';
import { type PyClient, protocolNames, serve, VALUE } from './harness.js';

type WireError = { message: string; locations?: unknown; extensions?: { code?: string } };

/**
 * `receive_error`: graphql-transport-ws answers `error` with the list of errors;
 * legacy answers `data` with `{ data: null, errors }` then `complete`, as the Python library does.
 */
async function receiveError(client: PyClient, id: string): Promise<{ errors: WireError[]; data: unknown }> {
  const message = await client.receive();
  if (!client.legacy) {
    expect(message).toMatchObject({ id, type: 'error' });
    return { errors: message.payload as WireError[], data: null };
  }
  expect(message).toMatchObject({ id, type: 'data' });
  const payload = message.payload as { data?: unknown; errors: WireError[] };
  await client.receiveComplete(id);
  return { errors: payload.errors, data: payload.data ?? null };
}

describe.each(protocolNames)('tests/test_error.py (%s)', (protocol) => {
  it('test_syntax_error (tests/test_error.py)', async () => {
    await using server = await serve();
    const client = await server.gql(protocol);
    let id = client.start('This produces a syntax error!');
    let { errors, data } = await receiveError(client, id);
    expect(data).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.locations).toEqual([{ line: 1, column: 1 }]);

    id = client.start(`
      query { projects { path wrong_field } }
      query a { projects }
      { wrong_name }
    `);
    ({ errors, data } = await receiveError(client, id));
    expect(data).toBeNull();
    expect(errors).toHaveLength(5);
    expect(errors[0]?.message).toBe(errors[3]?.message);
    expect(errors[2]).toHaveProperty('locations');
    expect(errors[4]).toHaveProperty('locations');
    await client.assertNoMessages();
  });

  it('test_resolver_error (tests/test_error.py)', async () => {
    await using server = await serve();
    const client = await server.gql(protocol);
    const id = client.start('query op_name { value(issue_error: true) }', { operationName: 'op_name' });
    const payload = (await client.receiveNext(id)) as { data: { value: null }; errors: WireError[] };
    expect(payload.data.value).toBeNull();
    expect(payload.errors).toHaveLength(1);
    expect(payload.errors[0]?.message).toBe(VALUE);
    expect(payload.errors[0]).toHaveProperty('locations');
    // The Python library sends no `extensions` on a resolver error; gqlcast neither adds a code here.
    expect(payload.errors[0]).not.toHaveProperty('extensions');
    await client.receiveComplete(id);
    await client.assertNoMessages();
  });

  it('test_wrong_message_type_error (tests/test_error.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.connectOnly(protocol);
    client.send({ type: 'wrong_type__(ツ)_/¯', variables: {}, operationName: '' } as unknown as Message);
    if (!client.legacy) {
      expect(await client.waitDisconnect()).toBe(4400);
      return;
    }
    const message = await client.receive();
    expect(message).toMatchObject({ type: 'error' });
    const errors = (message.payload as { errors: WireError[] }).errors;
    expect(errors).toHaveLength(1);
    expect(typeof errors[0]?.message).toBe('string');
    // Intentional difference: the code is gqlcast's (`GQLCAST_BAD_MESSAGE`, docs/errors.md), not the
    // Python exception class name `Exception`.
    expect(errors[0]?.extensions?.code).toBe('GQLCAST_BAD_MESSAGE');
    await client.connectAndInit();
    await client.assertNoMessages();
  });

  it('test_connection_error (tests/test_error.py)', async () => {
    await using server = await serve({
      strictOrdering: true,
      onConnect: () => {
        throw new Error('Connection rejected!');
      },
    });
    const client = await server.connectOnly(protocol);
    client.send({ type: 'connection_init' });
    if (client.legacy) {
      const message = await client.receive();
      expect(message.type).toBe('connection_error');
      // Intentional differences: the code is `GQLCAST_CONNECTION_REFUSED` (not the exception class), the
      // message does not expose the hook's exception text, and the close code is 4403 (Python: 4000).
      expect(message.payload).toMatchObject({ extensions: { code: 'GQLCAST_CONNECTION_REFUSED' } });
      expect(typeof (message.payload as WireError).message).toBe('string');
    }
    expect(await client.waitDisconnect()).toBe(4403);
  });

  it('test_subscribe_return_value (tests/test_error.py)', async () => {
    await using server = await serve();
    const sub = (which: string) => `subscription { test_subscription(switch: "${which}") { ok } }`;
    // Accepted: nothing, a list, a frozen list (Python's tuple) — and, unlike Python, a single string
    // (intentional difference: gqlcast's `subscribe` may return one group).
    for (const which of ['NONE', 'LIST', 'TUPLE', 'STR']) {
      const client = await server.gql(protocol);
      client.start(sub(which));
      await client.assertNoMessages(`subscribe (${which}) responded with a message`);
      await client.raw.close();
    }
    // Refused: an object, an empty string (not a group).
    for (const which of ['DICT', 'EMPTYSTR']) {
      const client = await server.gql(protocol);
      const id = client.start(sub(which));
      const message = await client.receive();
      expect(message).toMatchObject({ id, type: 'error' });
      const errors = client.legacy
        ? (message.payload as { errors: WireError[] }).errors
        : (message.payload as WireError[]);
      // Intentional difference: `GQLCAST_INVALID_GROUP` (docs/errors.md) instead of Python's `AssertionError` code.
      expect(errors[0]?.extensions?.code).toBe('GQLCAST_INVALID_GROUP');
      await client.assertNoMessages();
      await client.raw.close();
    }
  });
});

describe('tests/test_error.py (graphql-transport-ws close codes)', () => {
  it('test_connection_init_timeout_error_graphql_transport_ws (tests/test_error.py)', async () => {
    // connection_init_wait_timeout=3 s; gqlcast's connectionInitTimeout is in ms. Waiting for the close,
    // not for a duration. Intentional difference: gqlcast also applies it on legacy graphql-ws.
    await using server = await serve({ strictOrdering: true, connectionInitTimeout: 300 });
    const client = await server.connectOnly('graphql-transport-ws');
    const legacy = await server.connectOnly('graphql-ws');
    expect(await client.waitDisconnect()).toBe(4408);
    expect(await legacy.waitDisconnect()).toBe(4408);
  });

  it('test_connection_unauthorized_error_graphql_transport_ws (tests/test_error.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.connectOnly('graphql-transport-ws');
    client.start('query op_name { value }', { operationName: 'op_name' });
    expect(await client.waitDisconnect()).toBe(4401);
  });

  it('test_many_init_requests_error_graphql_transport_ws (tests/test_error.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql('graphql-transport-ws');
    // The Python client's empty-string payload: accepted as "no payload", then refused as a second init.
    client.send({ type: 'connection_init', payload: '' } as unknown as Message);
    expect(await client.waitDisconnect()).toBe(4429);
  });

  it('test_subscriber_already_exists_error_graphql_transport_ws (tests/test_error.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql('graphql-transport-ws');
    for (let i = 0; i < 2; i++)
      client.start('subscription { test_subscription(switch: "NONE") { ok } }', { id: 'NOT_UNIQUE_ID' });
    expect(await client.waitDisconnect()).toBe(4409);
  });
});
