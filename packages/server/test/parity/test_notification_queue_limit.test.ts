// Parity with DjangoChannelsGraphqlWs tests/test_notification_queue_limit.py, on both subprotocols.
import { describe, expect, it } from 'vitest';
import { protocolNames, serve } from './harness.js';

describe.each(protocolNames)('tests/test_notification_queue_limit.py (%s)', (protocol) => {
  it('test_notification_queue_limit (tests/test_notification_queue_limit.py)', async () => {
    // `on_new_message` has queueLimit 1 and an async publish taking 1 ms; `send_messages`
    // broadcasts 0…99 at once. The first and the last arrive, some in between are skipped.
    await using server = await serve({ strictOrdering: true });
    const client = await server.gql(protocol);
    const subId = client.start('subscription op_name { on_new_message { message } }', { operationName: 'op_name' });
    await client.assertNoMessages();
    const mutationId = client.start('mutation op_name { send_messages { is_ok } }', { operationName: 'op_name' });
    await client.receiveNext(mutationId);
    await client.receiveComplete(mutationId);
    const received: number[] = [];
    for (;;) {
      const payload = (await client.receiveNext(subId)) as { data: { on_new_message: { message: number } } };
      received.push(payload.data.on_new_message.message);
      if (payload.data.on_new_message.message === 99) break;
    }
    expect(received[0]).toBe(0);
    expect(received.at(-1)).toBe(99);
    expect(received.length).toBeLessThan(100);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(server.hub.stats().dropped).toBe(100 - received.length);
    await client.assertNoMessages();
  });
});
