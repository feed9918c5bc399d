/**
 * A drop-in for graphql-ws's server: `import { useServer } from '@gqlcast/server/graphql-ws'`
 * takes graphql-ws 6's `ServerOptions` and a `ws` `WebSocketServer`, as `graphql-ws/use/ws` does.
 * See docs/migrating-from-graphql-ws.md for what differs and why.
 *
 * @packageDocumentation
 */
export { makeServer } from './make-server.js';
export type {
  CompatSocket,
  Context,
  Disposable,
  Extra,
  GraphQLExecutionContextValue,
  InitPayload,
  OperationResult,
  Server,
  ServerOptions,
} from './types.js';
export { useServer } from './use-server.js';
