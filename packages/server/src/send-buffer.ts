import type { WebSocket } from 'ws';

// Bytes are UTF-8 text (a serialized message): sent as a text frame. One object for every send.
const textFrame = { binary: false } as const;

/**
 * Sends on a `ws` WebSocket and tells when its buffer is back below `highWaterMark`: the
 * backpressure every gqlcast socket over `ws` uses (the server's, and the graphql-ws
 * compatibility entry's push path).
 *
 * With `batched`, a frame sent during a job (a broadcast's fan-out, a client message) is
 * written when the job ends, with every other frame of it, in the order they were sent (see
 * {@link flushWrites}). Every frame of such a socket must then pass here, and its close
 * frame after {@link flushWrites}, or a frame could overtake another.
 */
export class SendBuffer {
  readonly #ws: WebSocket;
  readonly #highWaterMark: number;
  readonly #batched: boolean;
  /** Bytes sent here but not yet written to `ws` (batched): they count as buffered. */
  #unwritten = 0;
  /** Who waits for the buffer to drain (made on first use). */
  #waiters: (() => void)[] | undefined;
  /** `#release` bound, as the completion callback of sends while the buffer is not empty (made on first use). */
  #releaser: (() => void) | undefined;

  constructor(ws: WebSocket, highWaterMark: number, batched = false) {
    this.#ws = ws;
    this.#highWaterMark = highWaterMark;
    this.#batched = batched;
  }

  /** Bytes not yet flushed to the network: waiting in the batch, and in `ws`'s buffer. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount + this.#unwritten;
  }

  send(data: string | Buffer): void {
    const ws = this.#ws;
    if (ws.readyState !== ws.OPEN) return;
    if (!this.#batched) {
      this.write(data);
      return;
    }
    this.#unwritten += byteLength(data);
    batch.push(this, data);
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flushWrites);
    }
  }

  /** Writes one frame to `ws` now (a batched frame: from {@link flushWrites}, in order). */
  write(data: string | Buffer): void {
    const ws = this.#ws;
    if (this.#batched) this.#unwritten -= byteLength(data);
    if (ws.readyState !== ws.OPEN) return;
    // A completion callback costs on every frame, so a frame gets one only when it may be what holds
    // the buffer over the mark: someone waits for the drain, the buffer already holds something, or
    // the frame alone is large. Then the last frame written over the mark always reports its flush
    // (frames flush in order), and the drain wait needs no polling timer. (A frame written into an
    // empty buffer that is small cannot take it over the mark; ws's own pings are tiny, and flush
    // behind a reporting frame.)
    const reports = this.#waiters !== undefined || ws.bufferedAmount > 0 || data.length * 3 > this.#highWaterMark;
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
    if (this.bufferedAmount <= this.#highWaterMark || ws.readyState !== ws.OPEN) return undefined;
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
    if (this.bufferedAmount > this.#highWaterMark && ws.readyState === ws.OPEN) return;
    this.releaseAll();
  }
}

/**
 * The frames of batched sockets not yet written: (socket, frame) pairs, in the order they were sent.
 *
 * Why batches: each write is a system call through the kernel's network stack, which evicts
 * from the CPU's caches the objects the next subscriber's notification needs (its
 * subscription, `publish`, execution, outbox). Computing every frame of a fan-out first and
 * writing them all afterwards measured 7.4 instead of 9.3 µs of server CPU per notification
 * with `share`, and 8.1 instead of 13.6 µs with automatic sharing (S1, 10,000 connections;
 * docs/performance.md). A frame waits only until the job that sent it ends.
 */
const batch: (SendBuffer | string | Buffer)[] = [];
let flushQueued = false;

/**
 * Writes every batched frame now, in order. Runs as a microtask after each job that sent one;
 * call it before anything written to a batched socket behind the batch's back (a close frame).
 */
export function flushWrites(): void {
  flushQueued = false;
  // Frames sent while flushing (none today: `write` does not call back synchronously) join the end.
  try {
    for (let index = 0; index < batch.length; index += 2) {
      (batch[index] as SendBuffer).write(batch[index + 1] as string | Buffer);
    }
  } finally {
    // `ws` does not throw on an open socket; were it to, a microtask's throw would take the process
    // down and leave the batch half written: the frames after it are dropped, not kept for ever.
    batch.length = 0;
  }
}

/** The bytes a frame takes on the wire, before framing. */
export function byteLength(data: string | Buffer): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
