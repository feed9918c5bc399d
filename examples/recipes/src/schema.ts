// The schema every recipe serves: a query, a mutation that broadcasts, and a
// gqlcast subscription field whose argument chooses the group.
import { createHub, type Hub, type Layer } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import SchemaBuilder from '@pothos/core';
import type { GraphQLSchema } from 'graphql';
import { z } from 'zod';

export interface RecipeContext {
  /** Who is connected, when a recipe authenticates (jwt.ts); `anonymous` otherwise. */
  state: { user?: string };
}

export interface RecipeApp {
  hub: Hub;
  schema: GraphQLSchema;
}

/** `layer`: the memory layer by default; pass `redisLayer(...)` for many processes. */
export function createRecipeApp(options: { layer?: Layer } = {}): RecipeApp {
  const hub = createHub({ layer: options.layer });
  const messages = hub.channel('messages', {
    payload: z.object({ room: z.string(), text: z.string(), sender: z.string() }),
  });

  const builder = new SchemaBuilder<{ Context: RecipeContext }>({ plugins: [GqlcastPlugin] });
  const Message = builder.objectRef<{ room: string; text: string; sender: string }>('Message');
  Message.implement({
    fields: (t) => ({ room: t.exposeString('room'), text: t.exposeString('text'), sender: t.exposeString('sender') }),
  });

  builder.queryType({
    fields: (t) => ({
      hello: t.string({ resolve: (_root, _args, ctx) => `Hello, ${ctx.state.user ?? 'anonymous'}!` }),
    }),
  });
  builder.mutationType({
    fields: (t) => ({
      send: t.boolean({
        args: { room: t.arg.string({ required: true }), text: t.arg.string({ required: true }) },
        resolve: async (_root, { room, text }, ctx) => {
          await messages.broadcast({
            group: `room:${room}`,
            payload: { room, text, sender: ctx.state.user ?? 'anonymous' },
          });
          return true;
        },
      }),
    }),
  });
  builder.subscriptionType({
    fields: (t) => ({
      onMessage: t.subscriptionField({
        type: Message,
        channel: messages,
        args: { room: t.arg.string({ required: true }) },
        subscribe: (args) => [`room:${args.room}`],
      }),
    }),
  });

  return { hub, schema: builder.toSchema() };
}
