// The example of docs/testing.md, run as written (with the server tests' fixture as "your schema").
import { createGraphqlWsServer } from '@gqlcast/server';
import { inProcessTransport } from '@gqlcast/server/testing';
import { expect, it } from 'vitest';
import { createFixture as buildSchema } from '../../server/test/utils/schema.js';
import { createClient } from '../src/index.js';
import { flush } from '../src/testing.js';

it('notifies the other members of a room, not the sender', async () => {
  const { schema, hub } = buildSchema();
  const server = createGraphqlWsServer({ schema, confirmSubscriptions: true });
  const connect = (user: string) => createClient({ transport: inProcessTransport(server), connectionParams: { user } });
  const alice = connect('alice');
  const bob = connect('bob');

  // Both subscribe; `ready` resolves once each subscription is active on the server.
  const query = 'subscription { onMessage(room: "kittens") { text from } }';
  const aliceSub = alice.subscribe({ query });
  const bobSub = bob.subscribe({ query });
  await Promise.all([aliceSub.ready, bobSub.ready]);

  await alice.execute({ query: 'mutation { send(room: "kittens", text: "Hi all!") }' });

  expect((await bobSub.next()).value).toEqual({ data: { onMessage: { text: 'Hi all!', from: 'alice' } } });

  // Alice got nothing back: her queue is empty once every earlier message has arrived.
  const received: unknown[] = [];
  void (async () => {
    for await (const result of aliceSub) received.push(result);
  })();
  await flush(alice);
  expect(received).toEqual([]);

  await Promise.all([alice.close(), bob.close()]);
  await server.close();
  await hub.close();
});
