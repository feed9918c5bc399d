import type { Transport, TransportConnection } from '@gqlcast/core/protocol';
import { CloseCode, negotiateSubprotocol } from '@gqlcast/core/protocol';
import type { ConnectionHandle, Socket } from '../connection.js';
import type { GraphqlWsServer } from '../graphql-ws-server.js';
import type { UpgradeRequest } from '../options.js';

/** Options of {@link inProcessTransport}. */
export interface InProcessTransportOptions {
  /** The upgrade request the server sees: headers (cookies, authorization) and url. @defaultValue `{ headers: {} }` */
  request?: Partial<UpgradeRequest> | undefined;
}

/**
 * A transport that connects a client straight to a server in the same
 * process: no socket, no port. Frames are delivered asynchronously and in
 * order, as over a network, and the server runs exactly as it does for real
 * sockets (hooks, limits, both protocols). For unit tests of your schema.
 *
 * @example
 * ```ts
 * const gql = createGraphqlWsServer({ schema });
 * const client = createClient({ transport: inProcessTransport(gql, { request: { headers: { cookie } } }) });
 * ```
 *
 * @param server - the server, or a function returning the current one (to test reconnection across a restart).
 */
export function inProcessTransport(
  server: GraphqlWsServer | (() => GraphqlWsServer),
  options: InProcessTransportOptions = {},
): Transport {
  const request: UpgradeRequest = { headers: {}, url: '/graphql', ...options.request };
  return {
    async connect(protocol, events) {
      // A function lets a test swap the server, e.g. to simulate a restart.
      const core = (typeof server === 'function' ? server() : server).core;
      // As over HTTP: an unsupported subprotocol or a closing server is refused before any connection.
      const chosen = negotiateSubprotocol([protocol]);
      if (chosen === undefined) throw new Error(`Unsupported WebSocket subprotocol "${protocol}".`);
      if (core.shuttingDown) throw new Error('The GraphQL server is shutting down (503).');

      let open = true;
      let handle: ConnectionHandle | undefined;
      const later = (task: () => void) => queueMicrotask(task);
      const end = (code: number, reason: string) => {
        if (!open) return;
        open = false;
        later(() => {
          void handle?.closed(code, reason);
          events.closed(code, reason);
        });
      };
      const socket: Socket = {
        protocol: chosen,
        send(data) {
          // Frames sent before a close still arrive, before the close: as on a socket.
          if (!open) return;
          const text = typeof data === 'string' ? data : data.toString('utf8');
          later(() => events.message(text));
        },
        drained: () => undefined,
        close: end,
      };
      handle = core.open(socket, request);
      const connection: TransportConnection = {
        protocol: chosen,
        send(data) {
          if (!open) return;
          // As `ws` does with maxPayload: an oversized frame closes the connection with 1009.
          if (new TextEncoder().encode(data).length > core.options.maxPayload)
            return end(CloseCode.MessageTooBig, 'Max payload size exceeded');
          later(() => handle?.receive(data));
        },
        close: end,
      };
      return connection;
    },
  };
}
