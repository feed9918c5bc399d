import type { IncomingMessage } from 'node:http';
import type { Logger } from '@gqlcast/core';
import { CloseCode, type Subprotocol } from '@gqlcast/core/protocol';
import type { RawData, WebSocket } from 'ws';
import type { ConnectionHandle, Socket } from './connection.js';

/** What a socket needs from its server. */
export interface WsSocketServer {
  /** Opens the protocol connection of a socket. */
  open(socket: Socket, request: IncomingMessage): ConnectionHandle;
  readonly sendHighWaterMark: number;
  readonly logger: Logger;
}

/** The adapter of each open WebSocket, for the shared listeners below and the heartbeat. */
const adapters = new WeakMap<WebSocket, WsSocket>();

// Bytes are UTF-8 text (a serialized message): sent as a text frame. One object for every send.
const textFrame = { binary: false } as const;

/**
 * The core's {@link Socket} over a `ws` WebSocket. One exists per connection,
 * for as long as it is open, so it is a class with its methods on the
 * prototype and the event listeners are shared functions: per connection it
 * costs this object, not a dozen closures.
 */
export class WsSocket implements Socket {
  readonly protocol: Subprotocol;
  readonly handle: ConnectionHandle;
  /** Set by a pong, cleared by each heartbeat ping: still clear at the next one means the peer is gone. */
  alive = true;
  readonly #ws: WebSocket;
  readonly #server: WsSocketServer;
  /** Who waits for the buffer to drain (made on first use). */
  #waiters: (() => void)[] | undefined;
  #drainCheck: NodeJS.Timeout | undefined;
  /** `#release` bound, as the completion callback of sends near the mark (made on first use). */
  #releaser: (() => void) | undefined;

  /** Opens the connection of `ws` and listens to it. */
  static accept(ws: WebSocket, request: IncomingMessage, protocol: Subprotocol, server: WsSocketServer): WsSocket {
    const socket = new WsSocket(ws, request, protocol, server);
    adapters.set(ws, socket);
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
    return socket;
  }

  /** The adapter of an open WebSocket. */
  static of(ws: WebSocket): WsSocket | undefined {
    return adapters.get(ws);
  }

  private constructor(ws: WebSocket, request: IncomingMessage, protocol: Subprotocol, server: WsSocketServer) {
    this.#ws = ws;
    this.#server = server;
    this.protocol = protocol;
    this.handle = server.open(this, request);
  }

  send(data: string | Buffer): void {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return;
    // A completion callback costs on every frame; it is needed only once the buffer nears the
    // high-water mark (that is when `drained()` hands out promises to resolve).
    const nearMark =
      ws.bufferedAmount + data.length * 3 > this.#server.sendHighWaterMark || this.#waiters !== undefined;
    if (!nearMark) {
      ws.send(data, textFrame);
      return;
    }
    this.#releaser ??= () => this.#release();
    ws.send(data, textFrame, this.#releaser);
  }

  drained(): Promise<void> | undefined {
    const ws = this.#ws;
    if (ws.bufferedAmount <= this.#server.sendHighWaterMark || ws.readyState !== ws.OPEN) return undefined;
    // Frames sent without a completion callback (pongs, pings, sends far below the mark) may be
    // what holds the buffer over the mark, with nothing left to report its flush: look now and then.
    this.#releaser ??= () => this.#release();
    this.#drainCheck ??= setInterval(this.#releaser, 50).unref();
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /** Resolves the waiters once the buffer is below the mark (or the socket is closing). */
  #release(): void {
    const ws = this.#ws;
    if (ws.bufferedAmount > this.#server.sendHighWaterMark && ws.readyState === ws.OPEN) return;
    this.#releaseAll();
  }

  #releaseAll(): void {
    clearInterval(this.#drainCheck);
    this.#drainCheck = undefined;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  /** The socket closed: nobody waits for a drain any more, and the connection cleans up. */
  closed(code: number, reason: string): void {
    adapters.delete(this.#ws);
    this.#releaseAll();
    void this.handle.closed(code, reason);
  }

  received(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.#ws.close(CloseCode.BadRequest, 'Binary frames are not accepted: send JSON text frames');
      return;
    }
    this.handle.receive(data.toString());
  }

  failed(error: Error): void {
    const id = this.handle.connection.id;
    this.#server.logger.warn(`WebSocket error on connection ${id}: ${error.message}`, {
      connection: id,
      code: (error as { code?: string }).code,
    });
  }
}

// The listeners, shared by every socket: `ws` calls them with the WebSocket as `this`.

function onPong(this: WebSocket): void {
  const socket = adapters.get(this);
  if (socket !== undefined) socket.alive = true;
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  adapters.get(this)?.received(data, isBinary);
}

// ws emits 'error' for protocol violations (too big, bad UTF-8) and then closes the socket itself.
function onError(this: WebSocket, error: Error): void {
  adapters.get(this)?.failed(error);
}

// ws emits 'close' once; the adapter forgets the socket then, so a second call would find nothing.
function onClose(this: WebSocket, code: number, reason: Buffer): void {
  adapters.get(this)?.closed(code, reason.toString());
}
