import type { Socket } from './connection.js';
import { byteLength } from './send-buffer.js';

/**
 * A push subscription as the outbox sees it: whose frames may be dropped, up
 * to how many may wait, and where drops are counted.
 */
export interface OutboxSubscriber {
  readonly id: string;
  /** How many of its notifications may wait here; beyond, the oldest is dropped. */
  readonly queueLimit: number;
  /** Whether its confirmation was sent: until then its notifications wait (the confirmation comes first). */
  readonly confirmed: boolean;
  /** `count` of its notifications were dropped: counted and logged by its channel subscription. */
  recordDropped(count: number): void;
  /** One of its notifications was handed to the socket. */
  recordWritten(): void;
}

/** One message waiting to be written. */
interface Waiting {
  readonly data: string | Buffer;
  /** The subscriber of a notification (it may be dropped); `undefined`: a protocol message (never dropped). */
  readonly subscriber: OutboxSubscriber | undefined;
  dropped: boolean;
  /** Whether it is in the queue or held back (a notification waiting for its confirmation is in neither). */
  placed: boolean;
}

/** Dropped entries still taking a slot in the queue or the held list before these are rebuilt without them. */
const compactAfter = 256;

/** The notifications of one subscriber that wait, oldest first, for its bound. */
interface SubscriberBacklog {
  /** Oldest first; a slot is `undefined` once its entry was written or dropped. */
  readonly entries: (Waiting | undefined)[];
  head: number;
  /** How many entries still wait. */
  live: number;
  /** Whether its entries were placed in the connection's order (its confirmation was sent). */
  open: boolean;
}

/**
 * Everything a connection sends, on its way to the socket, and the one place
 * that decides what happens when the socket cannot take it (the slow-consumer
 * policy). Push and pull paths, notifications, query answers, pongs: all pass
 * here.
 *
 * - **Order.** One queue per connection. A message waits when something it
 *   must follow waits: a notification behind queued ones; a protocol message
 *   behind its own operation's notifications (so `complete` comes last) and
 *   behind messages held by strict ordering. Messages without an id (pong,
 *   keep-alive, ack) never wait.
 * - **Strict ordering.** With `strictOrdering` the connection handles one client
 *   message at a time and holds the outbox for it: that message's own answers
 *   go out at once; what other operations produce meanwhile (a notification its
 *   mutation broadcast, the `complete` of a subscription it ended) waits here
 *   and follows, so the output keeps the order of the client messages that
 *   caused it (as the Python library delivers it).
 * - **Bound in frames.** While the socket holds more than `sendHighWaterMark`
 *   unsent bytes (or the outbox is held), notifications wait here, at most
 *   `queueLimit` per subscriber; beyond, its oldest is dropped and counted.
 * - **Bound in bytes.** What waits here plus what the socket buffers stays
 *   within `maxSendBuffer`: a notification that would pass it drops the oldest
 *   waiting notifications first; a message that may not be dropped and still
 *   does not fit (the peer stopped reading, whatever filled it) terminates the
 *   connection.
 * - **One drain wait.** At most one wait on the socket's drain per connection;
 *   no polling timer.
 */
export class Outbox {
  readonly #socket: Socket;
  readonly #maxBuffered: number;
  /** Called once when the byte cap is passed: the connection terminates the socket. */
  #onOverflow: (() => void) | undefined;
  #closed = false;
  #holding = false;
  /** While holding: the operation whose protocol messages pass (`undefined`: only messages without an id). */
  #passes: string | undefined;
  /** What strict ordering holds back while a client message is handled; joins the queue at `release`. */
  #held: Waiting[] | undefined;
  /** Messages waiting for the socket, in the order they go out (made on first use, dropped when empty). */
  #queue: (Waiting | undefined)[] | undefined;
  #head = 0;
  /** Bytes of every message waiting here (queued, held, or waiting for its subscriber's confirmation). */
  #waitingBytes = 0;
  /** Protocol messages in the queue: while there are any, later ones with an id queue behind them. */
  #queuedProtocol = 0;
  /** Dropped notifications still taking a slot in the queue or the held list (see `#compactQueues`). */
  #droppedPlaced = 0;
  /** Subscribers with notifications waiting, by operation id (made on first use). */
  #backlogs: Map<string, SubscriberBacklog> | undefined;
  #waitingForDrain = false;
  /** Who waits until nothing waits here (the pull path, after each result; made on first use). */
  #waiters: (() => void)[] | undefined;

  constructor(socket: Socket, maxBuffered: number, onOverflow: () => void) {
    this.#socket = socket;
    this.#maxBuffered = maxBuffered;
    this.#onOverflow = onOverflow;
  }

  /** Bytes waiting to be written: here, and in the socket's own buffer. */
  get waitingBytes(): number {
    return this.#waitingBytes + (this.#socket.bufferedAmount ?? 0);
  }

