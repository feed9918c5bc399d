import type { IncomingMessage } from 'node:http';
import type { Logger } from '@gqlcast/core';
import { CloseCode, type Subprotocol } from '@gqlcast/core/protocol';
import type { RawData, WebSocket } from 'ws';
import type { ConnectionHandle, Socket } from './connection.js';
import { flushWrites, SendBuffer } from './send-buffer.js';

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
  readonly #buffer: SendBuffer;
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
    // Batched: every frame of this socket passes through the outbox and this buffer (see SendBuffer).
    this.#buffer = new SendBuffer(ws, server.sendHighWaterMark, true);
    this.protocol = protocol;
    this.handle = server.open(this, request);
  }

  send(data: string | Buffer): void {
    this.#buffer.send(data);
  }

  drained(): Promise<void> | undefined {
    return this.#buffer.drained();
  }

  get bufferedAmount(): number {
    return this.#buffer.bufferedAmount;
  }

  close(code: number, reason: string): void {
    const ws = this.#ws;
    // What was sent before the close (an error, a `complete`) goes out before the close frame.
    flushWrites();
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

  /** The socket closed: nobody waits for a drain any more, and the connection cleans up. */
  closed(code: number, reason: string): void {
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    adapters.delete(this.#ws);
    this.#buffer.releaseAll();
    void this.handle.closed(code, reason);
  }

  received(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.close(CloseCode.BadRequest, 'Binary frames are not accepted: send JSON text frames');
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
