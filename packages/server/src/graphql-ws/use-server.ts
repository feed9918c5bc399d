import { CloseCode, limitCloseReason, negotiateSubprotocol, Subprotocol } from '@gqlcast/core/protocol';
import type { WebSocketServer } from 'ws';
import { makeServer } from './make-server.js';
import { CompatPushSocket } from './push-socket.js';

/** The buffer level above which a pushed subscription's notifications wait in its outbox (as gqlcast's server). */
const sendHighWaterMark = 1_048_576;

import type { Disposable, Extra, InitPayload, ServerOptions } from './types.js';

/**
 * graphql-ws's `useServer` (`graphql-ws/use/ws`), served by gqlcast: change
 * the import, keep the options, the `ws` server and the returned `dispose`.
 *
 * @example
 * ```ts
 * // import { useServer } from 'graphql-ws/use/ws';
 * import { useServer } from '@gqlcast/server/graphql-ws';
 * const wsServer = new WebSocketServer({ server, path: '/graphql' });
 * const disposable = useServer({ schema }, wsServer);
 * ```
 *
 * @param keepAlive - milliseconds between WebSocket ping frames; a socket
 *   whose pong does not arrive within as long again is terminated. `0` turns
 *   it off. @defaultValue `12_000`, as graphql-ws
 */
export function useServer<P extends InitPayload = InitPayload, E extends object = Record<PropertyKey, never>>(
  options: ServerOptions<P, Extra & Partial<E>>,
  ws: WebSocketServer,
  keepAlive = 12_000,
): Disposable {
  const server = makeServer(options);
  const production = process.env.NODE_ENV === 'production';
  /** What a close after an internal failure says: the error's message in development only. */
  const internalReason = (error: unknown) =>
    production ? 'Internal server error' : fitReason(error instanceof Error ? error.message : String(error));

  // Only graphql-transport-ws is served here (graphql-ws 6 does the same); gqlcast's own server
  // also speaks the legacy subprotocol.
  ws.options.handleProtocols = (offered) => {
    const chosen = negotiateSubprotocol(offered);
    return chosen === Subprotocol.TransportWs ? chosen : false;
  };

  ws.once('error', (error) => {
    console.error('Internal error emitted on the WebSocket server. Please check your implementation.', error);
    for (const client of ws.clients) client.close(CloseCode.InternalServerError, internalReason(error));
  });

  ws.on('connection', (socket, request) => {
    socket.once('error', (error) => {
      console.error('Internal error emitted on a WebSocket socket. Please check your implementation.', error);
      socket.close(CloseCode.InternalServerError, internalReason(error));
    });

    let pongWait: NodeJS.Timeout | undefined;
    const pings =
      keepAlive > 0 && Number.isFinite(keepAlive)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAlive);
            socket.once('pong', () => {
              clearTimeout(pongWait);
              pongWait = undefined;
            });
            socket.ping();
          }, keepAlive)
        : undefined;

    const pushSocket = new CompatPushSocket(socket, sendHighWaterMark);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        gqlcastSocket: pushSocket,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (listener) => {
          socket.on('message', async (data) => {
            try {
              await listener(String(data));
            } catch (error) {
              // A hook threw (onConnect, onSubscribe, context...): graphql-ws closes with 4500.
              console.error(
                'Internal error occurred during message handling. Please check your implementation.',
                error,
              );
              socket.close(CloseCode.InternalServerError, internalReason(error));
            }
          });
        },
      },
      { socket, request } as Extra & Partial<E>,
    );

    socket.once('close', (code, reason) => {
      pushSocket.closed();
      clearTimeout(pongWait);
      clearInterval(pings);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of ws.clients) client.close(CloseCode.GoingAway, 'Going away');
      ws.removeAllListeners();
      await new Promise<void>((resolve, reject) => ws.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** graphql-ws's rule: a reason that does not fit a close frame is replaced, not cut. */
function fitReason(reason: string): string {
  return limitCloseReason(reason) === reason ? reason : 'Internal server error';
}
