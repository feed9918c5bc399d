// A small chat schema, the seed's example in miniature, used by the tests.
import { createHub, type Hub, type Layer, type Logger, SKIP, type UnsubscribeReason } from '@gqlcast/core';
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { z } from 'zod';
import GqlcastPlugin from '../../src/index.js';

export interface Context {
  userId: string;
  loggedIn: boolean;
}

export interface UnsubscribedCall {
  field: string;
  args: unknown;
  userId: string;
  reason: UnsubscribeReason;
}

export interface ExampleOptions {
  logger?: Logger;
  layer?: Layer;
  /** Lets a test hold `publish` of the `ordered` field until it releases each notification. */
  gate?: (n: number) => Promise<void>;
  /** Called after each `unsubscribed` call is recorded. */
  onUnsubscribed?: (call: UnsubscribedCall) => void;
}

export function createExample(options: ExampleOptions = {}) {
  const hub: Hub = createHub({ logger: options.logger, layer: options.layer });
  const chatMessages = hub.channel('chatMessages', {
    payload: z.object({ chatroom: z.string(), text: z.string(), senderId: z.string() }),
  });
  const counters = hub.channel('counters', { payload: z.object({ n: z.number().int() }) });
  const unsubscribedCalls: UnsubscribedCall[] = [];
  const subscribeCalls: string[] = [];

  const builder = new SchemaBuilder<{
    Context: Context;
    AuthScopes: { loggedIn: boolean };
  }>({
    plugins: [ScopeAuthPlugin, GqlcastPlugin],
    scopeAuth: { authorizeOnSubscribe: true, authScopes: (context) => ({ loggedIn: context.loggedIn }) },
    ...(options.logger ? { gqlcast: { logger: options.logger } } : {}),
  });

  const ChatMessage = builder.objectRef<{ chatroom: string; text: string; senderId: string }>('ChatMessage');
  ChatMessage.implement({
    description: 'A message sent to a chat room.',
    fields: (t) => ({
      chatroom: t.exposeString('chatroom'),
      text: t.exposeString('text'),
      sender: t.exposeString('senderId'),
    }),
  });

  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });

  builder.subscriptionType({
    fields: (t) => ({
      onNewChatMessage: t.subscriptionField({
        type: ChatMessage,
        description: 'New messages of one room, or of every room.',
        channel: chatMessages,
        args: { chatroom: t.arg.string() },
        subscribe: (args, context) => {
          subscribeCalls.push(context.userId);
          if (args.chatroom === 'forbidden') throw new Error('You may not read this room.');
          if (args.chatroom === 'invalid') return [42 as unknown as string];
          return args.chatroom ? [`room:${args.chatroom}`] : [];
        },
        // A sender never gets their own message back.
        publish: (payload, _args, context) => (payload.senderId === context.userId ? SKIP : payload),
        unsubscribed: (args, context, info, reason) => {
          const call = { field: info.fieldName, args, userId: context.userId, reason };
          unsubscribedCalls.push(call);
          options.onUnsubscribed?.(call);
        },
      }),
      // No `publish`: the payload already is a ChatMessage.
      rawMessages: t.subscriptionField({
        type: ChatMessage,
        nullable: false,
        channel: chatMessages,
        args: { chatroom: t.arg.string({ required: true }) },
        subscribe: (args) => `room:${args.chatroom}`,
        deprecationReason: 'Use onNewChatMessage.',
      }),
      // publish shapes a scalar, may throw, may return null, may be slow.
      counter: t.subscriptionField({
        type: 'Int',
        channel: counters,
        args: { every: t.arg.int({ defaultValue: 1 }) },
        queueLimit: 2,
        publish: async (payload, args) => {
          if (payload.n < 0) throw new Error(`negative: ${payload.n}`);
          if (payload.n === 0) return null;
          return payload.n % (args.every ?? 1) === 0 ? payload.n * 10 : SKIP;
        },
      }),
      ordered: t.subscriptionField({
        type: 'Int',
        nullable: false,
        channel: counters,
        publish: async (payload) => {
          await options.gate?.(payload.n);
          return payload.n;
        },
      }),
      membersOnly: t.subscriptionField({
        type: 'String',
        channel: chatMessages,
        authScopes: { loggedIn: true },
        extensions: { audience: 'members' },
        publish: (payload) => payload.text,
      }),
    }),
  });

  return { hub, chatMessages, counters, schema: builder.toSchema(), unsubscribedCalls, subscribeCalls };
}
