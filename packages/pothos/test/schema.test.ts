import { lexicographicSortSchema, printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { createExample } from './example/schema.js';

it('prints the example schema as reviewed (sorted)', async () => {
  const { schema } = createExample();
  await expect(printSchema(lexicographicSortSchema(schema))).toMatchFileSnapshot('./__snapshots__/schema.graphql');
});

it('records the channel of each gqlcast field in its extensions, next to the user’s own', () => {
  const { schema } = createExample();
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  expect(fields.onNewChatMessage?.extensions.gqlcast).toEqual({
    channel: 'chatMessages',
    push: true,
    shared: false,
    // The plugin's own resolver, so the server can tell it was not wrapped (automatic sharing).
    resolve: expect.any(Function),
  });
  const pushField = fields.onNewChatMessage;
  expect((pushField?.extensions.gqlcast as { resolve?: unknown } | undefined)?.resolve).toBe(pushField?.resolve);
  expect(fields.membersOnly?.extensions).toMatchObject({ audience: 'members', gqlcast: { channel: 'chatMessages' } });
});
