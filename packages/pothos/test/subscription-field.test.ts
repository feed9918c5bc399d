import { type Layer, memoryLayer, returnWithReason, SKIP } from '@gqlcast/core';
import { deferred } from '@gqlcast/core/testing';
import * as graphql from 'graphql';
import { type ExecutionArgs, execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createExample } from './example/schema.js';
import { nextData, nextResult, open, refused } from './helpers.js';

/**
 * A memory layer that confirms a subscription only a few event-loop turns
 * later, and delivers nothing before: like a network layer (Redis), where
 * messages published before the confirmation are lost.
 */
function slowConfirmingLayer(): Layer {
  const inner = memoryLayer();
  return {
    ...inner,
    name: 'slow-confirming',
    async subscribe(topic, onMessage) {
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      return inner.subscribe(topic, onMessage);
    },
  };
}

const chatQuery = 'subscription ($room: String) { onNewChatMessage(chatroom: $room) { chatroom text sender } }';
const alice = { userId: 'alice', loggedIn: true };
const bob = { userId: 'bob', loggedIn: false };

describe('subscribe: groups from typed args', () => {
  it('delivers a broadcast issued right after subscribe() resolved, every round (ready means ready)', async () => {
    const { schema, chatMessages } = createExample({ layer: slowConfirmingLayer() });
    for (let round = 0; round < 100; round++) {
      const results = await open(schema, chatQuery, bob, { room: 'kittens' });
      void chatMessages.broadcast({
        group: 'room:kittens',
        payload: { chatroom: 'kittens', text: `round ${round}`, senderId: 'alice' },
      });
      expect(await nextData(results)).toEqual({
        onNewChatMessage: { chatroom: 'kittens', text: `round ${round}`, sender: 'alice' },
      });
      await results.return(undefined);
    }
  });

  it('joins only the groups subscribe returned, plus channel-wide broadcasts', async () => {
    const { schema, chatMessages } = createExample();
    const kittens = await open(schema, chatQuery, bob, { room: 'kittens' });
    const everywhere = await open(schema, chatQuery, bob, {});
    await chatMessages.broadcast({
      group: 'room:puppies',
      payload: { chatroom: 'puppies', text: 'woof', senderId: 'x' },
    });
    await chatMessages.broadcast({ payload: { chatroom: '*', text: 'to all', senderId: 'system' } });
    // "woof" went to a group nobody here joined: each stream's next item is the channel-wide one.
    expect(await nextData(kittens)).toEqual({ onNewChatMessage: { chatroom: '*', text: 'to all', sender: 'system' } });
    expect(await nextData(everywhere)).toEqual({
      onNewChatMessage: { chatroom: '*', text: 'to all', sender: 'system' },
    });
  });

  it('accepts a single string as the group', async () => {
    const { schema, chatMessages } = createExample();
    const results = await open(schema, 'subscription { rawMessages(chatroom: "a") { text } }', bob);
    await chatMessages.broadcast({ group: 'room:a', payload: { chatroom: 'a', text: 'raw', senderId: 'alice' } });
    expect(await nextData(results)).toEqual({ rawMessages: { text: 'raw' } });
  });

  it('refuses the subscription with the error subscribe threw', async () => {
    const { schema, unsubscribedCalls } = createExample();
    const result = await refused(schema, 'subscription { onNewChatMessage(chatroom: "forbidden") { text } }', bob);
    expect(result.errors?.map((error) => error.message)).toEqual(['You may not read this room.']);
    expect(unsubscribedCalls).toEqual([]);
  });

  it('names the field when subscribe returns something that is not a group', async () => {
    const { schema } = createExample();
    const result = await refused(schema, 'subscription { onNewChatMessage(chatroom: "invalid") { text } }', bob);
    expect(result.errors?.[0]?.message).toMatch(
      /^subscribe\(\) of Subscription.onNewChatMessage returned an invalid group\. Invalid group for channel "chatMessages".*got number/,
    );
  });
});

