import type { Channel } from '@gqlcast/core';
import type {
  FieldNullability,
  FieldRef,
  InputFieldMap,
  SchemaTypes,
  ShapeFromTypeParam,
  TypeParam,
} from '@pothos/core';
import type { PothosGqlcastPlugin } from './index.js';
import type { GqlcastPluginOptions, GqlcastSubscriptionFieldOptions } from './types.js';

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      gqlcast: PothosGqlcastPlugin<Types>;
    }

    export interface SchemaBuilderOptions<Types extends SchemaTypes> {
      gqlcast?: GqlcastPluginOptions;
    }

    // Declared on the Subscription field builder only: Query, Mutation and
    // object types have no `t.subscriptionField`.
    export interface SubscriptionFieldBuilder<Types extends SchemaTypes, ParentShape> {
      /**
       * A subscription fed by a gqlcast channel: `subscribe` picks the groups,
       * `publish` shapes each subscriber's notification or returns `SKIP`.
       *
       * Not to be confused with Pothos's own `builder.subscriptionField(name, ...)`,
       * which adds a plain field to the Subscription type.
       *
       * @see docs/pothos-plugin.md
       */
      subscriptionField: <
        Type extends TypeParam<Types>,
        C extends Channel,
        Nullable extends FieldNullability<Type> = Types['DefaultFieldNullability'],
        // biome-ignore lint/complexity/noBannedTypes: Pothos's own default for "no arguments".
        Args extends InputFieldMap = {},
      >(
        options: GqlcastSubscriptionFieldOptions<Types, Type, C, Nullable, Args>,
      ) => FieldRef<Types, ShapeFromTypeParam<Types, Type, Nullable>, 'Subscription'>;
    }
  }
}
