import type { WebSocket } from 'ws';

// Bytes are UTF-8 text (a serialized message): sent as a text frame. One object for every send.
const textFrame = { binary: false } as const;

/**
 * Sends on a `ws` WebSocket and tells when its buffer is back below `highWaterMark`: the
 * backpressure every gqlcast socket over `ws` uses (the server's, and the graphql-ws
 * compatibility entry's push path).
 */
export class SendBuffer {
  readonly #ws: WebSocket;
  readonly #highWaterMark: number;
  /** Who waits for the buffer to drain (made on first use). */
  #waiters: (() => void)[] | undefined;
  /** `#release` bound, as the completion callback of sends while the buffer is not empty (made on first use). */
  #releaser: (() => void) | undefined;

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
    // A completion callback costs on every frame, so a frame gets one only when it may be what holds
    // the buffer over the mark: the buffer already holds something, or the frame alone is large. Then
    // the last frame written over the mark always reports its flush (frames flush in order), and the
    // drain wait needs no polling timer. (A frame sent into an empty buffer that is small cannot
    // take it over the mark; ws's own pings are tiny, and flush behind a reporting frame.)
    const reports = ws.bufferedAmount > 0 || data.length * 3 > this.#highWaterMark;
    if (!reports) {
      ws.send(data, textFrame);
      return;
    }
    this.#releaser ??= () => this.#release();
    ws.send(data, textFrame, this.#releaser);
  }

  /** Resolves when the buffer fell below the mark; `undefined` when it already is (or the socket is closing). */
  drained(): Promise<void> | undefined {
    const ws = this.#ws;
    if (ws.bufferedAmount <= this.#highWaterMark || ws.readyState !== ws.OPEN) return undefined;
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  /** The socket closed: nobody waits for a drain any more. */
  releaseAll(): void {
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  /** Resolves the waiters once the buffer is below the mark (or the socket is closing). */
  #release(): void {
    if (this.#waiters === undefined) return;
    const ws = this.#ws;
    if (ws.bufferedAmount > this.#highWaterMark && ws.readyState === ws.OPEN) return;
    this.releaseAll();
  }
}
