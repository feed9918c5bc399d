import './global-types.js';
import './field-builder.js';
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { assertShareAuth } from './share-auth.js';

export { isSkip, SKIP, type Skip, type UnsubscribeReason } from '@gqlcast/core';
export type {
  GqlcastFieldOwnOptions,
  GqlcastPluginOptions,
  GqlcastSubscriptionFieldOptions,
  GroupsResult,
  PublishFunction,
} from './types.js';

/** The plugin's name, for `plugins: [GqlcastPlugin]` in `new SchemaBuilder(...)`. */
const pluginName = 'gqlcast';

/**
 * The gqlcast Pothos plugin. Its work happens in `t.subscriptionField`; the
 * plugin class checks, once the schema is built, what only the whole
 * configuration shows (a `share` field with auth checks that would not run per subscriber).
 */
export class PothosGqlcastPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    assertShareAuth(fieldConfig, {
      builderOptions: this.builder.options as unknown as Record<string, unknown>,
      typeOptions: (name) => this.buildCache.getTypeConfig(name).pothosOptions as Record<string, unknown>,
    });
    return fieldConfig;
  }
}

SchemaBuilder.registerPlugin(pluginName, PothosGqlcastPlugin);

export default pluginName;