  /** Sends one serialized protocol message of operation `id` (`undefined`: a connection-level message). Never dropped. */
  send(id: string | undefined, data: string | Buffer): void {
    if (this.#closed) return;
    if (id === undefined) {
      this.#write(data);
      return;
    }
    const entry: Waiting = { data, subscriber: undefined, dropped: false, placed: false };
    if (this.#holding && id !== this.#passes) this.#holdBack(entry);
    else if (this.#queuedProtocol > 0 || this.#hasQueuedNotifications(id)) this.#enqueue(entry);
    else {
      this.#write(data);
      return;
    }
    this.#waitingBytes += byteLength(data);
    // Not droppable: past the byte cap the peer is cut off.
    if (this.#bytesOver()) this.#overflow();
  }

  /** One notification frame of a push subscriber: written now, or waiting within the subscriber's bound. */
  notify(subscriber: OutboxSubscriber, frame: Buffer): void {
    if (this.#closed) return;
    const backlog = this.#backlogs?.get(subscriber.id);
    // The hot path: nothing waits and the socket takes it.
    if (backlog === undefined && subscriber.confirmed && !this.#holding && this.#queue === undefined) {
      const drained = this.#socket.drained();
      if (drained === undefined) {
        this.#write(frame);
        subscriber.recordWritten();
        return;
      }
      this.#waitForDrain(drained);
    }
    this.#wait(subscriber, frame, backlog);
  }

  /** The subscriber's confirmation was sent: its notifications that waited for it follow now. */
  confirmed(subscriber: OutboxSubscriber): void {
    const backlog = this.#backlogs?.get(subscriber.id);
    if (backlog === undefined || backlog.open) return;
    backlog.open = true;
    for (let index = backlog.head; index < backlog.entries.length; index++) {
      const entry = backlog.entries[index];
      if (entry !== undefined) this.#place(entry);
    }
    this.#flush();
  }

  /** The subscriber left (completed, disconnected): its waiting notifications are not sent. */
  discard(subscriber: OutboxSubscriber): void {
    const backlog = this.#backlogs?.get(subscriber.id);
    if (backlog === undefined) return;
    for (let index = backlog.head; index < backlog.entries.length; index++) {
      const entry = backlog.entries[index];
      if (entry === undefined) continue;
      entry.dropped = true;
      if (entry.placed) this.#droppedPlaced++;
      this.#waitingBytes -= entry.data.length;
    }
    this.#backlogs?.delete(subscriber.id);
    this.#compactQueues();
  }

  /** Resolves when nothing waits here and the socket is below its mark; `undefined` when that is now. */
  drained(): Promise<void> | undefined {
    if (!this.#holding && this.#queue === undefined) return this.#socket.drained();
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  /** Holds back every operation's messages but `passes`'s protocol messages, until `release`. */
  hold(passes: string | undefined): void {
    this.#holding = true;
    this.#passes = passes;
  }

  /** What was held back follows, in order (as far as the socket takes it). */
  release(): void {
    this.#holding = false;
    this.#passes = undefined;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) {
      for (const entry of held) {
        if (entry.dropped) this.#droppedPlaced--;
        else this.#enqueue(entry);
      }
    }
    this.#flush();
  }

  /** The connection closed: nothing more is sent, and who waits is woken. */
  close(): void {
    this.#closed = true;
    this.#queue = undefined;
    this.#held = undefined;
    this.#backlogs = undefined;
    this.#waitingBytes = 0;
    this.#droppedPlaced = 0;
    this.#wake();
  }

  /** Whether notifications of `id` wait in the queue (not those still waiting for its confirmation). */
  #hasQueuedNotifications(id: string): boolean {
    const backlog = this.#backlogs?.get(id);
    return backlog?.open === true && backlog.live > 0;
  }

  /** A notification waits: within its subscriber's bound (oldest dropped) and the connection's byte budget. */
  #wait(subscriber: OutboxSubscriber, frame: Buffer, known: SubscriberBacklog | undefined): void {
    const backlog = known ?? { entries: [], head: 0, live: 0, open: subscriber.confirmed };
    if (backlog.live >= subscriber.queueLimit) {
      // Drop the oldest: a subscriber that is behind cares most about what is newest.
      const oldest = backlog.entries[backlog.head] as Waiting;
      this.#drop(oldest);
      this.#forget(oldest);
    }
    const entry: Waiting = { data: frame, subscriber, dropped: false, placed: false };
    backlog.entries.push(entry);
    backlog.live++;
    // (Re)registered: a backlog emptied by the drop above was forgotten.
    this.#backlogs ??= new Map();
    this.#backlogs.set(subscriber.id, backlog);
    this.#waitingBytes += frame.length;
    if (backlog.open) this.#place(entry);
    this.#keepBudget();
    this.#compactQueues();
    if (this.#backlogs?.get(subscriber.id) === undefined) return;
    this.#compact(backlog);
    if (backlog.open) this.#flush();
  }

  /** Over the byte budget: the oldest waiting notifications of the connection are dropped first. */
  #keepBudget(): void {
    if (!this.#bytesOver()) return;
    for (const list of [this.#queue, this.#held]) {
      if (list === undefined) continue;
      for (let index = list === this.#queue ? this.#head : 0; index < list.length && this.#bytesOver(); index++) {
        const oldest = list[index];
        if (oldest?.subscriber === undefined || oldest.dropped) continue;
        this.#drop(oldest);
        this.#forget(oldest);
      }
    }
  }

  /** An entry takes its place in the connection's order: held back by strict ordering, or queued. */
  #place(entry: Waiting): void {
    if (this.#holding) this.#holdBack(entry);
    else this.#enqueue(entry);
  }

  #holdBack(entry: Waiting): void {
    entry.placed = true;
    this.#held ??= [];
    this.#held.push(entry);
  }

  #enqueue(entry: Waiting): void {
    entry.placed = true;
    this.#queue ??= [];
    this.#queue.push(entry);
    if (entry.subscriber === undefined) this.#queuedProtocol++;
  }

  #drop(entry: Waiting): void {
    entry.dropped = true;
    if (entry.placed) this.#droppedPlaced++;
    this.#waitingBytes -= entry.data.length;
    // Counted and logged by the subscriber's channel subscription, as the pull path's drops are.
    entry.subscriber?.recordDropped(1);
  }

  /** A notification no longer waits (written or dropped): its subscriber's backlog moves past it. */
  #forget(entry: Waiting): void {
    const subscriber = entry.subscriber;
    if (subscriber === undefined) return;
    const backlog = this.#backlogs?.get(subscriber.id);
    if (backlog === undefined) return;
    // Entries leave in order, except those the byte budget dropped: found from the head.
    for (let index = backlog.head; index < backlog.entries.length; index++) {
      if (backlog.entries[index] !== entry) continue;
      backlog.entries[index] = undefined;
      backlog.live--;
      break;
    }
    while (backlog.head < backlog.entries.length && backlog.entries[backlog.head] === undefined) backlog.head++;
    if (backlog.live === 0) this.#backlogs?.delete(subscriber.id);
  }

  /** Writes what waits, in order, while the socket takes it; then wakes who waited. */
  #flush(): void {
    // Held, closed, or a drain wait pending (the socket is above its mark: it will flush then).
    if (this.#holding || this.#closed || this.#waitingForDrain) return;
    const queue = this.#queue;
    if (queue !== undefined) {
      while (this.#head < queue.length) {
        const entry = queue[this.#head] as Waiting;
        if (entry.dropped) {
          queue[this.#head++] = undefined;
          this.#droppedPlaced--;
          continue;
        }
        const drained = this.#socket.drained();
        if (drained !== undefined) {
          this.#waitForDrain(drained);
          return;
        }
        queue[this.#head++] = undefined;
        if (entry.subscriber === undefined) {
          this.#queuedProtocol--;
          this.#waitingBytes -= byteLength(entry.data);
        } else {
          this.#waitingBytes -= entry.data.length;
          this.#forget(entry);
        }
        this.#write(entry.data);
        entry.subscriber?.recordWritten();
        if (this.#closed) return;
      }
      this.#queue = undefined;
      this.#head = 0;
    }
    this.#wake();
  }

  /** The one drain wait of this connection. */
  #waitForDrain(drained: Promise<void>): void {
    if (this.#waitingForDrain) return;
    this.#waitingForDrain = true;
    void drained.then(() => {
      this.#waitingForDrain = false;
      this.#flush();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }

  #bytesOver(): boolean {
    return (this.#socket.bufferedAmount ?? 0) + this.#waitingBytes > this.#maxBuffered;
  }

  /**
   * Every written message passes here, whatever it is (a notification, a query's answer, a pong): a
   * peer that stops reading cannot make the server buffer more than `maxSendBuffer` (plus one message).
   */
  #write(data: string | Buffer): void {
    if ((this.#socket.bufferedAmount ?? 0) > this.#maxBuffered) {
      this.#overflow();
      return;
    }
    this.#socket.send(data);
  }

  #overflow(): void {
    const overflow = this.#onOverflow;
    this.#onOverflow = undefined;
    this.close();
    overflow?.();
  }

  /**
   * A socket that stopped reading never flushes: its dropped notifications would keep their slots
   * (and their bytes) in the queue for ever. Past a few hundred, both lists are rebuilt without them.
   */
  #compactQueues(): void {
    if (this.#droppedPlaced < compactAfter) return;
    const queue = this.#queue;
    if (queue !== undefined) {
      const live = queue.slice(this.#head).filter((entry) => entry !== undefined && !entry.dropped);
      this.#queue = live.length === 0 ? undefined : live;
      this.#head = 0;
    }
    if (this.#held !== undefined) this.#held = this.#held.filter((entry) => !entry.dropped);
    this.#droppedPlaced = 0;
    // Nothing left to write: who waits for that may go on.
    if (this.#queue === undefined && !this.#holding) this.#wake();
  }

  /** Keeps a backlog's array from growing without bound while its head advances. */
  #compact(backlog: SubscriberBacklog): void {
    if (backlog.head < 1024 || backlog.head * 2 < backlog.entries.length) return;
    backlog.entries.splice(0, backlog.head);
    backlog.head = 0;
  }
}
