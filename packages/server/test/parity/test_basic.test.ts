// Parity with DjangoChannelsGraphqlWs tests/test_basic.py, on both subprotocols.
import { describe, expect, it } from 'vitest';
import { confirmation, protocolNames, serve, VALUE } from './harness.js';

const SUB = 'subscription op_name($user_id: UserId) { on_chat_message_sent(user_id: $user_id) { event } }';
const SEND = `mutation op_name($message: String!, $user_id: UserId) {
  send_chat_message(message: $message, user_id: $user_id) { message }
}`;

describe.each(protocolNames)('tests/test_basic.py (%s)', (protocol) => {
  it('test_main_usecase (tests/test_basic.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql(protocol);
    const queryId = client.start('query op_name { value }', { operationName: 'op_name' });
    expect(await client.receiveNext(queryId)).toEqual({ data: { value: VALUE } });
    await client.receiveComplete(queryId);

    const subId = client.start(SUB, { operationName: 'op_name', variables: { user_id: 'ALICE' } });
    await client.assertNoMessages('subscribe answered without confirmSubscriptions');
    const message = `Hi! ${Math.random().toString(16).slice(2)}`;
    const mutationId = client.start(SEND, { operationName: 'op_name', variables: { message, user_id: 'ALICE' } });
    // Under strict ordering the mutation's own result comes before what it triggered.
    expect(await client.receiveNext(mutationId)).toEqual({ data: { send_chat_message: { message } } });
    await client.receiveComplete(mutationId);
    const notification = (await client.receiveNext(subId)) as { data: { on_chat_message_sent: { event: string } } };
    expect(JSON.parse(notification.data.on_chat_message_sent.event)).toEqual({ user_id: 1, payload: message });
  });

  it('test_subscribe_unsubscribe (tests/test_basic.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql(protocol);
    // 1. Stop by id.
    const alice = client.start(SUB, { operationName: 'op_name', variables: { user_id: 'ALICE' } });
    client.complete(alice);
    if (client.legacy) await client.receiveComplete(alice);
    // Intentional difference: on graphql-transport-ws the server does not echo a client's `complete`
    // (the protocol forbids it); the stop is observed through `unsubscribed` instead.
    await server.unsubscribedCount(1);
    expect(server.unsubscribed[0]).toEqual({ id: alice, reason: 'complete' });

    // 2. Stop server-side (`kick_out_user` → channel.unsubscribe) : the client gets `complete` on both subprotocols.
    const tom = client.start(SUB, { operationName: 'op_name', variables: { user_id: 'TOM' } });
    const kick = client.start('mutation op_name { kick_out_user(user_id: TOM) { success } }', {
      operationName: 'op_name',
    });
    expect(await client.receiveNext(kick)).toEqual({ data: { kick_out_user: { success: true } } });
    await client.receiveComplete(kick);
    await client.receiveComplete(tom);

    // 3. A broadcast to everyone reaches no one.
    const send = client.start('mutation op_name { send_chat_message(message: "Is there anybody here?") { message } }', {
      operationName: 'op_name',
    });
    await client.receiveNext(send);
    await client.receiveComplete(send);
    await client.assertNoMessages('notification received in spite of having unsubscribed from all subscriptions');
  });

  it('test_subscription_groups (tests/test_basic.py)', async () => {
    await using server = await serve({ strictOrdering: true, confirmSubscriptions: true });
    const subscribe = async (userId: string) => {
      const client = await server.gql(protocol);
      const id = client.start(SUB, { operationName: 'op_name', variables: { user_id: userId } });
      expect(await client.receiveNext(id)).toEqual(confirmation);
      return { client, id };
    };
    const trigger = async (
      client: Awaited<ReturnType<typeof subscribe>>['client'],
      userId: string | null,
      message: string,
    ) => {
      const id = client.start(SEND, { operationName: 'op_name', variables: { message, user_id: userId } });
      await client.receiveNext(id);
      await client.receiveComplete(id);
    };
    const event = async (sub: Awaited<ReturnType<typeof subscribe>>) =>
      JSON.parse(
        ((await sub.client.receiveNext(sub.id)) as { data: { on_chat_message_sent: { event: string } } }).data
          .on_chat_message_sent.event,
      );
    const alice = await subscribe('ALICE');
    const tom = await subscribe('TOM');

    await trigger(alice.client, 'TOM', 'Hi, Tom!');
    expect(await event(tom)).toEqual({ user_id: 0, payload: 'Hi, Tom!' });
    await alice.client.assertNoMessages();

    await trigger(tom.client, 'ALICE', 'Hi, Alice!');
    expect(await event(alice)).toEqual({ user_id: 1, payload: 'Hi, Alice!' });
    await tom.client.assertNoMessages();

    // No group: the channel-wide broadcast reaches every subscription (the class's default group).
    await trigger(tom.client, null, 'test... ping...');
    expect(await event(tom)).toEqual({ user_id: 0, payload: 'test... ping...' });
    expect(await event(alice)).toEqual({ user_id: 1, payload: 'test... ping...' });
  });

  it('test_ping (tests/test_basic.py)', async () => {
    // send_ping_every=0.05 → keepAlive: 50 ms. Counting keepalives needs no threshold: we wait for four.
    await using server = await serve({ strictOrdering: true, keepAlive: 50 });
    const client = await server.gql(protocol);
    for (let i = 0; i < 4; i++) expect((await client.raw.next()).type).toBe(client.legacy ? 'ka' : 'ping');
    if (client.legacy) {
      client.send({ type: 'connection_terminate' });
      expect(await client.waitDisconnect()).toBe(1000);
    }
  });
});
