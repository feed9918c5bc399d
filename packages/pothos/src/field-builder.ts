import { consoleLogger, defaultQueueLimit } from '@gqlcast/core';
import {
  type FieldKind,
  PothosSchemaError,
  type RootFieldBuilder,
  type SchemaTypes,
  SubscriptionFieldBuilder,
} from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import { type FieldDefinition, openFieldStream, PublishFailure } from './stream.js';

type AnyOptions = Record<string, unknown> & {
  channel?: FieldDefinition['channel'];
  subscribe?: FieldDefinition['subscribe'];
  publish?: FieldDefinition['publish'];
  unsubscribed?: FieldDefinition['unsubscribed'];
  queueLimit?: number;
  extensions?: Readonly<Record<string, unknown>>;
};

const fieldBuilderProto = SubscriptionFieldBuilder.prototype as PothosSchemaTypes.SubscriptionFieldBuilder<
  SchemaTypes,
  unknown
>;

fieldBuilderProto.subscriptionField = function subscriptionField(options) {
  const { channel, subscribe, publish, unsubscribed, queueLimit, extensions, ...rest } =
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

  const logger = this.builder.options.gqlcast?.logger ?? consoleLogger;
  // The field's name is known only once Pothos assigns it; errors and logs use it.
  const field: { -readonly [K in keyof FieldDefinition]: FieldDefinition[K] } = {
    fieldName: '(unnamed)',
    channel,
    subscribe,
    publish,
    unsubscribed,
    queueLimit,
    logger,
  };

  const ref = (this as unknown as RootFieldBuilder<SchemaTypes, unknown, FieldKind>).field({
    ...rest,
    extensions: { ...extensions, gqlcast: { channel: channel.name } },
    // `subscribe` before `resolve`: Pothos infers the parent of `resolve` from it.
    subscribe: (_root: unknown, args: unknown, context: unknown, info: GraphQLResolveInfo) => {
      field.fieldName = info.fieldName;
      return openFieldStream(field, args, context, info);
    },
    resolve: (value: unknown) => {
      if (value instanceof PublishFailure) throw value.error;
      return value;
    },
  } as never);
  return ref as never;
};