describe('publish: per-subscriber values and SKIP', () => {
  it('skips the sender, and only the sender', async () => {
    const { schema, chatMessages } = createExample();
    const aliceResults = await open(schema, chatQuery, alice, { room: 'kittens' });
    const bobResults = await open(schema, chatQuery, bob, { room: 'kittens' });
    await chatMessages.broadcast({
      group: 'room:kittens',
      payload: { chatroom: 'kittens', text: 'mine', senderId: 'alice' },
    });
    await chatMessages.broadcast({
      group: 'room:kittens',
      payload: { chatroom: 'kittens', text: 'yours', senderId: 'bob' },
    });
    expect(await nextData(bobResults)).toEqual({
      onNewChatMessage: { chatroom: 'kittens', text: 'mine', sender: 'alice' },
    });
    // Alice's first item is Bob's message: her own was skipped, not sent as null or empty.
    expect(await nextData(aliceResults)).toEqual({
      onNewChatMessage: { chatroom: 'kittens', text: 'yours', sender: 'bob' },
    });
  });

  it('sends null as a real value of a nullable field, and SKIP as nothing', async () => {
    const { schema, counters } = createExample();
    const results = await open(schema, 'subscription { counter(every: 2) }', bob);
    await counters.broadcast({ payload: { n: 0 } });
    expect(await nextData(results)).toEqual({ counter: null });
    await counters.broadcast({ payload: { n: 1 } });
    await counters.broadcast({ payload: { n: 2 } });
    // 1 was skipped (every: 2): the next item is 2's.
    expect(await nextData(results)).toEqual({ counter: 20 });
  });

  it('sends a failed publish as an error on that notification only, and keeps the subscription', async () => {
    const { schema, counters } = createExample();
    const results = await open(schema, 'subscription { counter }', bob);
    await counters.broadcast({ payload: { n: -5 } });
    await counters.broadcast({ payload: { n: 3 } });
    const failed = await nextResult(results);
    expect(failed.data).toEqual({ counter: null });
    expect(failed.errors?.map((error) => [error.message, error.path])).toEqual([['negative: -5', ['counter']]]);
    expect(await nextData(results)).toEqual({ counter: 30 });
  });

  it('keeps order when an earlier publish is slower than a later one', async () => {
    const gates = new Map([1, 2, 3].map((n) => [n, deferred()]));
    const started: number[] = [];
    const gate = (n: number) => {
      started.push(n);
      return gates.get(n)?.promise ?? Promise.resolve();
    };
    const { schema, counters } = createExample({ gate });
    const results = await open(schema, 'subscription { ordered }', bob);
    for (const n of [1, 2, 3]) await counters.broadcast({ payload: { n } });
    const settled: unknown[] = [];
    const received = [nextData(results), nextData(results), nextData(results)].map((p) =>
      p.then((value) => settled.push(value)),
    );
    // The later publishes are released first; the first one last.
    gates.get(3)?.resolve();
    gates.get(2)?.resolve();
    // Nothing can be delivered while the first publish is held: a sentinel turn proves it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]);
    expect(started).toEqual([1]);
    gates.get(1)?.resolve();
    await Promise.all(received);
    expect(settled).toEqual([{ ordered: 1 }, { ordered: 2 }, { ordered: 3 }]);
    expect(started).toEqual([1, 2, 3]);
  });

  it('sends nothing for a notification whose publish was still running when the client completed', async () => {
    const gate = deferred();
    const publishing = deferred();
    const { schema, counters } = createExample({
      gate: () => {
        publishing.resolve();
        return gate.promise;
      },
    });
    const results = await open(schema, 'subscription { ordered }', bob);
    await counters.broadcast({ payload: { n: 1 } });
    const pending = results.next();
    await publishing.promise;
    // publish(1) is now waiting on its gate; the client completes meanwhile (graphql 17's
    // return() waits for the pending next(), so the gate opens before it is awaited).
    const returned = results.return(undefined);
    gate.resolve();
    await returned;
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('uses the payload as the value when publish is omitted', async () => {
    const { schema, chatMessages } = createExample();
    const results = await open(schema, 'subscription { rawMessages(chatroom: "a") { chatroom text sender } }', alice);
    // No publish, so no SKIP either: the sender receives their own message.
    await chatMessages.broadcast({ group: 'room:a', payload: { chatroom: 'a', text: 'echo', senderId: 'alice' } });
    expect(await nextData(results)).toEqual({ rawMessages: { chatroom: 'a', text: 'echo', sender: 'alice' } });
  });

  it('applies the field queueLimit to a slow subscriber', async () => {
    const { schema, counters, hub } = createExample();
    const results = await open(schema, 'subscription { counter }', bob);
    for (const n of [1, 2, 3, 4]) await counters.broadcast({ payload: { n } });
    expect(await nextData(results)).toEqual({ counter: 30 });
    expect(await nextData(results)).toEqual({ counter: 40 });
    expect(hub.stats().dropped).toBe(2);
  });

  it('exports the same SKIP as core', async () => {
    const plugin = await import('../src/index.js');
    expect(plugin.SKIP).toBe(SKIP);
    expect(plugin.SKIP).toBe(Symbol.for('gqlcast.skip'));
  });
});

describe('misuse found when the schema is built', () => {
  it('refuses a bad queueLimit or a missing channel with a PothosSchemaError naming the option', async () => {
    const { default: SchemaBuilder } = await import('@pothos/core');
    const { createHub } = await import('@gqlcast/core');
    const { z } = await import('zod');
    const GqlcastPlugin = (await import('../src/index.js')).default;
    const channel = createHub().channel('c', { payload: z.object({ n: z.number() }) });
    const build = (options: Record<string, unknown>) => {
      // scope-auth's typings are global in this program (see types.test-d.ts): hence its option.
      const builder = new SchemaBuilder({ plugins: [GqlcastPlugin], scopeAuth: { authScopes: () => ({}) } });
      builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
      builder.subscriptionType({
        fields: (t) => ({
          field: t.subscriptionField({ type: 'Int', channel, publish: (p: { n: number }) => p.n, ...options } as never),
        }),
      });
      return builder.toSchema();
    };
    expect(() => build({ queueLimit: 0 })).toThrow(/`queueLimit` must be a whole number of at least 1/);
    expect(() => build({ channel: undefined })).toThrow(/`channel` must be a channel declared with hub.channel/);
    expect(() => build({ publish: 'nope' })).toThrow(/`publish` must be a function/);
    expect(() => build({ share: 'yes' })).toThrow(/`share` must be true .* or a function of the context/);
    expect(() => build({ queueLimit: 5 })).not.toThrow();
  });
});

describe('share under a server that pulls', () => {
  it('works with graphql-js subscribe(): each subscriber gets its own stream and publish', async () => {
    const { default: SchemaBuilder } = await import('@pothos/core');
    const { createHub } = await import('@gqlcast/core');
    const { z } = await import('zod');
    const GqlcastPlugin = (await import('../src/index.js')).default;
    const channel = createHub().channel('c', { payload: z.object({ n: z.number() }) });
    let publishes = 0;
    const builder = new SchemaBuilder({ plugins: [GqlcastPlugin], scopeAuth: { authScopes: () => ({}) } });
    builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
    builder.subscriptionType({
      fields: (t) => ({
        counter: t.subscriptionField({
          type: 'Int',
          channel,
          share: true,
          publish: (payload) => {
            publishes++;
            return payload.n;
          },
        }),
      }),
    });
    const schema = builder.toSchema();
    const first = await open(schema, 'subscription { counter }', bob, {});
    const second = await open(schema, 'subscription { counter }', bob, {});
    await channel.broadcast({ payload: { n: 5 } });
    expect(await nextData(first)).toEqual({ counter: 5 });
    expect(await nextData(second)).toEqual({ counter: 5 });
    // Sharing needs the gqlcast server's push path; pulled streams stay per subscriber.
    expect(publishes).toBe(2);
  });
});

describe('plain graphql-js execute()', () => {
  it('runs queries of the same schema, and resolves a subscription document against a given root', async () => {
    const { schema } = createExample();
    expect(await execute({ schema, document: parse('{ ok }') })).toEqual({ data: { ok: true } });
    // graphql-js runs a subscription document through execute() once, with the root value as the event.
    const result = await execute({
      schema,
      document: parse('subscription { rawMessages(chatroom: "a") { text sender } }'),
      rootValue: { chatroom: 'a', text: 'from execute', senderId: 'x' },
      contextValue: bob,
    });
    expect(result).toEqual({ data: { rawMessages: { text: 'from execute', sender: 'x' } } });
  });
});

describe('several subscriptions', () => {
  it('delivers to two subscriptions of one group in one context, and completing one leaves the other', async () => {
    const { schema, chatMessages } = createExample();
    const first = await open(schema, chatQuery, bob, { room: 'r' });
    const second = await open(schema, chatQuery, bob, { room: 'r' });
    await chatMessages.broadcast({ group: 'room:r', payload: { chatroom: 'r', text: 'both', senderId: 'x' } });
    expect(await nextData(first)).toEqual({ onNewChatMessage: { chatroom: 'r', text: 'both', sender: 'x' } });
    expect(await nextData(second)).toEqual({ onNewChatMessage: { chatroom: 'r', text: 'both', sender: 'x' } });
    await first.return(undefined);
    await chatMessages.broadcast({ group: 'room:r', payload: { chatroom: 'r', text: 'one left', senderId: 'x' } });
    expect(await nextData(second)).toEqual({ onNewChatMessage: { chatroom: 'r', text: 'one left', sender: 'x' } });
    expect(await first.next()).toEqual({ done: true, value: undefined });
  });
});

describe('unsubscribed: exactly once, with the reason', () => {
  it('runs with "complete" when the client completes, even before the first notification', async () => {
    const { schema, unsubscribedCalls } = createExample();
    const results = await open(schema, chatQuery, bob, { room: 'kittens' });
    await results.return(undefined);
    await results.return(undefined);
    expect(unsubscribedCalls).toEqual([
      { field: 'onNewChatMessage', args: { chatroom: 'kittens' }, userId: 'bob', reason: 'complete' },
    ]);
  });

  it('runs with "unsubscribe" after channel.unsubscribe, once the stream ends', async () => {
    const { schema, chatMessages, unsubscribedCalls } = createExample();
    const results = await open(schema, chatQuery, bob, { room: 'kittens' });
    const other = await open(schema, chatQuery, bob, { room: 'puppies' });
    await chatMessages.broadcast({
      group: 'room:kittens',
      payload: { chatroom: 'kittens', text: 'bye', senderId: 'x' },
    });
    await chatMessages.unsubscribe({ group: 'room:kittens' });
    expect(await nextData(results)).toEqual({ onNewChatMessage: { chatroom: 'kittens', text: 'bye', sender: 'x' } });
    expect(await results.next()).toEqual({ done: true, value: undefined });
    expect(unsubscribedCalls.map((call) => call.reason)).toEqual(['unsubscribe']);
    await other.return(undefined);
    expect(unsubscribedCalls.map((call) => call.reason)).toEqual(['unsubscribe', 'complete']);
  });

  it('runs with "shutdown" when the hub closes', async () => {
    const { schema, hub, unsubscribedCalls } = createExample();
    const results = await open(schema, chatQuery, bob, {});
    const pending = results.next();
    await hub.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(unsubscribedCalls.map((call) => call.reason)).toEqual(['shutdown']);
  });

  it('runs with the reason a transport gives through returnWithReason', async () => {
    const { schema, unsubscribedCalls } = createExample();
    // A transport ends the field's source stream (as gqlcast's server does), passing the reason explicitly.
    const source = (await sourceEventStream({ schema, document: parse(chatQuery), contextValue: bob })) as
      | AsyncIterableIterator<unknown>
      | { errors: unknown };
    if (!(Symbol.asyncIterator in source)) throw new Error('expected a stream');
    await returnWithReason(source, 'disconnect');
    await source.return?.(undefined);
    expect(unsubscribedCalls.map((call) => call.reason)).toEqual(['disconnect']);
  });

  it('runs with "complete" when return() is given no reason (graphql-js subscribe drops the argument)', async () => {
    const { schema, unsubscribedCalls } = createExample();
    const results = await open(schema, chatQuery, bob, {});
    await returnWithReason(results, 'disconnect');
    expect(unsubscribedCalls.map((call) => call.reason)).toEqual(['complete']);
  });

  it('logs a failing unsubscribed hook instead of throwing at the client', async () => {
    const lines: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (message: string) => lines.push(message),
    };
    const { schema, unsubscribedCalls } = createExample({ logger });
    unsubscribedCalls.push = () => {
      throw new Error('cleanup failed');
    };
    const results = await open(schema, chatQuery, bob, {});
    await expect(results.return(undefined)).resolves.toEqual({ done: true, value: undefined });
    expect(lines).toEqual(['unsubscribed() of Subscription.onNewChatMessage failed.']);
  });
});

describe('with other Pothos plugins', () => {
  it('honours scope-auth authScopes on a subscription field', async () => {
    const { schema, chatMessages } = createExample();
    const denied = await refused(schema, 'subscription { membersOnly }', bob);
    expect(denied.errors?.[0]?.message).toMatch(/Not authorized/);
    const results = await open(schema, 'subscription { membersOnly }', alice);
    await chatMessages.broadcast({ payload: { chatroom: 'x', text: 'members only', senderId: 'bob' } });
    expect(await nextData(results)).toEqual({ membersOnly: 'members only' });
  });
});

/** graphql-js's source stream of a subscription, on graphql 16 (arguments as they are) or 17 (validated first). */
function sourceEventStream(args: ExecutionArgs): unknown {
  const api = graphql as unknown as {
    validateSubscriptionArgs?: (args: ExecutionArgs) => unknown;
    createSourceEventStream: (args: unknown) => unknown;
  };
  if (api.validateSubscriptionArgs === undefined) return api.createSourceEventStream(args);
  const validated = api.validateSubscriptionArgs(args);
  if (Array.isArray(validated)) return { errors: validated };
  return api.createSourceEventStream(validated);
}
