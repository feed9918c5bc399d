// Type tests: checked by `tsc` in the test command (not run by vitest).
import type { TypedDocumentNode as CodegenDocument } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { expectTypeOf } from 'vitest';
import { type ClientResult, createClient, type TypedDocumentNode, webSocketTransport } from '../src/index.js';

const client = createClient({ transport: webSocketTransport('ws://localhost:4000/graphql') });

// A document from GraphQL Code Generator carries its types.
const hello = parse('query Hello($name: String!) { hello(name: $name) }') as unknown as CodegenDocument<
  { hello: string },
  { name: string }
>;

async function typed() {
  const result = await client.execute({ query: hello, variables: { name: 'Ada' } });
  expectTypeOf(result).toEqualTypeOf<ClientResult<{ hello: string }>>();
  expectTypeOf(result.data).toEqualTypeOf<{ hello: string } | null | undefined>();

  // @ts-expect-error the variable is a string
  await client.execute({ query: hello, variables: { name: 1 } });

  // @ts-expect-error an unknown variable
  await client.execute({ query: hello, variables: { name: 'x', other: true } });

  const onMessage = parse('subscription { onMessage { text } }') as unknown as TypedDocumentNode<
    { onMessage: { text: string } },
    Record<string, never>
  >;
  const subscription = client.subscribe({ query: onMessage });
  for await (const message of subscription) {
    expectTypeOf(message.data?.onMessage.text).toEqualTypeOf<string | undefined>();
    // @ts-expect-error no such field
    void message.data?.onMessage.sender;
  }

  // A plain string query: data is a record.
  const untyped = await client.execute({ query: '{ hello }' });
  expectTypeOf(untyped.data).toEqualTypeOf<Record<string, unknown> | null | undefined>();
}
void typed;

// @ts-expect-error a transport is required
createClient({});

// @ts-expect-error only the two subprotocols exist
createClient({ transport: webSocketTransport('ws://x'), protocol: 'mqtt' });

// Several URLs, in the order they are tried.
webSocketTransport(['ws://a.example/graphql', 'ws://b.example/graphql']);
webSocketTransport(['ws://a.example/graphql'] as const);
// @ts-expect-error a URL is a string
webSocketTransport([new URL('ws://a.example/graphql')]);

// Resumable subscriptions: what the server adds to a result, typed.
async function resumable() {
  for await (const result of client.subscribe({ query: 'subscription { tick }' })) {
    expectTypeOf(result.extensions?.gqlcast?.cursor).toEqualTypeOf<string | undefined>();
    expectTypeOf(result.extensions?.gqlcast?.gap?.missed).toEqualTypeOf<number | undefined>();
    // Other extensions stay open.
    expectTypeOf(result.extensions?.tracing).toEqualTypeOf<unknown>();
    const gqlcast = result.extensions?.gqlcast;
    // @ts-expect-error the cursor is the server's: read it, do not change it
    if (gqlcast) gqlcast.cursor = 'forged';
  }
}
void resumable;

client.on('gap', ({ id, missed }) => {
  expectTypeOf(id).toEqualTypeOf<string>();
  expectTypeOf(missed).toEqualTypeOf<number | undefined>();
});
// @ts-expect-error a gap carries no cursor
client.on('gap', ({ cursor }) => cursor);
// @ts-expect-error no such event
client.on('resumed', () => undefined);
