import { type Logger, loggerFrom } from '@gqlcast/core';
import { execute, type GraphQLError, type GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { ResolvedOptions, ServerOptions } from './options.js';

/** The defaults, in one place. */
export const serverDefaults = {
  keepAlive: 0,
  connectionInitTimeout: 3_000,
  heartbeatInterval: 30_000,
  strictOrdering: false,
  confirmSubscriptions: false,
  confirmationMessage: { data: null },
  slowOperationWarning: 1_000,
  documentCacheSize: 1_000,
  maxPayload: 1_048_576,
  maxSubscriptionsPerConnection: 100,
  sendHighWaterMark: 1_048_576,
  maxSendBuffer: 16_777_216,
  messageRate: { messages: 2_000, interval: 10_000 },
  maxDepth: 20,
  maxAliases: 50,
  maxTokens: 5_000,
  introspection: true,
} as const;

function duration(value: number | false | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (value === false) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `createGraphqlWsServer: ${name} must be a number of milliseconds ≥ 0 (or false), got ${String(value)}.`,
    );
  }
  return value;
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return value;
  throw new TypeError(`createGraphqlWsServer: ${name} must be a whole number ≥ 1, got ${String(value)}.`);
}

function hook<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`createGraphqlWsServer: ${name} must be a function.`);
  }
  return value;
}

function messageRate(value: ServerOptions['messageRate']): ResolvedOptions['messageRate'] {
  if (value === false) return undefined;
  const rate = value ?? serverDefaults.messageRate;
  if (!(Number.isInteger(rate.messages) && rate.messages >= 1)) {
    throw new TypeError(
      `createGraphqlWsServer: messageRate.messages must be a whole number ≥ 1, got ${String(rate.messages)}.`,
    );
  }
  if (!(typeof rate.interval === 'number' && rate.interval > 0)) {
    throw new TypeError(
      `createGraphqlWsServer: messageRate.interval must be a number of milliseconds > 0, got ${String(rate.interval)}.`,
    );
  }
  return { messages: rate.messages, interval: rate.interval };
}

/** The user's formatError, made safe: if it throws, the error is logged and a generic one is sent. */
function safeFormatError(
  format: ((error: GraphQLError) => GraphQLFormattedError) | undefined,
  logger: Logger,
): (error: GraphQLError) => GraphQLFormattedError {
  if (format === undefined) return (error) => error.toJSON();
  return (error) => {
    try {
      return format(error);
    } catch (failure) {
      logger.error('formatError threw; sent a generic error instead.', { error, failure });
      return { message: 'Internal server error' };
    }
  };
}

/** Checks every option and fills in the defaults; misuse is a `TypeError` naming the option. */
export function resolveOptions(options: ServerOptions<never, never>): ResolvedOptions {
  if (!(options?.schema instanceof GraphQLSchema)) {
    throw new TypeError(
      'createGraphqlWsServer: `schema` must be a GraphQLSchema (if you passed one, two copies of graphql are installed).',
    );
  }
  const middleware = options.middleware ?? [];
  if (!Array.isArray(middleware) || middleware.some((entry) => typeof entry !== 'function')) {
    throw new TypeError('createGraphqlWsServer: middleware must be an array of functions.');
  }
  const origins = options.allowedOrigins;
  if (origins !== undefined && typeof origins !== 'function' && !Array.isArray(origins)) {
    throw new TypeError('createGraphqlWsServer: allowedOrigins must be an array of origins or a function.');
  }
  // pino and winston are recognised and called with their own argument order.
  const logger = loggerFrom(options.logger, 'createGraphqlWsServer');
  return {
    schema: options.schema,
    context: hook(options.context, 'context') as ResolvedOptions['context'],
    onConnect: hook(options.onConnect, 'onConnect') as ResolvedOptions['onConnect'],
    onDisconnect: hook(options.onDisconnect, 'onDisconnect') as ResolvedOptions['onDisconnect'],
    onOperation: hook(options.onOperation, 'onOperation') as ResolvedOptions['onOperation'],
    keepAlive: duration(options.keepAlive, serverDefaults.keepAlive, 'keepAlive'),
    connectionInitTimeout: duration(
      options.connectionInitTimeout,
      serverDefaults.connectionInitTimeout,
      'connectionInitTimeout',
    ),
    heartbeatInterval: duration(options.heartbeatInterval, serverDefaults.heartbeatInterval, 'heartbeatInterval'),
    strictOrdering: options.strictOrdering ?? serverDefaults.strictOrdering,
    confirmSubscriptions: options.confirmSubscriptions ?? serverDefaults.confirmSubscriptions,
    confirmationMessage: options.confirmationMessage ?? serverDefaults.confirmationMessage,
    middleware,
    slowOperationWarning: duration(
      options.slowOperationWarning,
      serverDefaults.slowOperationWarning,
      'slowOperationWarning',
    ),
    formatError: safeFormatError(hook(options.formatError, 'formatError'), logger),
    validationRules: options.validationRules ?? [],
    execute: (hook(options.execute, 'execute') as ResolvedOptions['execute'] | undefined) ?? execute,
    documentCacheSize: count(options.documentCacheSize, serverDefaults.documentCacheSize, 'documentCacheSize'),
    logger,
    maxPayload: count(options.maxPayload, serverDefaults.maxPayload, 'maxPayload'),
    maxSubscriptionsPerConnection: count(
      options.maxSubscriptionsPerConnection,
      serverDefaults.maxSubscriptionsPerConnection,
      'maxSubscriptionsPerConnection',
    ),
    allowedOrigins: origins,
    sendHighWaterMark: count(options.sendHighWaterMark, serverDefaults.sendHighWaterMark, 'sendHighWaterMark'),
    maxSendBuffer: count(options.maxSendBuffer, serverDefaults.maxSendBuffer, 'maxSendBuffer'),
    messageRate: messageRate(options.messageRate),
    maxDepth: count(options.maxDepth, serverDefaults.maxDepth, 'maxDepth'),
    maxAliases: count(options.maxAliases, serverDefaults.maxAliases, 'maxAliases'),
    maxTokens: count(options.maxTokens, serverDefaults.maxTokens, 'maxTokens'),
    introspection: options.introspection ?? serverDefaults.introspection,
  };
}
