export {
  fatalCloseCodes,
  type Transport,
  type TransportConnection,
  TransportError,
  type TransportEvents,
} from '@gqlcast/core/protocol';
export { type Client, createClient } from './client.js';
export { ConnectionClosedError, SubscriptionRefusedError } from './errors.js';
export { type ClientOptions, type RetryOptions, retryDefaults, retryDelay } from './options.js';
export {
  createWebSocketTransport,
  type WebSocketConstructor,
  type WebSocketLike,
} from './transports/websocket.js';
export type {
  ClientEvents,
  ClientResult,
  ClientState,
  ClientSubscription,
  GqlcastExtensions,
  OperationRequest,
  TypedDocumentNode,
} from './types.js';
