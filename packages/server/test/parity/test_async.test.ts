// Parity with DjangoChannelsGraphqlWs tests/test_async.py, on both subprotocols.
// The Python module checks the async variants (`broadcast` awaited inside an async
// `mutate`, async `subscribe`/`publish`); in gqlcast every broadcast is async.
import { describe, expect, it } from 'vitest';
import { protocolNames, serve } from './harness.js';

describe.each(protocolNames)('tests/test_async.py (%s)', (protocol) => {
  it('test_broadcast (tests/test_async.py)', async () => {
    await using server = await serve({ strictOrdering: false });
    const sender = await server.gql(protocol);
    const recipient = await server.gql(protocol);
    const subId = recipient.start('subscription on_message_sent { on_message_sent { message } }', {
      operationName: 'on_message_sent',
    });
    await recipient.assertNoMessages();

    const message = `Hi! ${Math.random().toString(16).slice(2)}`;
    expect(
      await sender.execute('mutation send_message($message: String!) { send_message(message: $message) { success } }', {
        message,
      }),
    ).toEqual({
      data: { send_message: { success: true } },
    });
    expect(await recipient.receiveNext(subId)).toEqual({ data: { on_message_sent: { message } } });

    // Ten increasing timestamps whose async publish waits decreasing delays (10 ms … 1 ms):
    // notifications of one subscription keep broadcast order even when an earlier publish is slower.
    const count = 10;
    expect(
      await sender.execute('mutation send_timestamps($count: Int!) { send_timestamps(count: $count) { success } }', {
        count,
      }),
    ).toEqual({
      data: { send_timestamps: { success: true } },
    });
    const timestamps: number[] = [];
    for (let i = 0; i < count; i++) {
      const payload = (await recipient.receiveNext(subId)) as { data: { on_message_sent: { message: string } } };
      timestamps.push(Number(payload.data.on_message_sent.message));
    }
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    await sender.assertNoMessages('unexpected message received at the end of the test');
    await recipient.assertNoMessages('unexpected message received at the end of the test');
  });

  it('test_subscribe_unsubscribe (tests/test_async.py)', async () => {
    // A stop sent right after the subscribe, while it may still be starting (default: no strictOrdering).
    await using server = await serve();
    const client = await server.gql(protocol);
    const subId = client.start('subscription on_message_sent { on_message_sent { message } }', {
      operationName: 'on_message_sent',
    });
    client.complete(subId);
    // Intentional difference: no `complete` echo on graphql-transport-ws (the protocol forbids it).
    if (client.legacy) await client.receiveComplete(subId);
    await client.assertNoMessages();
    // gqlcast ends a subscription stopped during its start before its `subscribe` runs; if `subscribe`
    // ran, `unsubscribed` ran too (reason `complete`).
    expect(server.unsubscribed).toEqual(server.subscribed.map((id) => ({ id, reason: 'complete' })));
    // It stays ended: a later broadcast reaches nobody.
    await server.sent.broadcast({ payload: { message: 'late' } });
    await client.assertNoMessages('notification after the stop');
  });
});
