// Parity with DjangoChannelsGraphqlWs tests/test_middleware.py, on both subprotocols.
import { describe, expect, it } from 'vitest';
import type { Middleware } from '../../src/index.js';
import { protocolNames, serve } from './harness.js';

describe.each(protocolNames)('tests/test_middleware.py (%s)', (protocol) => {
  it('test_middleware_called_in_query (tests/test_middleware.py)', async () => {
    let called = false;
    const middleware: Middleware = (next, root, args, context, info) => {
      called = true;
      return next(root, args, context, info);
    };
    await using server = await serve({ strictOrdering: true, middleware: [middleware] });
    const client = await server.gql(protocol);
    expect(await client.execute('query { ok }')).toEqual({ data: { ok: true } });
    expect(called).toBe(true);
  });

  it('test_middleware_called_in_mutation (tests/test_middleware.py)', async () => {
    let called = false;
    const middleware: Middleware = (next, root, args, context, info) => {
      called = true;
      return next(root, args, context, info);
    };
    await using server = await serve({ strictOrdering: true, middleware: [middleware] });
    const client = await server.gql(protocol);
    expect(await client.execute('mutation { noop { ok } }')).toEqual({ data: { noop: { ok: true } } });
    expect(called).toBe(true);
  });

  // The middleware runs once per field of a notification: around `publish` for the subscription
  // field (its resolver only hands the value on, and is not wrapped), then around `ok`. It once ran
  // twice around the subscription field (['on_trigger', 'on_trigger', 'ok']).
  it('test_middleware_called_in_subscription (tests/test_middleware.py)', async () => {
    const calls: string[] = [];
    const middleware: Middleware = async (next, root, args, context, info) => {
      // The legacy sentinel query (`{ hello }`) of assertNoMessages is not part of the test.
      if (info.fieldName !== 'hello') calls.push(info.fieldName);
      return await next(root, args, context, info);
    };
    await using server = await serve({ strictOrdering: true, middleware: [middleware] });
    const client = await server.gql(protocol);
    const subId = client.start('subscription { on_trigger { ok } }');
    await client.assertNoMessages();
    // Not around `subscribe`.
    expect(calls).toEqual([]);
    await server.trigger.broadcast({ payload: {} });
    expect(await client.receiveNext(subId)).toEqual({ data: { on_trigger: { ok: true } } });
    // Once around `publish` (the subscription field's resolver) and once around the nested `ok`.
    expect(calls).toEqual(['on_trigger', 'ok']);
  });

  it('test_middleware_invocation_order (tests/test_middleware.py)', async () => {
    const log: number[] = [];
    const tagged =
      (tag: number): Middleware =>
      (next, root, args, context, info) => {
        log.push(tag);
        return next(root, args, context, info);
      };
    // As in the Python library: the first listed is closest to the resolver, the last outermost.
    await using server = await serve({ strictOrdering: true, middleware: [tagged(2), tagged(1)] });
    const client = await server.gql(protocol);
    await client.execute('query { ok }');
    expect(log).toEqual([1, 2]);
  });
});
