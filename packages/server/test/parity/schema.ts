// The Python library's test schemas (DjangoChannelsGraphqlWs v1.0.0rc7,
// tests/test_*.py) rebuilt with Pothos and @gqlcast/pothos, field names kept in
// their snake_case, in one schema for all parity tests.
import { createHub, memoryLayer, SKIP, type UnsubscribeReason } from '@gqlcast/core';
import { type Deferred, deferred } from '@gqlcast/core/testing';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { expect } from 'vitest';
import { z } from 'zod';
import type { DefaultContext } from '../../src/index.js';

/** `Query.VALUE` of tests/test_basic.py and tests/test_error.py. */
export const VALUE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

export function createParity() {
  const hub = createHub({ layer: memoryLayer() });
  const chat = hub.channel('chat', { payload: z.object({ user_id: z.number().nullable(), message: z.string() }) });
  const sent = hub.channel('sent', { payload: z.object({ message: z.string(), delay: z.number().optional() }) });
  const trigger = hub.channel('trigger', { payload: z.object({}) });
  const numbered = hub.channel('numbered', { payload: z.object({ message: z.number() }) });
  const authored = hub.channel('authored', {
    payload: z.object({ author_sessionid: z.string(), message: z.string() }),
  });
  const models = hub.channel('models', { payload: z.object({ user_ids: z.array(z.number()) }) });
  const times = hub.channel('times', {
    payload: z.object({
      datetime: z.date(),
      big: z.bigint(),
      tags: z.set(z.string()),
      map: z.map(z.string(), z.number()),
    }),
  });

  const gates = new Map<string, Deferred<void>>();
  const gate = (key: string) => {
    if (!gates.has(key)) gates.set(key, deferred());
    return (gates.get(key) as Deferred<void>).promise;
  };
  const open = (key: string) => {
    if (!gates.has(key)) gates.set(key, deferred());
    gates.get(key)?.resolve();
  };
  /** `unsubscribed` calls, in order, with their reason. */
  const unsubscribed: { id: string; reason: UnsubscribeReason }[] = [];
  const waiters: (() => void)[] = [];
  const unsubscribedCount = async (count: number) => {
    while (unsubscribed.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const record = (_args: unknown, ctx: DefaultContext, _info: unknown, reason: UnsubscribeReason) => {
    unsubscribed.push({ id: ctx.operationId, reason });
    for (const wake of waiters.splice(0)) wake();
  };
  /** Operation ids whose `subscribe` ran (on_message_sent). */
  const subscribed: string[] = [];
  /** What resolvers of tests/test_context.py saw. */
  const runLog: boolean[] = [];
  /** A tiny "database" for tests/test_serialization.py: publish reads users by id. */
  const users = new Map([
    [1, { id: 1, username: 'ada' }],
    [2, { id: 2, username: 'grace' }],
  ]);

  const builder = new SchemaBuilder<{ Context: DefaultContext }>({ plugins: [GqlcastPlugin] });
  const UserId = builder.enumType('UserId', { values: { TOM: { value: 0 }, ALICE: { value: 1 } } as const });
  const cookieSession = (ctx: DefaultContext) => /sessionid=(\w+)/.exec(String(ctx.request.headers.cookie))?.[1] ?? '';

  builder.queryType({
    fields: (t) => ({
      hello: t.string({ resolve: () => 'hi' }),
      value: t.string({
        nullable: true,
        args: { issue_error: t.arg.boolean({ defaultValue: false }) },
        resolve: (_root, args) => {
          if (args.issue_error) throw new Error(VALUE);
          return VALUE;
        },
      }),
      ok: t.boolean({ resolve: () => true }),
      context_ok: t.boolean({
        resolve: (_root, _args, ctx) => {
          const context = ctx as unknown as Record<string, unknown>;
          runLog.push('fortytwo' in context);
          context.fortytwo = 42;
          return true;
        },
      }),
      scope_ok: t.boolean({
        resolve: (_root, _args, ctx) => {
          runLog.push('fortytwo' in ctx.state);
          if ('fortytwo' in ctx.state) expect(ctx.state.fortytwo).toBe(42);
          ctx.state.fortytwo = 42;
          return true;
        },
      }),
      fast_op_sync: t.boolean({ resolve: () => true }),
      fast_op_async: t.boolean({ resolve: async () => true }),
    }),
  });

  const Sent = builder.objectRef<{ message: string; user_id: number | null }>('SendChatMessageOutput');
  Sent.implement({
    fields: (t) => ({
      message: t.exposeString('message'),
      user_id: t.field({ type: UserId, nullable: true, resolve: (parent) => parent.user_id as 0 | 1 | null }),
    }),
  });
  const Success = builder.objectRef<{ success: boolean; is_ok: boolean; ok: boolean }>('Success');
  Success.implement({
    fields: (t) => ({
      success: t.exposeBoolean('success'),
      is_ok: t.exposeBoolean('is_ok'),
      ok: t.exposeBoolean('ok'),
    }),
  });
  const done = { success: true, is_ok: true, ok: true };
  builder.mutationType({
    fields: (t) => ({
      send_chat_message: t.field({
        type: Sent,
        args: { message: t.arg.string({ required: true }), user_id: t.arg({ type: UserId }) },
        resolve: async (_root, args) => {
          const userId = args.user_id ?? null;
          await chat.broadcast({
            group: userId === null ? undefined : `user_${userId}`,
            payload: { user_id: userId, message: args.message },
          });
          return { message: args.message, user_id: userId };
        },
      }),
      kick_out_user: t.field({
        type: Success,
        args: { user_id: t.arg({ type: UserId, required: true }) },
        resolve: async (_root, args) => {
          await chat.unsubscribe({ group: `user_${args.user_id}` });
          return done;
        },
      }),
      send_message: t.field({
        type: Success,
        args: { message: t.arg.string({ required: true }) },
        resolve: async (_root, args) => {
          await sent.broadcast({ payload: { message: args.message } });
          return done;
        },
      }),
      send_timestamps: t.field({
        type: Success,
        args: { count: t.arg.int({ required: true }) },
        resolve: async (_root, args) => {
          for (let idx = 0; idx < args.count; idx++)
            await sent.broadcast({ payload: { message: String(performance.now()), delay: args.count - idx } });
          return done;
        },
      }),
      trigger: t.field({
        type: Success,
        resolve: async () => {
          await trigger.broadcast({ payload: {} });
          return done;
        },
      }),
      noop: t.field({ type: Success, resolve: () => done }),
      long_op: t.field({
        type: Success,
        resolve: async () => {
          await gate('wakeup');
          return done;
        },
      }),
      send_messages: t.field({
        type: Success,
        resolve: async () => {
          for (let idx = 0; idx < 100; idx++) await numbered.broadcast({ payload: { message: idx } });
          return done;
        },
      }),
      send_authored: t.field({
        type: Success,
        args: { message: t.arg.string({ required: true }) },
        resolve: async (_root, args, ctx) => {
          await authored.broadcast({ payload: { author_sessionid: cookieSession(ctx), message: args.message } });
          return done;
        },
      }),
      send_models: t.field({
        type: Success,
        resolve: async () => {
          await models.broadcast({ payload: { user_ids: [...users.keys()] } });
          return done;
        },
      }),
      send_timestamps_payload: t.field({
        type: Success,
        args: { iso: t.arg.string({ required: true }) },
        resolve: async (_root, args) => {
          const payload = {
            datetime: new Date(args.iso),
            big: 2n ** 70n,
            tags: new Set(['a', 'b']),
            map: new Map([['k', 1]]),
          };
          await times.broadcast({ payload });
          return done;
        },
      }),
    }),
  });

  const Event = builder.objectRef<{ event: string }>('ChatEvent');
  Event.implement({ fields: (t) => ({ event: t.exposeString('event') }) });
  const MessageOut = builder.objectRef<{ message: string }>('MessageOut');
  MessageOut.implement({ fields: (t) => ({ message: t.exposeString('message') }) });
  const Numbered = builder.objectRef<{ message: number }>('Numbered');
  Numbered.implement({ fields: (t) => ({ message: t.exposeInt('message') }) });
  const Models = builder.objectRef<{ usernames: string[] }>('Models');
  Models.implement({ fields: (t) => ({ usernames: t.exposeStringList('usernames') }) });
  const Stamps = builder.objectRef<{ summary: string }>('Stamps');
  Stamps.implement({ fields: (t) => ({ summary: t.exposeString('summary') }) });
  const chatEvent = (payload: { user_id: number | null; message: string }, userId: number | null | undefined) => ({
    event: JSON.stringify({ user_id: userId ?? null, payload: payload.message }),
  });
  builder.subscriptionType({
    fields: (t) => ({
      // tests/test_basic.py OnChatMessageSent; test_concurrent.py's _sync and _async twins.
      on_chat_message_sent: t.subscriptionField({
        type: Event,
        channel: chat,
        args: { user_id: t.arg({ type: UserId }) },
        subscribe: (args) => (args.user_id == null ? [] : [`user_${args.user_id}`]),
        publish: (payload, args) => chatEvent(payload, args.user_id),
        unsubscribed: record,
      }),
      on_chat_message_sent_async: t.subscriptionField({
        type: Event,
        channel: chat,
        args: { user_id: t.arg({ type: UserId }) },
        subscribe: async (args) => (args.user_id == null ? [] : [`user_${args.user_id}`]),
        publish: async (payload, args) => chatEvent(payload, args.user_id),
        unsubscribed: record,
      }),
      // tests/test_async.py OnMessageSent: an async publish that waits `delay` ms (decreasing).
      on_message_sent: t.subscriptionField({
        type: MessageOut,
        channel: sent,
        subscribe: async (_args, ctx) => {
          subscribed.push(ctx.operationId);
        },
        publish: async (payload) => {
          if (payload.delay) await new Promise((resolve) => setTimeout(resolve, payload.delay));
          return { message: payload.message };
        },
        unsubscribed: record,
      }),
      // tests/test_confirm_subscriptions.py and test_middleware.py OnTrigger.
      on_trigger: t.subscriptionField({ type: Success, channel: trigger, publish: () => done }),
      // tests/test_notification_queue_limit.py OnNewMessage: queue limit 1, slow async publish.
      on_new_message: t.subscriptionField({
        type: Numbered,
        channel: numbered,
        queueLimit: 1,
        publish: async (payload) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return payload;
        },
      }),
      // tests/test_publish_skip.py OnNewMessage: the author does not get their own message.
      on_authored_message: t.subscriptionField({
        type: MessageOut,
        channel: authored,
        publish: (payload, _args, ctx) => (payload.author_sessionid === cookieSession(ctx) ? SKIP : payload),
      }),
      // tests/test_error.py TestSubscription: `subscribe` returns what `switch` says.
      test_subscription: t.subscriptionField({
        type: Success,
        channel: trigger,
        args: { switch: t.arg.string({ required: true }) },
        subscribe: (args) => {
          const results: Record<string, unknown> = {
            NONE: undefined,
            LIST: ['group'],
            TUPLE: Object.freeze(['group']),
            STR: 'group',
            DICT: { group: 'group' },
            EMPTYSTR: '',
          };
          return results[args.switch] as string[];
        },
        publish: () => {
          throw new Error('AssertionError');
        },
      }),
      // tests/test_serialization.py: the payload carries ids; publish queries the "database".
      on_models_received: t.subscriptionField({
        type: Models,
        channel: models,
        publish: async (payload) => ({
          usernames: await Promise.all(payload.user_ids.map(async (id) => users.get(id)?.username ?? '?')),
        }),
      }),
      on_timestamps_received: t.subscriptionField({
        type: Stamps,
        channel: times,
        publish: (payload) => ({
          summary: JSON.stringify({
            datetime: payload.datetime instanceof Date ? payload.datetime.toISOString() : 'not a Date',
            big: typeof payload.big === 'bigint' ? String(payload.big) : 'not a bigint',
            tags: payload.tags instanceof Set ? [...payload.tags] : 'not a Set',
            map: payload.map instanceof Map ? Object.fromEntries(payload.map) : 'not a Map',
          }),
        }),
      }),
    }),
  });
  return {
    hub,
    chat,
    sent,
    trigger,
    schema: builder.toSchema(),
    open,
    unsubscribed,
    unsubscribedCount,
    runLog,
    subscribed,
  };
}

export type Parity = ReturnType<typeof createParity>;
