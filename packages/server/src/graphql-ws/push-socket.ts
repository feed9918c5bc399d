import { Subprotocol } from '@gqlcast/core/protocol';
import type { WebSocket } from 'ws';
import type { Socket } from '../connection.js';
import { SendBuffer } from '../send-buffer.js';

/**
 * gqlcast's {@link Socket} over a `ws` WebSocket, for the compatibility entry's push path: it
 * sends, and tells the outbox when the socket's buffer fell back below `highWaterMark`, so a
 * client that does not read costs at most `queueLimit` notifications per subscription.
 */
export class CompatPushSocket implements Socket {
  readonly protocol = Subprotocol.TransportWs;
  readonly #ws: WebSocket;
  readonly #buffer: SendBuffer;

  constructor(ws: WebSocket, highWaterMark: number) {
    this.#ws = ws;
    this.#buffer = new SendBuffer(ws, highWaterMark);
  }

  get bufferedAmount(): number {
    return this.#buffer.bufferedAmount;
  }

  send(data: string | Buffer): void {
    this.#buffer.send(data);
  }

  drained(): Promise<void> | undefined {
    return this.#buffer.drained();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /** The socket closed: nobody waits for it any more. */
  closed(): void {
    this.#buffer.releaseAll();
  }
}
