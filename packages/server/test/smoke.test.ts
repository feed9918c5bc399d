import { expect, it } from 'vitest';
import { startServer } from './utils/test-server.js';

it('answers a query over graphql-transport-ws', async () => {
  await using server = await startServer();
  const client = await server.client('graphql-transport-ws');
  await client.init();
  client.send({ id: '1', type: 'subscribe', payload: { query: '{ hello(name: "Ada") }' } });
  expect(await client.next()).toEqual({ id: '1', type: 'next', payload: { data: { hello: 'Hello, Ada!' } } });
  expect(await client.next()).toEqual({ id: '1', type: 'complete' });
});
