// Parity with DjangoChannelsGraphqlWs tests/test_serialization.py, on both subprotocols.
// The Python library packs Django model instances into broadcast payloads by
// reference (app, model, pk) and loads them on the receiving side. gqlcast has no
// ORM: payloads are plain data checked by the channel's zod schema and encoded with
// msgpack, so the ports keep the intent: a payload carrying record ids is resolved
// by `publish` against a data source, and rich values (dates and others) survive the trip.
import { describe, expect, it } from 'vitest';
import { protocolNames, serve } from './harness.js';

describe.each(protocolNames)('tests/test_serialization.py (%s)', (protocol) => {
  it('test_models_serialization_with_nested_db_query (tests/test_serialization.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql(protocol);
    const subId = client.start('subscription { on_models_received { usernames } }');
    await client.assertNoMessages();
    await client.execute('mutation { send_models { success } }');
    // `publish` runs an async "database query" per id.
    expect(await client.receiveNext(subId)).toEqual({ data: { on_models_received: { usernames: ['ada', 'grace'] } } });
  });

  it('test_models_serialization (tests/test_serialization.py)', async () => {
    // No Django models to serialise by reference; the ids themselves cross the layer.
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql(protocol);
    const other = await server.gql(protocol);
    const subId = client.start('subscription { on_models_received { usernames } }');
    const otherId = other.start('subscription { on_models_received { usernames } }');
    await client.assertNoMessages();
    await other.assertNoMessages();
    await other.execute('mutation { send_models { success } }');
    const expected = { data: { on_models_received: { usernames: ['ada', 'grace'] } } };
    expect(await client.receiveNext(subId)).toEqual(expected);
    expect(await other.receiveNext(otherId)).toEqual(expected);
  });

  it('test_timestamps_serialization (tests/test_serialization.py)', async () => {
    // The Python library adds `datetime`, `date` and `time` to msgpack; gqlcast's codec keeps
    // `Date`, `bigint`, `Set` and `Map`.
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql(protocol);
    const subId = client.start('subscription { on_timestamps_received { summary } }');
    await client.assertNoMessages();
    const iso = '2026-12-03T07:15:00.123Z';
    await client.execute('mutation ($iso: String!) { send_timestamps_payload(iso: $iso) { success } }', { iso });
    const payload = (await client.receiveNext(subId)) as { data: { on_timestamps_received: { summary: string } } };
    expect(JSON.parse(payload.data.on_timestamps_received.summary)).toEqual({
      datetime: iso,
      big: String(2n ** 70n),
      tags: ['a', 'b'],
      map: { k: 1 },
    });
  });
});
