// The executable schema of the graphql-js peers: `typeDefs` from schema.ts built with plain
// `buildSchema`, then each Subscription field's `subscribe`/`resolve` attached by hand. No
// @graphql-tools dependency, so the peers differ only in their pub/sub and execution stacks.
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { typeDefs } from './schema.js';

// Field arguments stay `any` (graphql-js's default): the SDL, not TypeScript, types them here.
// biome-ignore lint/suspicious/noExplicitAny: the root value (subscribe) or published payload (resolve)
type Resolver = GraphQLFieldResolver<any, unknown>;

export interface PeerField {
  subscribe: Resolver;
  resolve: Resolver;
}

export type PeerFields = Record<'global' | 'room' | 'shaped', PeerField>;

export function buildPeerSchema(fields: PeerFields): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  const subscription = schema.getSubscriptionType()!.getFields();
  for (const [name, field] of Object.entries(fields)) {
    const target = subscription[name]!;
    target.subscribe = field.subscribe;
    target.resolve = field.resolve;
  }
  schema.getQueryType()!.getFields().ok!.resolve = () => true;
  return schema;
}

/** The `resolve` every plain field uses: the published payload is the field's value. */
export const identity = <T>(payload: T): T => payload;
