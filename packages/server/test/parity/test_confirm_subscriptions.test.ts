// Parity with DjangoChannelsGraphqlWs tests/test_confirm_subscriptions.py, on both subprotocols.
import { describe, expect, it } from 'vitest';
import { confirmation, protocolNames, serve } from './harness.js';

const SUB = 'subscription op_name { on_trigger { is_ok } }';
const TRIGGER = 'mutation op_name { trigger { is_ok } }';

describe.each(protocolNames)('tests/test_confirm_subscriptions.py (%s)', (protocol) => {
  it('test_confirmation_enabled (tests/test_confirm_subscriptions.py)', async () => {
    await using server = await serve({ strictOrdering: true, confirmSubscriptions: true });
    const client = await server.gql(protocol);
    const subId = client.start(SUB, { operationName: 'op_name' });
    expect(await client.receiveNext(subId)).toEqual(confirmation);
    const mutationId = client.start(TRIGGER, { operationName: 'op_name' });
    await client.receiveNext(mutationId);
    await client.receiveComplete(mutationId);
    expect(await client.receiveNext(subId)).toEqual({ data: { on_trigger: { is_ok: true } } });
    await client.assertNoMessages('unexpected message received at the end of the test');
  });

  it('test_confirmation_disabled (tests/test_confirm_subscriptions.py)', async () => {
    await using server = await serve({ strictOrdering: true, confirmSubscriptions: false });
    const client = await server.gql(protocol);
    const subId = client.start(SUB, { operationName: 'op_name' });
    await client.assertNoMessages('subscribe responded with a message');
    const mutationId = client.start(TRIGGER, { operationName: 'op_name' });
    await client.receiveNext(mutationId);
    await client.receiveComplete(mutationId);
    expect(await client.receiveNext(subId)).toEqual({ data: { on_trigger: { is_ok: true } } });
    await client.assertNoMessages('unexpected message received at the end of the test');
  });

  it('test_custom_confirmation_message (tests/test_confirm_subscriptions.py)', async () => {
    const expectedData = Math.random().toString(16).slice(2);
    // The Python library formats exception objects (`RuntimeError: <msg>` with `extensions.code`);
    // gqlcast's confirmationMessage is already the wire result, so the errors are given formatted.
    const expectedErrors = [{ message: `RuntimeError: ${expectedData}`, extensions: { code: 'RuntimeError' } }];
    await using server = await serve({
      strictOrdering: true,
      confirmSubscriptions: true,
      confirmationMessage: { data: expectedData, errors: expectedErrors },
    });
    const client = await server.gql(protocol);
    const subId = client.start(SUB, { operationName: 'op_name' });
    expect(await client.receiveNext(subId)).toEqual({ data: expectedData, errors: expectedErrors });
    const mutationId = client.start(TRIGGER, { operationName: 'op_name' });
    await client.receiveNext(mutationId);
    await client.receiveComplete(mutationId);
    expect(await client.receiveNext(subId)).toEqual({ data: { on_trigger: { is_ok: true } } });
    await client.assertNoMessages('unexpected message received at the end of the test');
  });
});
