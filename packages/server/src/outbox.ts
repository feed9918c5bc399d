import type { Socket } from './connection.js';

/**
 * What a connection sends, on its way to the socket. With `strictOrdering` the
 * connection handles one client message at a time and holds the outbox for
 * it: that message's own answers (same operation id, or none) go out at once;
 * what other operations produce meanwhile — a notification its mutation
 * broadcast, the `complete` of a subscription it ended — waits here and follows
 * the answer, so a connection's output keeps the order of the client messages
 * that caused it (as the Python library delivers it). Push subscriptions see a
 * held outbox as "not drained": their frames wait in their own bounded backlog
 * (`queueLimit`, oldest dropped), so what waits here is at most one message per
 * operation.
 *
 * Every message is bounded here too: past `maxSendBuffer` unflushed bytes the
 * connection is terminated (see `#write`).
 */
export class Outbox {
  readonly #socket: Socket;
  readonly #maxBuffered: number;
  /** Called once when the socket's buffer passed the cap: the connection terminates it. */
  #onOverflow: (() => void) | undefined;
  #holding = false;
  /** While holding: the operation whose messages pass (`undefined`: only messages without an id). */
  #passes: string | undefined;
  /** Messages of other operations, in the order they were sent (made on first use). */
  #deferred: (string | Buffer)[] | undefined;
  /** Who waits for the hold to end (made on first use). */
  #waiters: (() => void)[] | undefined;

  constructor(socket: Socket, maxBuffered: number, onOverflow: () => void) {
    this.#socket = socket;
    this.#maxBuffered = maxBuffered;
    this.#onOverflow = onOverflow;
  }

  /** Sends one serialized message of operation `id` (`undefined`: a connection-level message). */
  send(id: string | undefined, data: string | Buffer): void {
    if (this.#holding && id !== undefined && id !== this.#passes) {
      this.#deferred ??= [];
      this.#deferred.push(data);
      return;
    }
    this.#write(data);
  }

  /**
   * Every message passes here, whatever it is (a notification, a query's answer, a pong): a peer
   * that stops reading cannot make the server buffer more than `maxSendBuffer` (plus one message).
   */
  #write(data: string | Buffer): void {
    if ((this.#socket.bufferedAmount ?? 0) > this.#maxBuffered) {
      const overflow = this.#onOverflow;
      this.#onOverflow = undefined;
      overflow?.();
      return;
    }
    this.#socket.send(data);
  }

  /** Resolves when more may be sent: the hold ended and the socket is below its mark; `undefined` when now. */
  drained(): Promise<void> | undefined {
    if (!this.#holding) return this.#socket.drained();
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  /** Holds back every operation's messages but `passes`'s, until `release`. */
  hold(passes: string | undefined): void {
    this.#holding = true;
    this.#passes = passes;
  }

  /** Sends what was held back, in order, then wakes who waited. */
  release(): void {
    this.#holding = false;
    this.#passes = undefined;
    const deferred = this.#deferred;
    this.#deferred = undefined;
    if (deferred !== undefined) for (const data of deferred) this.#write(data);
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }
}
