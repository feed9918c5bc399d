import './global-types.js';
import './field-builder.js';
import SchemaBuilder, { BasePlugin, type SchemaTypes } from '@pothos/core';

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
 * plugin class exists so that `plugins: [GqlcastPlugin]` reads as usual.
 */
export class PothosGqlcastPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {}

SchemaBuilder.registerPlugin(pluginName, PothosGqlcastPlugin);

export default pluginName;
