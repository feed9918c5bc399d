import { type Transport, type TransportConnection, TransportError } from '@gqlcast/core/protocol';

/** The part of the WebSocket API (browser's, or the `ws` package's) the transport uses. */
export interface WebSocketLike {
  readonly protocol: string;
  readonly readyState: number;
  /** Sends a text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Set by the transport: the socket opened. */
  onopen: ((event: unknown) => void) | null;
  /** Set by the transport: a frame arrived. */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Set by the transport: the socket closed. */
  onclose: ((event: { code: number; reason: string }) => void) | null;
  /** Set by the transport: the socket failed. */
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket class: opens a socket to `url`, offering the subprotocol `protocol`. */
export type WebSocketConstructor = new (url: string, protocol: string) => WebSocketLike;

const OPEN = 1;

/**
 * A transport over any WebSocket implementation; `create` opens one socket.
 * With several URLs, connections go to them in turn: the first to the first
 * URL, each later one (a reconnection: the previous connection failed, was
 * lost, or the server restarts) to the next, after the last back to the first.
 */
export function createWebSocketTransport(
  url: string | readonly string[],
  create: (url: string, protocol: string) => WebSocketLike,
): Transport {
  const urls = [url].flat();
  if (!urls[0]) throw new TypeError('webSocketTransport: `url` must be a URL or a non-empty list of URLs.');
  let turn = 0;
  return {
    connect(protocol, events) {
      const target = urls[turn++ % urls.length] as string;
      return new Promise<TransportConnection>((resolve, reject) => {
        let socket: WebSocketLike;
        try {
          socket = create(target, protocol);
        } catch (error) {
          reject(error);
          return;
        }
        let opened = false;
        const decoder = new TextDecoder();
        socket.onopen = () => {
          // The server must choose the offered subprotocol; anything else cannot be spoken.
          if (socket.protocol !== protocol) {
            reject(new TransportError(4406, `Subprotocol not acceptable: the server chose "${socket.protocol}"`));
            socket.close(4406, 'Subprotocol not acceptable');
            return;
          }
          opened = true;
          resolve({
            protocol: socket.protocol,
            send: (data) => {
              if (socket.readyState === OPEN) socket.send(data);
            },
            close: (code, reason) => socket.close(code, reason),
          });
        };
        socket.onmessage = (event) => {
          const data = event.data;
          events.message(typeof data === 'string' ? data : decoder.decode(data as ArrayBuffer));
        };
        socket.onerror = (event) => {
          // 'close' follows with the code; before 'open', it is the only report of a failed connection.
          if (opened) return;
          const detail = (event as { message?: string } | null)?.message ?? '';
          // The `ws` package refuses a handshake whose subprotocol was not offered: retrying cannot help.
          if (/subprotocol/i.test(detail)) reject(new TransportError(4406, `Subprotocol not acceptable: ${detail}`));
          else reject(new TransportError(1006, `Could not connect to ${target}${detail ? `: ${detail}` : ''}`));
        };
        socket.onclose = (event) => {
          if (!opened) reject(new TransportError(event.code, `Could not connect to ${target} (close ${event.code})`));
          else events.closed(event.code, event.reason);
        };
      });
    },
  };
}
