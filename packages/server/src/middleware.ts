import type { PublishCall } from '@gqlcast/core/push';
import { isPushField } from '@gqlcast/core/push';
import {
  defaultFieldResolver,
  GraphQLDirective,
  GraphQLEnumType,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLFieldResolver,
  type GraphQLInputFieldConfigMap,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  type GraphQLNamedType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLResolveInfo,
  GraphQLScalarType,
  GraphQLSchema,
  type GraphQLType,
  GraphQLUnionType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  isUnionType,
} from 'graphql';
import type { Middleware } from './options.js';

/**
 * Returns a copy of `schema` whose field resolvers run through `middleware`.
 * The user's schema is left untouched. The first middleware is closest to the
 * resolver; the last is outermost.
 */
export function applyMiddleware(schema: GraphQLSchema, middleware: readonly Middleware[]): GraphQLSchema {
  if (middleware.length === 0) return schema;
  const types = new Map<string, GraphQLNamedType>();
  const named = <T extends GraphQLNamedType>(type: T): T => (types.get(type.name) as T | undefined) ?? type;
  const rewire = <T extends GraphQLType>(type: T): T => {
    if (isListType(type)) return new GraphQLList(rewire(type.ofType)) as T;
    if (isNonNullType(type)) return new GraphQLNonNull(rewire(type.ofType)) as T;
    return named(type as GraphQLNamedType) as T;
  };
  const args = (map: GraphQLFieldConfigArgumentMap): GraphQLFieldConfigArgumentMap =>
    Object.fromEntries(Object.entries(map).map(([name, arg]) => [name, { ...arg, type: rewire(arg.type) }]));
  const inputFields = (map: GraphQLInputFieldConfigMap): GraphQLInputFieldConfigMap =>
    Object.fromEntries(Object.entries(map).map(([name, field]) => [name, { ...field, type: rewire(field.type) }]));
  const outputFields = (
    map: GraphQLFieldConfigMap<unknown, unknown>,
    wrap: boolean,
  ): GraphQLFieldConfigMap<unknown, unknown> =>
    Object.fromEntries(
      Object.entries(map).map(([name, field]) => [
        name,
        {
          ...field,
          type: rewire(field.type),
          args: args(field.args ?? {}),
          // Interfaces' resolvers never run (the object type's do): only object fields are wrapped.
          // A gqlcast push field's resolver only hands on what `publish` returned, and the middleware
          // already runs around `publish`: wrapping both would run it twice per notification (the
          // Python library runs middleware once per field, `publish` being the field's resolver).
          ...(wrap && !isPushField(field.extensions)
            ? { resolve: wrapResolver(field.resolve ?? defaultFieldResolver, middleware) }
            : {}),
        },
      ]),
    );

  for (const type of Object.values(schema.getTypeMap())) {
    // Introspection and built-in scalars stay as they are: they are shared by every schema.
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) {
      types.set(type.name, type);
      continue;
    }
    if (isObjectType(type)) {
      const config = type.toConfig();
      types.set(
        type.name,
        new GraphQLObjectType({
          ...config,
          interfaces: () => config.interfaces.map(named),
          fields: () => outputFields(config.fields, true),
        }),
      );
    } else if (isInterfaceType(type)) {
      const config = type.toConfig();
      types.set(
        type.name,
        new GraphQLInterfaceType({
          ...config,
          interfaces: () => config.interfaces.map(named),
          fields: () => outputFields(config.fields, false),
        }),
      );
    } else if (isUnionType(type)) {
      const config = type.toConfig();
      types.set(type.name, new GraphQLUnionType({ ...config, types: () => config.types.map(named) }));
    } else if (isInputObjectType(type)) {
      const config = type.toConfig();
      types.set(type.name, new GraphQLInputObjectType({ ...config, fields: () => inputFields(config.fields) }));
    } else if (type instanceof GraphQLEnumType) {
      types.set(type.name, new GraphQLEnumType(type.toConfig()));
    } else if (type instanceof GraphQLScalarType) {
      types.set(type.name, new GraphQLScalarType(type.toConfig()));
    }
  }

  const config = schema.toConfig();
  return new GraphQLSchema({
    ...config,
    query: config.query && named(config.query),
    mutation: config.mutation && named(config.mutation),
    subscription: config.subscription && named(config.subscription),
    types: [...types.values()],
    directives: config.directives.map((directive) =>
      isSpecifiedDirective(directive)
        ? directive
        : new GraphQLDirective({ ...directive.toConfig(), args: args(directive.toConfig().args) }),
    ),
  });
}

/**
 * Wraps a push field's `publish` in the middleware, as a resolver is: the
 * middleware sees `(next, payload, args, context, info)`. With `share`,
 * `publish` runs once per notification for all subscribers of the shared
 * feed, with the context of the subscriber who opened it.
 */
export function wrapPublish(middleware: readonly Middleware[]): ((publish: PublishCall) => PublishCall) | undefined {
  if (middleware.length === 0) return undefined;
  return (publish) => {
    let chain = publish as Parameters<Middleware>[0];
    for (const layer of middleware) {
      const next = chain;
      chain = (root, args, context, info) => layer(next, root, args, context, info);
    }
    const wrapped = chain;
    return (payload, args, context, info) =>
      wrapped(payload, args as Record<string, unknown>, context, info as GraphQLResolveInfo);
  };
}

function wrapResolver(
  resolve: GraphQLFieldResolver<unknown, unknown>,
  middleware: readonly Middleware[],
): GraphQLFieldResolver<unknown, unknown> {
  // Build the chain once per field: middleware[0] wraps the resolver, the last wraps them all.
  let chain = resolve as Parameters<Middleware>[0];
  for (const layer of middleware) {
    const next = chain;
    chain = (root, args, context, info) => layer(next, root, args, context, info);
  }
  const wrapped = chain;
  return (root, args, context, info) =>
    // DjangoChannelsGraphqlWs skips middleware for the operation GraphiQL and tools send to introspect.
    info.operation.name?.value === 'IntrospectionQuery'
      ? resolve(root, args, context, info)
      : wrapped(root, args as Record<string, unknown>, context, info);
}
