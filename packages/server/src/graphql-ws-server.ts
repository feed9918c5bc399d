import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { negotiateSubprotocol, type Subprotocol } from '@gqlcast/core/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ConnectionHandle, Socket } from './connection.js';
import type { DefaultContext, ServerOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import { ServerCore } from './server-core.js';
import { offeredSubprotocols, originAllowed, pathOf, refuseUpgrade } from './upgrade.js';

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
   * Graceful shutdown: refuses new upgrades, ends every subscription on the
   * server (their `unsubscribed` hooks get `shutdown`), closes every socket with
   * 1001 — which tells clients to reconnect and subscribe again, so no `complete`
   * is sent — and resolves when all is released. Idempotent.
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

const sockets = new WeakMap<WebSocket, { handle: ConnectionHandle; alive: boolean }>();

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
        const entry = sockets.get(ws);
        if (entry === undefined) continue;
        // No pong since the previous ping: the peer is gone without a close frame.
        if (!entry.alive) {
          logger.info(`Terminating connection ${entry.handle.connection.id}: no pong to the last ping.`);
          ws.terminate();
          continue;
        }
        entry.alive = false;
        ws.ping();
      }
    }, resolved.heartbeatInterval);
    heartbeat.unref();
  }

  function accept(ws: WebSocket, request: IncomingMessage, protocol: Subprotocol): void {
    const waiters: (() => void)[] = [];
    let drainCheck: NodeJS.Timeout | undefined;
    const release = () => {
      if (ws.bufferedAmount > resolved.sendHighWaterMark && ws.readyState === ws.OPEN) return;
      clearInterval(drainCheck);
      drainCheck = undefined;
      for (const resolve of waiters.splice(0)) resolve();
    };
    const socket: Socket = {
      protocol,
      send(data) {
        if (ws.readyState !== ws.OPEN) return;
        // A completion callback costs on every frame; it is needed only once the buffer nears the
        // high-water mark (that is when `drained()` hands out promises to resolve).
        const nearMark = ws.bufferedAmount + data.length * 3 > resolved.sendHighWaterMark || waiters.length > 0;
        // Bytes are UTF-8 text (a serialized message): sent as a text frame.
        ws.send(data, { binary: false }, nearMark ? release : undefined);
      },
      drained() {
        if (ws.bufferedAmount <= resolved.sendHighWaterMark || ws.readyState !== ws.OPEN) return undefined;
        // Frames sent without a completion callback (pongs, pings, sends far below the mark) may be
        // what holds the buffer over the mark, with nothing left to report its flush: look now and then.
        drainCheck ??= setInterval(release, 50).unref();
        return new Promise((resolve) => waiters.push(resolve));
      },
      close(code, reason) {
        ws.close(code, reason);
      },
    };
    const handle = core.open(socket, request);
    sockets.set(ws, { handle, alive: true });
    ws.on('pong', () => {
      const entry = sockets.get(ws);
      if (entry !== undefined) entry.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(4400, 'Binary frames are not accepted: send JSON text frames');
        return;
      }
      handle.receive(data.toString());
    });
    // ws emits 'error' for protocol violations (too big, bad UTF-8) and then closes the socket itself.
    ws.on('error', (error) => {
      logger.warn(`WebSocket error on connection ${handle.connection.id}: ${error.message}`, {
        connection: handle.connection.id,
        code: (error as { code?: string }).code,
      });
    });
    ws.once('close', (code, reason) => {
      release();
      for (const resolve of waiters.splice(0)) resolve();
      void handle.closed(code, reason.toString());
    });
  }

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
      socket.on('error', () => socket.destroy());
      if (core.shuttingDown) return refuseUpgrade(socket, 503, 'The GraphQL server is shutting down.');
      if (!originAllowed(resolved.allowedOrigins, request)) {
        logger.info(`Refused a WebSocket upgrade from origin ${String(request.headers.origin)}.`);
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
      wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, protocol));
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
