import { defaultQueueLimit, escapingLogger, loggerFrom } from '@gqlcast/core';
import { isPushOffer, publishMiddlewareOf, pushFieldExtensions } from '@gqlcast/core/push';
import {
  type FieldKind,
  PothosSchemaError,
  type RootFieldBuilder,
  type SchemaTypes,
  SubscriptionFieldBuilder,
} from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import { PublishFailure } from './hooks.js';
import { openPushSource } from './push-source.js';
import { type FieldDefinition, openFieldStream } from './stream.js';

type AnyOptions = Record<string, unknown> & {
  channel?: FieldDefinition['channel'];
  subscribe?: FieldDefinition['subscribe'];
  publish?: FieldDefinition['publish'];
  unsubscribed?: FieldDefinition['unsubscribed'];
  queueLimit?: number;
  share?: FieldDefinition['share'] | false;
  extensions?: Readonly<Record<string, unknown>>;
};

/** Numbers fields, so that share keys of two fields never collide. */
let nextFieldId = 1;

const fieldBuilderProto = SubscriptionFieldBuilder.prototype as PothosSchemaTypes.SubscriptionFieldBuilder<
  SchemaTypes,
  unknown
>;

fieldBuilderProto.subscriptionField = function subscriptionField(options) {
  const { channel, subscribe, publish, unsubscribed, queueLimit, share, extensions, ...rest } =
    options as unknown as AnyOptions;
  if (channel === undefined || typeof channel.subscribe !== 'function') {
    throw new PothosSchemaError(
      't.subscriptionField: `channel` must be a channel declared with hub.channel(name, { payload }).',
    );
  }
  for (const [name, value] of Object.entries({ subscribe, publish, unsubscribed })) {
    if (value !== undefined && typeof value !== 'function') {
      throw new PothosSchemaError(`t.subscriptionField: \`${name}\` must be a function.`);
    }
  }
  if ('resolve' in rest) {
    throw new PothosSchemaError('t.subscriptionField: use `publish` to shape notifications, not `resolve`.');
  }
  if (
    queueLimit !== undefined &&
    queueLimit !== Number.POSITIVE_INFINITY &&
    !(Number.isInteger(queueLimit) && queueLimit >= 1)
  ) {
    throw new PothosSchemaError(
      `t.subscriptionField: \`queueLimit\` must be a whole number of at least 1 (or Infinity), got ${String(queueLimit)} ` +
        `(the hub's default is ${defaultQueueLimit}).`,
    );
  }

  if (share !== undefined && share !== false && share !== true && typeof share !== 'function') {
    throw new PothosSchemaError(
      't.subscriptionField: `share` must be true (the notification depends only on the payload and arguments) ' +
        'or a function of the context returning a share key.',
    );
  }

  const logger = escapingLogger(loggerFrom(this.builder.options.gqlcast?.logger, 'gqlcast plugin'));
  // The field's name is known only once Pothos assigns it; errors and logs use it.
  const field: { -readonly [K in keyof FieldDefinition]: FieldDefinition[K] } = {
    id: nextFieldId++,
    fieldName: '(unnamed)',
    channel,
    subscribe,
    publish,
    unsubscribed,
    queueLimit,
    logger,
    share: share === false ? undefined : share,
    feeds: new Map(),
  };

  const ref = (this as unknown as RootFieldBuilder<SchemaTypes, unknown, FieldKind>).field({
    ...rest,
    // Tells the gqlcast server this field accepts its push offer (the contract: @gqlcast/core/push).
    extensions: { ...extensions, ...pushFieldExtensions(channel.name, field.share !== undefined, resolvePushValue) },
    // `subscribe` before `resolve`: Pothos infers the parent of `resolve` from it.
    subscribe: (root: unknown, args: unknown, context: unknown, info: GraphQLResolveInfo) => {
      field.fieldName = info.fieldName;
      // The gqlcast server offers to drive the stream by push; any other server pulls it.
      if (isPushOffer(root)) return openPushSource(field, args, context, info, root);
      return openFieldStream(field, args, context, info, publishMiddlewareOf(root));
    },
    resolve: resolvePushValue,
  } as never);
  return ref as never;
};

/**
 * Every push field's resolver: the value `publish` returned, or its failure thrown. It reads
 * nothing else (no context), which lets the gqlcast server share executions between subscribers.
 */
function resolvePushValue(value: unknown): unknown {
  if (value instanceof PublishFailure) throw value.error;
  return value;
}
