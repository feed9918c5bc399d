import { Subprotocol } from '@gqlcast/core/protocol';
import type { WebSocket } from 'ws';
import type { Socket } from '../connection.js';

const textFrame = { binary: false } as const;

/**
 * gqlcast's {@link Socket} over a `ws` WebSocket, for the compatibility entry's push path: it
 * sends, and tells the outbox when the socket's buffer fell back below `highWaterMark`, so a
 * client that does not read costs at most `queueLimit` notifications per subscription.
 */
export class CompatPushSocket implements Socket {
  readonly protocol = Subprotocol.TransportWs;
  readonly #ws: WebSocket;
  readonly #highWaterMark: number;
  /** Who waits for the buffer to drain (made on first use). */
  #waiters: (() => void)[] | undefined;
  /** One completion callback for every send: it wakes the waiters once the buffer drained. */
  readonly #sent = () => this.#release();

  constructor(ws: WebSocket, highWaterMark: number) {
    this.#ws = ws;
    this.#highWaterMark = highWaterMark;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(data: string | Buffer): void {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return;
    ws.send(data, textFrame, this.#sent);
  }

  drained(): Promise<void> | undefined {
    const ws = this.#ws;
    if (ws.bufferedAmount <= this.#highWaterMark || ws.readyState !== ws.OPEN) return undefined;
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /** The socket closed: nobody waits for it any more. */
  closed(): void {
    this.#wake();
  }

  #release(): void {
    const ws = this.#ws;
    if (this.#waiters === undefined) return;
    if (ws.bufferedAmount > this.#highWaterMark && ws.readyState === ws.OPEN) return;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = undefined;
    for (const wake of waiters ?? []) wake();
  }
}
