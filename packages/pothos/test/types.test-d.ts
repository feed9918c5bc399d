// Type tests: checked by `tsc` in the test command (not run by vitest).
// Every `@ts-expect-error` line must fail to compile, or tsc reports the directive as unused.
import { createHub, SKIP } from '@gqlcast/core';
import SchemaBuilder from '@pothos/core';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import GqlcastPlugin from '../src/index.js';

interface Ctx {
  userId: string;
}

const hub = createHub();
const chatMessages = hub.channel('chatMessages', {
  payload: z.object({ chatroom: z.string(), text: z.string(), senderId: z.string(), at: z.coerce.date() }),
});
// The example schema in this program imports scope-auth, whose typings then apply
// program-wide (Pothos plugin typings are global): hence its required option here.
const builder = new SchemaBuilder<{ Context: Ctx }>({
  plugins: [GqlcastPlugin],
  scopeAuth: { authScopes: () => ({}) },
});

const ChatMessage = builder.objectRef<{ chatroom: string; text: string }>('ChatMessage');
ChatMessage.implement({ fields: (t) => ({ chatroom: t.exposeString('chatroom'), text: t.exposeString('text') }) });

builder.queryType({
  fields: (t) => ({
    // @ts-expect-error t.subscriptionField exists only on the Subscription type
    wrong: t.subscriptionField({ type: 'String', channel: chatMessages, publish: (p) => p.text }),
  }),
});

builder.objectType(builder.objectRef<{ id: string }>('Thing'), {
  fields: (t) => ({
    // @ts-expect-error ...and not on object types either
    wrong: t.subscriptionField({ type: 'String', channel: chatMessages, publish: (p) => p.text }),
  }),
});

builder.subscriptionType({
  fields: (t) => ({
    // Everything infers: args from `args`, payload from the channel's output type, context from the builder.
    typed: t.subscriptionField({
      type: ChatMessage,
      channel: chatMessages,
      args: { chatroom: t.arg.string(), limit: t.arg.int({ required: true }) },
      subscribe: (args, ctx, info) => {
        expectTypeOf(args).toEqualTypeOf<{ chatroom?: string | null | undefined; limit: number }>();
        expectTypeOf(ctx).toEqualTypeOf<Ctx>();
        expectTypeOf(info.fieldName).toBeString();
        return args.chatroom ? [`room:${args.chatroom}`] : [];
      },
      publish: (payload, args, ctx) => {
        expectTypeOf(payload).toEqualTypeOf<{ chatroom: string; text: string; senderId: string; at: Date }>();
        expectTypeOf(args.limit).toBeNumber();
        return payload.senderId === ctx.userId ? SKIP : payload;
      },
      unsubscribed: (args, _ctx, _info, reason) => {
        expectTypeOf(args.limit).toBeNumber();
        expectTypeOf(reason).toEqualTypeOf<'complete' | 'unsubscribe' | 'disconnect' | 'shutdown' | 'error'>();
      },
      description: 'Every usual field option is accepted.',
      deprecationReason: 'Still accepted.',
      extensions: { any: 'thing' },
    }),

    // Key order does not matter.
    reordered: t.subscriptionField({
      publish: (payload) => payload.text.length,
      subscribe: async () => 'room:x',
      channel: chatMessages,
      type: 'Int',
    }),

    // Async subscribe and publish; a single group; nothing at all.
    asyncOnes: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      subscribe: async () => undefined,
      publish: async (payload) => payload.text,
    }),

    // publish may be omitted when the payload already is a value of the type.
    payloadAsValue: t.subscriptionField({ type: ChatMessage, channel: chatMessages }),

    // @ts-expect-error publish is required when the payload is not a value of the type
    missingPublish: t.subscriptionField({ type: 'Int', channel: chatMessages }),

    missingField: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      // @ts-expect-error the payload schema has no `sender`
      publish: (payload) => payload.sender,
    }),

    wrongShape: t.subscriptionField({
      type: ChatMessage,
      channel: chatMessages,
      // @ts-expect-error a ChatMessage needs chatroom and text
      publish: (payload) => ({ chatroom: payload.chatroom }),
    }),

    wrongScalar: t.subscriptionField({
      type: 'Int',
      channel: chatMessages,
      // @ts-expect-error an Int field cannot publish a string
      publish: (payload) => payload.text,
    }),

    undeclaredArg: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      args: { chatroom: t.arg.string() },
      // @ts-expect-error `room` is not an argument of this field
      subscribe: (args) => [args.room],
      publish: (payload) => payload.text,
    }),

    numberGroup: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      // @ts-expect-error groups are strings
      subscribe: () => [1, 2],
      publish: (payload) => payload.text,
    }),

    notNullable: t.subscriptionField({
      type: 'String',
      nullable: false,
      channel: chatMessages,
      // @ts-expect-error a non-null field cannot publish null
      publish: () => null,
    }),

    nullableNull: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      // Fields are nullable by default in Pothos: null is a value, not a skip.
      publish: () => null,
    }),

    sharedByFlag: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      share: true,
      publish: (payload) => payload.text,
    }),

    sharedByKey: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      args: { chatroom: t.arg.string() },
      // The share key sees the typed context and arguments.
      share: (ctx, args) => (ctx.userId === '' ? null : `${ctx.userId}:${args.chatroom ?? ''}`),
      publish: (payload) => payload.text,
    }),

    sharedBadKey: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      // @ts-expect-error a share key is a string (or null / undefined to not share)
      share: () => 42,
      publish: (payload) => payload.text,
    }),

    sharedFalse: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      // @ts-expect-error `share` is `true` or a key function; leave it out not to share
      share: false,
      publish: (payload) => payload.text,
    }),

    withResolve: t.subscriptionField({
      type: 'String',
      channel: chatMessages,
      publish: (payload) => payload.text,
      // @ts-expect-error `resolve` is replaced by `publish`
      resolve: () => 'x',
    }),

    // @ts-expect-error `channel` is required
    noChannel: t.subscriptionField({ type: 'String', publish: () => 'x' }),
  }),
});
