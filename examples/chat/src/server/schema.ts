// DjangoChannelsGraphqlWs's chat schema, code-first with Pothos and gqlcast's t.subscriptionField.
import { SKIP } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import { allRoomsGroup, type ChatMessages, chatMessagePayload, roomGroup } from './channels.js';
import type { ChatDatabase, StoredMessage, User } from './database.js';

/** What lives as long as a WebSocket connection: DjangoChannelsGraphqlWs's session. */
export interface ConnectionState {
  /** Random per connection: tells anonymous senders apart. */
  identity: string;
  user: User | null;
}

export interface ChatContext {
  state: ConnectionState;
  db: ChatDatabase;
  chatMessages: ChatMessages;
}

export function buildSchema(chatMessages: ChatMessages) {
  const builder = new SchemaBuilder<{ Context: ChatContext; DefaultFieldNullability: false }>({
    plugins: [GqlcastPlugin],
    defaultFieldNullability: false,
  });

  const ChatMessage = builder.objectRef<StoredMessage>('ChatMessage');
  ChatMessage.implement({
    description: 'A message sent to a chat room.',
    fields: (t) => ({
      chatroom: t.exposeString('chatroom'),
      text: t.exposeString('text'),
      sender: t.exposeString('sender', { description: 'The username, or "Anonymous".' }),
      createdAt: t.string({
        description: 'ISO 8601 date-time.',
        resolve: (message) => message.createdAt.toISOString(),
      }),
    }),
  });

  const UserType = builder.objectRef<User>('User');
  UserType.implement({ fields: (t) => ({ id: t.exposeID('id'), username: t.exposeString('username') }) });

  const okPayload = (name: string) =>
    builder.objectRef<{ ok: boolean }>(name).implement({ fields: (t) => ({ ok: t.exposeBoolean('ok') }) });
  const SendChatMessagePayload = okPayload('SendChatMessagePayload');
  const LoginPayload = okPayload('LoginPayload');
  const LogoutPayload = okPayload('LogoutPayload');

  builder.queryType({
    fields: (t) => ({
      history: t.field({
        type: [ChatMessage],
        description: 'The latest messages of a room, oldest first.',
        args: { chatroom: t.arg.string({ required: true }) },
        resolve: (_root, args, ctx) => ctx.db.history(args.chatroom),
      }),
      me: t.field({
        type: UserType,
        nullable: true,
        description: 'The user logged in on this connection, or null.',
        resolve: (_root, _args, ctx) => ctx.state.user,
      }),
    }),
  });

  builder.mutationType({
    fields: (t) => ({
      sendChatMessage: t.field({
        type: SendChatMessagePayload,
        nullable: true,
        args: { chatroom: t.arg.string({ required: true }), text: t.arg.string({ required: true }) },
        resolve: async (_root, { chatroom, text }, ctx) => {
          const message = { chatroom, text, sender: ctx.state.user?.username ?? 'Anonymous', createdAt: new Date() };
          const payload = { ...message, senderIdentity: ctx.state.identity };
          // Checked before anything is stored: a refused message is neither saved nor sent.
          const checked = chatMessagePayload.safeParse(payload);
          if (!checked.success) {
            throw new Error(
              checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
            );
          }
          await ctx.db.addMessage(message);
          // To the room's subscribers, and to those of every room: each subscription is in exactly one of the two.
          await Promise.all([
            ctx.chatMessages.broadcast({ group: roomGroup(chatroom), payload }),
            ctx.chatMessages.broadcast({ group: allRoomsGroup, payload }),
          ]);
          return { ok: true };
        },
      }),
      login: t.field({
        type: LoginPayload,
        args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
        // Like DjangoChannelsGraphqlWs's login, it changes the connection's state: later operations send as this user.
        resolve: async (_root, { username, password }, ctx) => {
          const user = await ctx.db.login(username, password);
          if (user === null) return { ok: false };
          ctx.state.user = user;
          return { ok: true };
        },
      }),
      logout: t.field({
        type: LogoutPayload,
        resolve: (_root, _args, ctx) => {
          ctx.state.user = null;
          return { ok: true };
        },
      }),
    }),
  });

  builder.subscriptionType({
    fields: (t) => ({
      onNewChatMessage: t.subscriptionField({
        type: ChatMessage,
        description: 'New messages of a room, or of every room when no chatroom is given.',
        channel: chatMessages,
        args: { chatroom: t.arg.string() },
        subscribe: (args) => (args.chatroom ? roomGroup(args.chatroom) : allRoomsGroup),
        // A sender never receives its own message back.
        publish: (payload, _args, ctx) => (payload.senderIdentity === ctx.state.identity ? SKIP : payload),
      }),
    }),
  });

  return builder.toSchema();
}
