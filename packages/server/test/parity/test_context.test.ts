// Parity with DjangoChannelsGraphqlWs tests/test_context.py.
// `info.context` is a fresh object per operation in both libraries; the
// Channels scope (`info.context.channels_scope`) is gqlcast's `context.state`.
import { describe, expect, it } from 'vitest';
import { protocolNames, serve } from './harness.js';

describe('tests/test_context.py (no socket)', () => {
  it('test_dict__as_object (tests/test_context.py)', async () => {
    // DictAsObject exists because a Python dict has no attribute access; a JS object is both at once.
    // The port checks what DictAsObject gave resolvers: the operation's context is a plain, writable
    // object whose keys read the same by name and by key, can be deleted, and carry the operation's
    // id and name (`graphql_operation_id`, `graphql_operation_name`) and the connection's state
    // (`channels_scope`).
    let seen: unknown;
    const key = 'marker2';
    await using server = await serve({
      middleware: [
        (next, root, args, context, info) => {
          const ctx = context as Record<string, unknown>;
          ctx.marker1 = 1;
          ctx[key] = 2;
          const both = 'marker1' in ctx && ctx.marker1 === 1 && ctx.marker2 === 2;
          delete ctx.marker1;
          delete ctx[key];
          seen = {
            both,
            gone: !('marker1' in ctx) && !('marker2' in ctx),
            operationId: ctx.operationId,
            operationName: ctx.operationName,
            state: ctx.state === (ctx.connection as { state: unknown }).state,
          };
          return next(root, args, context, info);
        },
      ],
    });
    const client = await server.gql('graphql-transport-ws');
    client.start('query named { ok }', { id: 'the-id', operationName: 'named' });
    await client.receiveNext('the-id');
    expect(seen).toEqual({ both: true, gone: true, operationId: 'the-id', operationName: 'named', state: true });
  });
});

describe.each(protocolNames)('tests/test_context.py (%s)', (protocol) => {
  it('test_context_lifetime (tests/test_context.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    for (let connection = 0; connection < 2; connection++) {
      const client = await server.gql(protocol);
      for (let request = 0; request < 2; request++)
        expect(await client.execute('{ context_ok }')).toEqual({ data: { context_ok: true } });
      await client.raw.close();
    }
    expect(server.runLog).toEqual([false, false, false, false]);
  });

  it('test_context_channels_scope_lifetime (tests/test_context.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    for (let connection = 0; connection < 2; connection++) {
      const client = await server.gql(protocol);
      for (let request = 0; request < 2; request++)
        expect(await client.execute('{ scope_ok }')).toEqual({ data: { scope_ok: true } });
      await client.raw.close();
    }
    // Kept within a connection, not across connections.
    expect(server.runLog).toEqual([false, true, false, true]);
  });
});
