// Parity with DjangoChannelsGraphqlWs tests/test_context.py.
// `info.context` is a fresh object per operation in both libraries; the
// Channels scope (`info.context.channels_scope`) is gqlcast's `context.state`.
import { describe, expect, it } from 'vitest';
import type { DefaultContext } from '../../src/index.js';
import { protocolNames, serve } from './harness.js';

describe('tests/test_context.py (no socket)', () => {
  it('test_dict__as_object (tests/test_context.py)', async () => {
    // DictAsObject exists because Python dicts have no attribute access. A JS object is both
    // at once; the port checks that the context an operation gets is such a plain object:
    // keys set by attribute are seen by key and `in`, and deleting removes them both ways.
    let seen: unknown;
    await using server = await serve({
      context: (connection, message) => {
        const context: Record<string, unknown> = { connection, state: connection.state, operationId: message.id };
        context.marker1 = 1;
        const ok = 'marker1' in context && context.marker1 === 1 && context['marker1'] === 1;
        context['marker2'] = 2;
        const ok2 = context.marker2 === 2;
        delete context.marker1;
        delete context['marker2'];
        seen = { ok, ok2, after: Object.keys(context).sort(), missing: context.marker1 };
        return context as unknown as DefaultContext;
      },
    });
    const client = await server.gql('graphql-transport-ws');
    await client.execute('{ ok }');
    expect(seen).toEqual({ ok: true, ok2: true, after: ['connection', 'operationId', 'state'], missing: undefined });
  });
});

describe.each(protocolNames)('tests/test_context.py (%s)', (protocol) => {
  it('test_context_lifetime (tests/test_context.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    for (let connection = 0; connection < 2; connection++) {
      const client = await server.gql(protocol);
      for (let request = 0; request < 2; request++) expect(await client.execute('{ context_ok }')).toEqual({ data: { context_ok: true } });
      await client.raw.close();
    }
    expect(server.runLog).toEqual([false, false, false, false]);
  });

  it('test_context_channels_scope_lifetime (tests/test_context.py)', async () => {
    await using server = await serve({ strictOrdering: true });
    for (let connection = 0; connection < 2; connection++) {
      const client = await server.gql(protocol);
      for (let request = 0; request < 2; request++) expect(await client.execute('{ scope_ok }')).toEqual({ data: { scope_ok: true } });
      await client.raw.close();
    }
    // Kept within a connection, not across connections.
    expect(server.runLog).toEqual([false, true, false, true]);
  });
});
