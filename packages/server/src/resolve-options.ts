import type { IncomingMessage } from 'node:http';
import type { Logger } from '@gqlcast/core';
import type { WireResult } from '@gqlcast/core/protocol';
import { escapingLogger, loggerFrom } from '@gqlcast/core/support';
import { execute, type GraphQLError, type GraphQLFormattedError, GraphQLSchema, type ValidationRule } from 'graphql';
import type { CostLimit } from './cost-limit.js';
import type { ExecuteFunction, MessageLimits, Middleware, OriginCheck, ServerOptions } from './options.js';
import type { SchemaOption } from './schema-source.js';

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly schema: SchemaOption<never>;
  readonly context: ServerOptions<unknown, object>['context'];
  readonly onConnect: ServerOptions<unknown, object>['onConnect'];
  readonly onDisconnect: ServerOptions<unknown, object>['onDisconnect'];
  readonly onOperation: ServerOptions<unknown, object>['onOperation'];
  readonly onSubscribe: ServerOptions<unknown, object>['onSubscribe'];
  readonly onNext: ServerOptions<unknown, object>['onNext'];
  readonly onError: ServerOptions<unknown, object>['onError'];
  readonly onComplete: ServerOptions<unknown, object>['onComplete'];
  readonly keepAlive: number;
  readonly connectionInitTimeout: number;
  readonly heartbeatInterval: number;
  readonly strictOrdering: boolean;
  readonly confirmSubscriptions: boolean;
  readonly confirmationMessage: WireResult;
  readonly middleware: readonly Middleware[];
  readonly slowOperationWarning: number;
  readonly telemetry: {
    readonly enabled: boolean;
    readonly includeOperationName: boolean;
    readonly includeDocument: boolean;
  };
  readonly formatError: (error: GraphQLError) => GraphQLFormattedError;
  readonly validationRules: readonly ValidationRule[];
  readonly execute: ExecuteFunction;
  readonly documentCacheSize: number;
  readonly logger: Logger;
  readonly maxPayload: number;
  readonly maxSubscriptionsPerConnection: number;
  readonly allowedOrigins: OriginCheck | undefined;
  readonly sendHighWaterMark: number;
  readonly maxSendBuffer: number;
  readonly messageRate: { readonly messages: number; readonly interval: number } | undefined;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly introspection: boolean;
  readonly fieldSuggestions: boolean;
  readonly costLimit: CostLimit | undefined;
  readonly autoShare: boolean;
  readonly validationBudget: { readonly milliseconds: number; readonly interval: number } | undefined;
  readonly documentCacheBytes: number;
  readonly messageLimits: MessageLimits;
  readonly maxRetainedBytesPerConnection: number;
  readonly closeTimeout: number;
  readonly maxConnectionsPerAddress: number | undefined;
  readonly clientAddress: (request: IncomingMessage) => string | undefined;
}

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
  costLimit: { maxCost: 100_000, listFactor: 10 },
  documentCacheBytes: 16_777_216,
  messageLimits: { operationId: 128, operationName: 1_024, pingPayload: 4_096 },
  maxRetainedBytesPerConnection: 4_194_304,
  closeTimeout: 1_000,
  validationBudget: { milliseconds: 1_000, interval: 10_000 },
} as const;

/** Introspection is on in development and off in production (`NODE_ENV`), read when a server is created. */
function defaultIntrospection(): boolean {
  return process.env.NODE_ENV !== 'production';
}

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

function costLimit(value: ServerOptions['costLimit']): CostLimit | undefined {
  if (value === false) return undefined;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError('createGraphqlWsServer: costLimit must be { maxCost, listFactor } or false.');
  }
  const defaults = serverDefaults.costLimit;
  return {
    maxCost: count(value?.maxCost, defaults.maxCost, 'costLimit.maxCost'),
    listFactor: count(value?.listFactor, defaults.listFactor, 'costLimit.listFactor'),
  };
}

function messageLimits(value: ServerOptions['messageLimits']): MessageLimits {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError('createGraphqlWsServer: messageLimits must be an object.');
  }
  const defaults = serverDefaults.messageLimits;
  return {
    operationId: count(value?.operationId, defaults.operationId, 'messageLimits.operationId'),
    operationName: count(value?.operationName, defaults.operationName, 'messageLimits.operationName'),
    pingPayload: count(value?.pingPayload, defaults.pingPayload, 'messageLimits.pingPayload'),
  };
}

