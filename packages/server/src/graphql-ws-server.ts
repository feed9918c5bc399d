import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { negotiateSubprotocol } from '@gqlcast/core/protocol';
import { WebSocketServer } from 'ws';
import { AddressCounter } from './address-counter.js';
import type { DefaultContext, ServerOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import { ServerCore } from './server-core.js';
import { destroyOnError, keptRequest, offeredSubprotocols, originAllowed, pathOf, refuseUpgrade } from './upgrade.js';
import { WsSocket, type WsSocketServer } from './ws-socket.js';

/** Options of {@link GraphqlWsServer.attach}. */
export interface AttachOptions {
  /** Only upgrades to this path are handled (the query string is ignored). @defaultValue every path */
  path?: string | undefined;
}

/** A GraphQL-over-WebSocket server, to plug into any Node HTTP server. */
export interface GraphqlWsServer {
  /**
   * Listens for WebSocket upgrades on `server`. With `path`, other paths are
   * left to other `upgrade` listeners (or answered 404 when there are none).
   * Returns a function that detaches again.
   */
  attach(server: HttpServer, options?: AttachOptions): () => void;
  /**
   * Handles one upgrade request, for servers that route upgrades themselves:
   * `httpServer.on('upgrade', (req, socket, head) => gql.handleUpgrade(req, socket, head))`.
   * Refuses with a plain HTTP error (and no WebSocket) when the origin is not
   * allowed (403), no supported subprotocol was offered (400), or the server is closing (503).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Graceful shutdown: refuses new upgrades; lets the shared executions and
   * outboxes write what they already hold (within `closeTimeout`); ends every
   * subscription on the server (their `unsubscribed` hooks get `shutdown`);
   * closes every socket with 1012 Service Restart — which tells clients to
   * reconnect at once and subscribe again, so no `complete` is sent — and
   * resolves when all is released. Idempotent.
   */
  close(): Promise<void>;
  /** Open connections. */
  readonly connectionCount: number;
  /**
   * Bytes written to sockets but not yet flushed to the network, in all and for
   * the fullest socket: what slow readers cost (bounded by `sendHighWaterMark`).
   */
  bufferStats(): { bufferedBytes: number; largestBuffer: number };
  /** @internal The protocol core, for the in-process test transport. */
  readonly core: ServerCore;
}

/**
 * Creates a server for `options.schema`, speaking graphql-transport-ws and the
 * legacy graphql-ws subprotocol on the same path.
 *
 * @example
 * ```ts
 * const gql = createGraphqlWsServer({ schema });
 * gql.attach(httpServer, { path: '/graphql' });
 * ```
 */
export function createGraphqlWsServer<Context = DefaultContext, State extends object = Record<string, unknown>>(
  options: ServerOptions<Context, State>,
): GraphqlWsServer {
  const resolved = resolveOptions(options as unknown as ServerOptions<never, never>);
  const core = new ServerCore(resolved);
  const { logger } = resolved;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: resolved.maxPayload,
    clientTracking: true,
    perMessageDeflate: false,
    // The subprotocol was checked before the upgrade; this only echoes the choice.
    handleProtocols: (offered) => negotiateSubprotocol(offered) ?? false,
  });
  let heartbeat: NodeJS.Timeout | undefined;
  if (resolved.heartbeatInterval > 0) {
    heartbeat = setInterval(() => {
      for (const ws of wss.clients) {
        const socket = WsSocket.of(ws);
        if (socket === undefined) continue;
        // No pong since the previous ping: the peer is gone without a close frame.
        if (!socket.alive) {
          logger.info(`Terminating connection ${socket.handle.connection.id}: no pong to the last ping.`);
          ws.terminate();
          continue;
        }
        socket.alive = false;
        ws.ping();
      }
    }, resolved.heartbeatInterval);
    heartbeat.unref();
  }

  const socketServer: WsSocketServer = {
    open: (socket, request) => core.open(socket, keptRequest(request)),
    sendHighWaterMark: resolved.sendHighWaterMark,
    closeTimeout: resolved.closeTimeout,
    logger,
  };
  const perAddress =
    resolved.maxConnectionsPerAddress === undefined
      ? undefined
      : new AddressCounter(resolved.maxConnectionsPerAddress, resolved.clientAddress);

  const server: GraphqlWsServer = {
    core,
    get connectionCount() {
      return core.connectionCount;
    },

    bufferStats() {
      let bufferedBytes = 0;
      let largestBuffer = 0;
      for (const ws of wss.clients) {
        bufferedBytes += ws.bufferedAmount;
        largestBuffer = Math.max(largestBuffer, ws.bufferedAmount);
      }
      return { bufferedBytes, largestBuffer };
    },

    handleUpgrade(request, socket, head) {
      socket.on('error', destroyOnError);
      if (core.shuttingDown) {
        core.telemetry.refused('shutting_down');
        return refuseUpgrade(socket, 503, 'The GraphQL server is shutting down.');
      }
      if (!originAllowed(resolved.allowedOrigins, request)) {
        logger.info(`Refused a WebSocket upgrade from origin ${String(request.headers.origin)}.`);
        core.telemetry.refused('origin');
        return refuseUpgrade(socket, 403, 'This origin may not open GraphQL WebSocket connections.');
      }
      const protocol = negotiateSubprotocol(offeredSubprotocols(request));
      if (protocol === undefined) {
        return refuseUpgrade(
          socket,
          400,
          'Unsupported WebSocket subprotocol: offer "graphql-transport-ws" (graphql-ws) or "graphql-ws" (subscriptions-transport-ws).',
        );
      }
      let address: string | null | undefined;
      try {
        address = perAddress?.take(request);
      } catch (error) {
        logger.error('clientAddress threw; refused the upgrade.', { error });
        return refuseUpgrade(socket, 500, 'The server could not tell the client address.');
      }
      if (address === null) {
        logger.info('Refused a WebSocket upgrade: too many connections from one address (maxConnectionsPerAddress).');
        core.telemetry.refused('connections_per_address');
        return refuseUpgrade(socket, 429, 'Too many connections from this address (GQLCAST_TOO_MANY_CONNECTIONS).');
      }
      // The count is given back when the socket ends, whether the upgrade completed or not.
      if (address !== undefined) socket.once('close', () => perAddress?.give(address));
      wss.handleUpgrade(request, socket, head, (ws) => WsSocket.accept(ws, request, protocol, socketServer));
    },

    attach(httpServer, attachOptions = {}) {
      const path = attachOptions.path;
      const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (path !== undefined && pathOf(request) !== path) {
          // Another listener may own this path; if none does, say so instead of leaving the socket hanging.
          if (httpServer.listenerCount('upgrade') <= 1)
            refuseUpgrade(socket, 404, `No WebSocket endpoint at ${pathOf(request)}.`);
          return;
        }
        server.handleUpgrade(request, socket, head);
      };
      httpServer.on('upgrade', listener);
      return () => httpServer.off('upgrade', listener);
    },

    async close() {
      clearInterval(heartbeat);
      await core.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return server;
}
