// connection.close(): a hook or resolver closes its connection (an expired
// authorization, a revoked session), and everything ends as for any close.
import { describe, expect, it } from 'vitest';
import { protocolNames, start } from './utils/protocols.js';
import { startServer } from './utils/test-server.js';

describe.each(protocolNames)('connection.close (%s)', (protocol) => {
  it('closes with the code and reason given; subscriptions end with disconnect and onDisconnect runs', async () => {
    const disconnects: { code: number; reason: string }[] = [];
    await using server = await startServer({
      // An operation named Logout closes its connection, as an expired token would.
      onOperation: (connection, _id, payload) => {
        if (payload.query.startsWith('query Logout')) connection.close(4403, 'Token expired');
      },
      onDisconnect: (_connection, code, reason) => {
        disconnects.push({ code, reason });
      },
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 's', 'subscription { onMessage(room: "x") { text } }');
    await server.topicSubscribed('messages:room:x');
    start(client, 'q', 'query Logout { hello }');
    expect(await client.closed).toEqual({ code: 4403, reason: 'Token expired' });
    expect(await server.unsubscribedCount(1)).toEqual([{ room: 'x', reason: 'disconnect' }]);
    await server.gql.close();
    expect(disconnects).toEqual([{ code: 4403, reason: 'Token expired' }]);
  });

  it('refuses a code outside 1000 and 4000–4999 with a TypeError, and the connection stays open', async () => {
    await using server = await startServer({
      onOperation: (connection, _id, payload) => {
        if (payload.query.startsWith('query Bad')) connection.close(1001, 'Going away');
      },
    });
    const client = await server.client(protocol);
    await client.init();
    start(client, 'q', 'query Bad { hello }');
    const answer = await client.until((message) => message.id === 'q');
    expect(JSON.stringify(answer)).toContain('connection.close: code must be 1000 or 4000–4999, got 1001');
    // Still open: a ping gets its pong.
    expect(await client.drain()).toEqual([]);
  });
});
