// Parity with DjangoChannelsGraphqlWs tests/test_publish_skip.py, on both subprotocols.
// Intentional difference: `publish` suppresses a notification by returning `SKIP`
// (the Python library returns `None`; in gqlcast `null` is a value a nullable field may take).
import { describe, expect, it } from 'vitest';
import { protocolNames, serve } from './harness.js';

describe.each(protocolNames)('tests/test_publish_skip.py (%s)', (protocol) => {
  it('test_publish_skip (tests/test_publish_skip.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    // The session id comes from the upgrade request's cookie, as the Python test reads it from the scope.
    const author = await server.gql(protocol, { cookie: 'sessionid=author1' });
    const reader = await server.gql(protocol, { cookie: 'sessionid=reader2' });
    const sub = 'subscription op_name { on_authored_message { message } }';
    author.start(sub, { operationName: 'op_name' });
    await author.assertNoMessages('subscribe responded with a message');
    const readerSub = reader.start(sub, { operationName: 'op_name' });
    await reader.assertNoMessages('subscribe responded with a message');

    const mutationId = author.start('mutation op_name { send_authored(message: "Hi!") { is_ok } }', {
      operationName: 'op_name',
    });
    await author.receiveNext(mutationId);
    await author.receiveComplete(mutationId);
    expect(await reader.receiveNext(readerSub)).toEqual({ data: { on_authored_message: { message: 'Hi!' } } });
    await author.assertNoMessages('self-notification happened');
    await reader.assertNoMessages('unexpected message received at the end of the test');
  });
});
