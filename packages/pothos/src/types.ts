import type { Channel, ChannelPayload, Logger, Skip, UnsubscribeReason } from '@gqlcast/core';
import type {
  FieldNullability,
  InputFieldMap,
  InputShapeFromFields,
  MaybePromise,
  SchemaTypes,
  ShapeFromTypeParam,
  TypeParam,
} from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';

/** Options under the `gqlcast` key of `new SchemaBuilder({ ... })`. */
export interface GqlcastPluginOptions {
  /** Where failures of `unsubscribed` hooks are reported. @defaultValue `consoleLogger` from `@gqlcast/core` */
  logger?: Logger | undefined;
}

/** What `subscribe` may return: one group, several, or nothing (channel-wide broadcasts only). */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` lets a subscribe with no return statement compile.
export type GroupsResult = string | readonly string[] | null | undefined | void;

/** The `publish` function of a subscription field. */
export type PublishFunction<Types extends SchemaTypes, C extends Channel, Shape, Args extends InputFieldMap> = (
  payload: ChannelPayload<C>,
  args: InputShapeFromFields<Args>,
  context: Types['Context'],
  info: GraphQLResolveInfo,
) => MaybePromise<Shape | Skip>;

/** `publish` is required unless the channel's payload already is a value of the field's type. */
export type PublishOption<Types extends SchemaTypes, C extends Channel, Shape, Args extends InputFieldMap> = [
  ChannelPayload<C>,
] extends [Shape]
  ? {
      /**
       * Shapes the notification for one subscriber, or returns `SKIP` to send it nothing.
       * Optional here: without it, the payload itself is the field's value.
       */
      publish?: PublishFunction<Types, C, Shape, Args>;
    }
  : {
      /**
       * Shapes the notification for one subscriber, or returns `SKIP` to send it nothing.
       * Runs once per notification per subscriber, in order; may be async. If it
       * throws, that subscriber gets a notification carrying the error and the
       * subscription goes on.
       */
      publish: PublishFunction<Types, C, Shape, Args>;
    };

/** The gqlcast-specific options of `t.subscriptionField`. */
export interface GqlcastFieldOwnOptions<
  Types extends SchemaTypes,
  Type extends TypeParam<Types>,
  C extends Channel,
  Nullable extends FieldNullability<Type>,
  Args extends InputFieldMap,
> {
  /** The GraphQL type of each notification. */
  type: Type;
  /** The channel whose broadcasts feed this field. */
  channel: C;
  /** The field's arguments, as with any Pothos field. */
  args?: Args;
  /** Whether a notification may be `null`. Pothos's default applies (nullable unless configured). */
  nullable?: Nullable;
  /**
   * Chooses the groups to join from the arguments and context: a group, an
   * array, or nothing (channel-wide broadcasts only; every subscription gets
   * those too). May be async. Throw to refuse the subscription: the client
   * gets the error.
   */
  subscribe?: (
    args: InputShapeFromFields<Args>,
    context: Types['Context'],
    info: GraphQLResolveInfo,
  ) => MaybePromise<GroupsResult>;
  /**
   * Runs exactly once when a subscription whose `subscribe` succeeded ends,
   * whatever ended it. Failures are logged, never sent to the client.
   */
  unsubscribed?: (
    args: InputShapeFromFields<Args>,
    context: Types['Context'],
    info: GraphQLResolveInfo,
    reason: UnsubscribeReason,
  ) => MaybePromise<void>;
  /** Overrides the hub's `queueLimit` for each subscription of this field. */
  queueLimit?: number;
  /**
   * Lets subscribers whose notifications cannot differ share the work: under
   * the gqlcast server, subscribers with the same groups and arguments (and the
   * same document and variables) get one `publish`, one execution and one
   * serialization per notification; only each message's id differs.
   *
   * - `true`: the notification depends only on the payload and the arguments:
   *   neither `publish` nor any resolver below this field reads the context.
   * - a function of the context (and arguments): they depend on the context
   *   only through the key it returns (e.g. the viewer's role or locale);
   *   `null` or `undefined` means "do not share this subscriber".
   *
   * "Any resolver below" includes what wraps them (server middleware, plugins
   * such as scope-auth on nested fields); and under `share`, `publish` must
   * not read its `info` (selection, variables): subscribers with different
   * documents share one `publish`.
   *
   * Authorization must therefore run per subscriber, in `subscribe`: building
   * the schema throws a `PothosSchemaError` for a shared field with auth checks
   * that run per notification (scope-auth `authScopes` without
   * `authorizeOnSubscribe`, `grantScopes`, plugin-authz `authz`); see
   * docs/pothos-plugin.md, "`share` and authorization".
   *
   * Shared work runs with the context of the subscriber that opened it. Without
   * `share` (the default), `publish` runs per subscriber. Other GraphQL servers
   * ignore it. See docs/performance.md for when sharing applies and why it is safe.
   */
  share?: true | ((context: Types['Context'], args: InputShapeFromFields<Args>) => string | null | undefined);
}

/**
 * Every option of `t.subscriptionField`: Pothos's usual field options
 * (`description`, `deprecationReason`, `extensions`, other plugins' options
 * such as `authScopes`) plus gqlcast's. `resolve` and Pothos's own `subscribe`
 * are replaced by `publish` and gqlcast's `subscribe`.
 */
export type GqlcastSubscriptionFieldOptions<
  Types extends SchemaTypes,
  Type extends TypeParam<Types>,
  C extends Channel,
  Nullable extends FieldNullability<Type>,
  Args extends InputFieldMap,
> = Omit<
  PothosSchemaTypes.SubscriptionFieldOptions<
    Types,
    Type,
    Nullable,
    Args,
    unknown,
    ShapeFromTypeParam<Types, Type, Nullable>
  >,
  'subscribe' | 'resolve' | 'type' | 'args' | 'nullable'
> &
  GqlcastFieldOwnOptions<Types, Type, C, Nullable, Args> &
  PublishOption<Types, C, ShapeFromTypeParam<Types, Type, Nullable>, Args>;
