import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OriginCheck, UpgradeRequest } from './options.js';

/** An 'error' listener for raw sockets: one function for all, so a socket holds no closure of its upgrade. */
export function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * What a connection keeps of its upgrade request: its headers, url and the
 * peer's address. Not the `IncomingMessage` itself, which would hold its raw
 * headers, stream state and socket references for the connection's life
 * (about 0.9 KB per connection).
 */
export function keptRequest(request: IncomingMessage): UpgradeRequest {
  return { headers: request.headers, url: request.url, remoteAddress: request.socket.remoteAddress };
}

/** Answers an upgrade request with a plain HTTP error and closes the socket (no WebSocket is opened). */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  // Node removed its own 'error' listener when it emitted 'upgrade': a reset must not crash the process.
  if (socket.listenerCount('error') === 0) socket.on('error', destroyOnError);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const reason =
    {
      400: 'Bad Request',
      403: 'Forbidden',
      404: 'Not Found',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
      503: 'Service Unavailable',
    }[status] ?? 'Error';
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The subprotocols a client offered in `Sec-WebSocket-Protocol`. */
export function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** Whether the request's `Origin` may connect. No `Origin` header: not a browser, allowed. */
export function originAllowed(check: OriginCheck | undefined, request: IncomingMessage): boolean {
  if (check === undefined) return true;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return typeof check === 'function' ? check(origin, request) : check.includes(origin);
}

/** The path of a request URL, without its query. */
export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
