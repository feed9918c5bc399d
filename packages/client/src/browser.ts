// The browser entry: the global WebSocket, no Node built-ins.
import type { Transport } from '@gqlcast/core/protocol';
import { createWebSocketTransport, type WebSocketConstructor, type WebSocketLike } from './transports/websocket.js';

export * from './shared.js';

/** Options of the WebSocket transport. */
export interface WebSocketTransportOptions {
  /** Not available in browsers, which send their own headers and cookies. */
  headers?: undefined;
  /** Another WebSocket implementation. @defaultValue `globalThis.WebSocket` */
  WebSocket?: WebSocketConstructor | undefined;
}

/**
 * A transport over the browser's WebSocket to `url` (`ws://` or `wss://`).
 * With a list of URLs, connections go to them in turn: the first to the
 * first, each reconnection (the connection failed, was lost, or the server
 * restarts) to the next, after the last back to the first.
 */
export function webSocketTransport(
  url: string | readonly string[],
  options: WebSocketTransportOptions = {},
): Transport {
  const Implementation =
    options.WebSocket ?? (globalThis as { WebSocket?: new (url: string, protocol: string) => WebSocketLike }).WebSocket;
  if (Implementation === undefined) {
    throw new TypeError('webSocketTransport: this environment has no global WebSocket; pass options.WebSocket.');
  }
  return createWebSocketTransport(url, (target, protocol) => new Implementation(target, protocol));
}
