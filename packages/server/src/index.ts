export { CloseCode, Subprotocol } from '@gqlcast/core/protocol';
export { logText } from '@gqlcast/core/support';
export type { Socket } from './connection.js';
export { type CostLimit, costLimit } from './cost-limit.js';
export { ServerErrorCode } from './error-codes.js';
export { type AttachOptions, createGraphqlWsServer, type GraphqlWsServer } from './graphql-ws-server.js';
export { aliasLimit, depthLimit } from './limits.js';
export type {
  ConnectDecision,
  Connection,
  DefaultContext,
  ExecuteFunction,
  MessageLimits,
  Middleware,
  OperationMessage,
  OriginCheck,
  ServerOptions,
  SubscribeDecision,
  TelemetryOptions,
  UpgradeRequest,
} from './options.js';
export { type PersistedDocumentsOptions, persistedDocuments } from './persisted-documents.js';
export { serverDefaults } from './resolve-options.js';
export type { SchemaOption } from './schema-source.js';