function validationBudget(value: ServerOptions['validationBudget']): ResolvedOptions['validationBudget'] {
  if (value === false) return undefined;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError('createGraphqlWsServer: validationBudget must be { milliseconds, interval } or false.');
  }
  const budget = value ?? serverDefaults.validationBudget;
  if (!(typeof budget.milliseconds === 'number' && budget.milliseconds > 0)) {
    throw new TypeError(
      `createGraphqlWsServer: validationBudget.milliseconds must be a number > 0, got ${String(budget.milliseconds)}.`,
    );
  }
  if (!(typeof budget.interval === 'number' && budget.interval > 0)) {
    throw new TypeError(
      `createGraphqlWsServer: validationBudget.interval must be a number of milliseconds > 0, got ${String(budget.interval)}.`,
    );
  }
  return { milliseconds: budget.milliseconds, interval: budget.interval };
}

function flag(value: boolean | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`createGraphqlWsServer: ${name} must be true or false.`);
  return value;
}

/** The socket's own address: right unless a proxy stands between (see `clientAddress`). */
function socketAddress(request: IncomingMessage): string | undefined {
  return request.socket.remoteAddress;
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
  if (!(options?.schema instanceof GraphQLSchema) && typeof options?.schema !== 'function') {
    throw new TypeError(
      'createGraphqlWsServer: `schema` must be a GraphQLSchema or a function returning one ' +
        '(if you passed a schema, two copies of graphql are installed).',
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
  // pino and winston are recognised and called with their own argument order; every line is escaped.
  const logger = escapingLogger(loggerFrom(options.logger, 'createGraphqlWsServer'));
  const introspection = flag(options.introspection, defaultIntrospection(), 'introspection');
  const customExecute = hook(options.execute, 'execute') as ResolvedOptions['execute'] | undefined;
  return {
    schema: options.schema,
    context: hook(options.context, 'context') as ResolvedOptions['context'],
    onConnect: hook(options.onConnect, 'onConnect') as ResolvedOptions['onConnect'],
    onDisconnect: hook(options.onDisconnect, 'onDisconnect') as ResolvedOptions['onDisconnect'],
    onOperation: hook(options.onOperation, 'onOperation') as ResolvedOptions['onOperation'],
    onSubscribe: hook(options.onSubscribe, 'onSubscribe') as ResolvedOptions['onSubscribe'],
    onNext: hook(options.onNext, 'onNext') as ResolvedOptions['onNext'],
    onError: hook(options.onError, 'onError') as ResolvedOptions['onError'],
    onComplete: hook(options.onComplete, 'onComplete') as ResolvedOptions['onComplete'],
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
    telemetry: telemetryOptions(options.telemetry),
    formatError: safeFormatError(hook(options.formatError, 'formatError'), logger),
    validationRules: options.validationRules ?? [],
    execute: customExecute ?? execute,
    autoShare: flag(options.autoShare, customExecute === undefined, 'autoShare'),
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
    introspection,
    fieldSuggestions: flag(options.fieldSuggestions, introspection, 'fieldSuggestions'),
    costLimit: costLimit(options.costLimit),
    validationBudget: validationBudget(options.validationBudget),
    documentCacheBytes: count(options.documentCacheBytes, serverDefaults.documentCacheBytes, 'documentCacheBytes'),
    messageLimits: messageLimits(options.messageLimits),
    maxRetainedBytesPerConnection: count(
      options.maxRetainedBytesPerConnection,
      serverDefaults.maxRetainedBytesPerConnection,
      'maxRetainedBytesPerConnection',
    ),
    closeTimeout: duration(options.closeTimeout, serverDefaults.closeTimeout, 'closeTimeout'),
    maxConnectionsPerAddress:
      options.maxConnectionsPerAddress === undefined
        ? undefined
        : count(options.maxConnectionsPerAddress, 1, 'maxConnectionsPerAddress'),
    clientAddress: hook(options.clientAddress, 'clientAddress') ?? socketAddress,
  };
}

function telemetryOptions(option: ServerOptions<never, never>['telemetry']): ResolvedOptions['telemetry'] {
  if (option === false) return { enabled: false, includeOperationName: false, includeDocument: false };
  if (option !== undefined && (typeof option !== 'object' || option === null)) {
    throw new TypeError('createGraphqlWsServer: telemetry must be an object or false.');
  }
  return {
    enabled: flag(option?.enabled, true, 'telemetry.enabled'),
    includeOperationName: flag(option?.includeOperationName, false, 'telemetry.includeOperationName'),
    includeDocument: flag(option?.includeDocument, false, 'telemetry.includeDocument'),
  };
}
