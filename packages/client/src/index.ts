// The Node entry: WebSockets come from the `ws` package, so headers and cookies can be set.
import type { Transport } from '@gqlcast/core/protocol';
import WebSocket from 'ws';
import { createWebSocketTransport, type WebSocketConstructor, type WebSocketLike } from './transports/websocket.js';

export * from './shared.js';

/** Options of the WebSocket transport. */
export interface WebSocketTransportOptions {
  /** Extra headers of the upgrade request, e.g. `{ cookie: 'sessionid=...' }` (Node only: browsers send their own). */
  headers?: Record<string, string> | undefined;
  /** Another WebSocket implementation, e.g. the global one of Node 22. @defaultValue the `ws` package */
  WebSocket?: WebSocketConstructor | undefined;
}

/**
 * A transport over a WebSocket to `url` (`ws://` or `wss://`). With a list of
 * URLs, connections go to them in turn: the first to the first, each
 * reconnection (the connection failed, was lost, or the server restarts) to
 * the next, after the last back to the first.
 */
export function webSocketTransport(
  url: string | readonly string[],
  options: WebSocketTransportOptions = {},
): Transport {
  return createWebSocketTransport(url, (target, protocol) =>
    options.WebSocket
      ? new options.WebSocket(target, protocol)
      : (new WebSocket(target, protocol, { headers: options.headers }) as unknown as WebSocketLike),
  );
}
