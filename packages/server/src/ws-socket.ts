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
  /** How long a closing peer may take to answer the close frame before its socket is destroyed (0: `ws`'s own 30 s). */
  readonly closeTimeout: number;
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
  /** `#release` bound, as the completion callback of sends while the buffer is not empty (made on first use). */
  #releaser: (() => void) | undefined;
  /** Destroys the socket if the peer does not answer the close frame in time (set by `close`). */
  #closeTimer: NodeJS.Timeout | undefined;

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
    // A completion callback costs on every frame, so a frame gets one only when it may be what holds
    // the buffer over the mark: the buffer already holds something, or the frame alone is large. Then
    // the last frame written over the mark always reports its flush (frames flush in order), and the
    // drain wait needs no polling timer. (A frame sent into an empty buffer that is small cannot
    // take it over the mark; ws's own pings are tiny, and flush behind a reporting frame.)
    const reports = ws.bufferedAmount > 0 || data.length * 3 > this.#server.sendHighWaterMark;
    if (!reports) {
      ws.send(data, textFrame);
      return;
    }
    this.#releaser ??= () => this.#release();
    ws.send(data, textFrame, this.#releaser);
  }

  drained(): Promise<void> | undefined {
    const ws = this.#ws;
    if (ws.bufferedAmount <= this.#server.sendHighWaterMark || ws.readyState !== ws.OPEN) return undefined;
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    const ws = this.#ws;
    ws.close(code, reason);
    // RFC 6455 §7.1.1: the server should close the TCP connection once the closing handshake is done;
    // a peer that never answers (it stopped reading, or never meant to) would hold the socket for
    // `ws`'s 30 seconds. Give it `closeTimeout`, then destroy the socket.
    const timeout = this.#server.closeTimeout;
    if (timeout > 0 && this.#closeTimer === undefined && ws.readyState !== ws.CLOSED) {
      this.#closeTimer = setTimeout(terminateLate, timeout, ws);
      this.#closeTimer.unref();
    }
  }

  terminate(): void {
    this.#ws.terminate();
  }

  /** Resolves the waiters once the buffer is below the mark (or the socket is closing). */
  #release(): void {
    if (this.#waiters === undefined) return;
    const ws = this.#ws;
    if (ws.bufferedAmount > this.#server.sendHighWaterMark && ws.readyState === ws.OPEN) return;
    this.#releaseAll();
  }

  #releaseAll(): void {
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  /** The socket closed: nobody waits for a drain any more, and the connection cleans up. */
  closed(code: number, reason: string): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
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

/** The close handshake did not finish within `closeTimeout`: one function for every socket. */
function terminateLate(ws: WebSocket): void {
  ws.terminate();
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
