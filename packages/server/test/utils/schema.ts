// The fixture schema of the server tests: Pothos with the gqlcast plugin,
// plus plain fields whose timing the tests control by hand (no timers).
import { createHub, type Logger, type RetainOptions, SKIP, type UnsubscribeReason } from '@gqlcast/core';
import { type Deferred, deferred } from '@gqlcast/core/testing';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { z } from 'zod';
import type { DefaultContext } from '../../src/index.js';
import { watchedLayer } from './watched-layer.js';

export function createFixture(
  options: {
    logger?: Logger;
    queueLimit?: number;
    events?: string[];
    confirmationGate?: Promise<void>;
    /** The `messages` channel keeps this history (resumable subscriptions). */
    retain?: RetainOptions;
  } = {},
) {
  const { layer, topicSubscribed } = watchedLayer(options.confirmationGate);
  const hub = createHub({ layer, logger: options.logger, queueLimit: options.queueLimit });
  const messages = hub.channel('messages', {
    payload: z.object({ room: z.string(), text: z.string(), from: z.string() }),
    retain: options.retain,
  });
  const unsubscribed: { room: string | null | undefined; reason: UnsubscribeReason }[] = [];
  const unsubscribedWaiters: (() => void)[] = [];
  const gates = new Map<string, Deferred<void>>();
  /** Resolvers waiting on `gate(key)` block until the test calls `open(key)`. */
  const gate = (key: string) => {
    let entry = gates.get(key);
    if (entry === undefined) {
      entry = deferred();
      gates.set(key, entry);
    }
    return entry.promise;
  };
  const openGate = (key: string) => {
    if (!gates.has(key)) gates.set(key, deferred());
    gates.get(key)?.resolve();
  };
  let contextsSeen = 0;
  let subscribeCalls = 0;

  const builder = new SchemaBuilder<{ Context: DefaultContext }>({ plugins: [GqlcastPlugin] });

  builder.queryType({
    fields: (t) => ({
      hello: t.string({
        args: { name: t.arg.string() },
        resolve: (_root, args) => `Hello, ${args.name ?? 'world'}!`,
      }),
      waitFor: t.string({
        args: { key: t.arg.string({ required: true }) },
        resolve: async (_root, args) => {
          await gate(args.key);
          return args.key;
        },
      }),
      fails: t.string({
        resolve: () => {
          throw new Error('This field always fails.');
        },
      }),
      stateValue: t.string({
        nullable: true,
        args: { key: t.arg.string({ required: true }) },
        resolve: (_root, args, ctx) => {
          const value = (ctx.state as Record<string, unknown>)[args.key];
          return value === undefined ? null : String(value);
        },
      }),
      contextMarker: t.string({
        nullable: true,
        resolve: (_root, _args, ctx) => {
          const context = ctx as unknown as Record<string, unknown>;
          const previous = context.marker;
          context.marker = `set by operation ${ctx.operationId}`;
          contextsSeen++;
          return previous === undefined ? null : String(previous);
        },
      }),
      operationInfo: t.string({
        resolve: (_root, _args, ctx) =>
          JSON.stringify({
            id: ctx.operationId,
            name: ctx.operationName ?? null,
            params: ctx.connectionParams ?? null,
          }),
      }),
    }),
  });

  builder.mutationType({
    fields: (t) => ({
      setState: t.boolean({
        args: { key: t.arg.string({ required: true }), value: t.arg.string({ required: true }) },
        resolve: (_root, args, ctx) => {
          (ctx.state as Record<string, unknown>)[args.key] = args.value;
          return true;
        },
      }),
      send: t.boolean({
        args: { room: t.arg.string({ required: true }), text: t.arg.string({ required: true }) },
        resolve: async (_root, args, ctx) => {
          const from = String(ctx.connectionParams?.user ?? 'anonymous');
          await messages.broadcast({ group: `room:${args.room}`, payload: { room: args.room, text: args.text, from } });
          return true;
        },
      }),
      blockingMutation: t.string({
        args: { key: t.arg.string({ required: true }) },
        resolve: async (_root, args) => {
          await gate(args.key);
          return `released ${args.key}`;
        },
      }),
    }),
  });

  const Message = builder.objectRef<{ room: string; text: string; from: string }>('Message');
  Message.implement({
    fields: (t) => ({ room: t.exposeString('room'), text: t.exposeString('text'), from: t.exposeString('from') }),
  });

  builder.subscriptionType({
    fields: (t) => ({
      onMessage: t.subscriptionField({
        type: Message,
        channel: messages,
        args: { room: t.arg.string() },
        subscribe: (args) => {
          subscribeCalls++;
          return args.room ? `room:${args.room}` : undefined;
        },
        // The sender does not get their own message back.
        publish: (payload, _args, ctx) => (payload.from === ctx.connectionParams?.user ? SKIP : payload),
        unsubscribed: (args, _ctx, _info, reason) => {
          unsubscribed.push({ room: args.room, reason });
          options.events?.push(`unsubscribed ${reason}`);
          for (const wake of unsubscribedWaiters.splice(0)) wake();
        },
      }),
      refused: t.subscriptionField({
        type: 'String',
        channel: messages,
        subscribe: () => {
          throw new Error('You may not subscribe to this.');
        },
        publish: (payload) => payload.text,
      }),
    }),
  });

  /** Resolves once `unsubscribed` ran `count` times in all. */
  const unsubscribedCount = async (count: number) => {
    while (unsubscribed.length < count) await new Promise<void>((resolve) => unsubscribedWaiters.push(resolve));
    return unsubscribed;
  };

  return {
    hub,
    messages,
    schema: builder.toSchema(),
    unsubscribed,
    unsubscribedCount,
    topicSubscribed,
    openGate,
    contexts: () => contextsSeen,
    /** How many times onMessage's subscribe() ran. */
    subscribeCalls: () => subscribeCalls,
  };
}
