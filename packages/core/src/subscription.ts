import type { Logger } from './logger.js';
import { type CursorPosition, encodeCursor, ResumeSeam } from './resume-seam.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * Why a subscription ended:
 * - `return`: its consumer stopped (`return()` or `break` out of `for await`).
 * - `abort`: the `signal` given to `subscribe` was aborted.
 * - `unsubscribe`: `channel.unsubscribe()` stopped its group, in any process.
 * - `shutdown`: the hub was closed.
 * - `error`: the layer could not subscribe one of its topics; `next()` rejects with the cause.
 */
export type EndReason = 'return' | 'abort' | 'unsubscribe' | 'shutdown' | 'error';

/**
 * The live subscription returned by `channel.subscribe`: an async iterator of
 * the channel's parsed payloads, in broadcast order.
 */
export interface ChannelSubscription<T> extends AsyncIterableIterator<T, undefined, undefined> {
  /** The channel's name. */
  readonly channel: string;
  /** The distinct groups joined, besides the channel-wide topic every subscription gets. */
  readonly groups: readonly string[];
  /**
   * Resolves once every group (and the channel-wide topic) is subscribed in the
   * layer: a broadcast issued after that is delivered. Rejects if the layer
   * refused; the iterator then rejects with the same error.
   */
  readonly ready: Promise<void>;
  /** Resolves with the reason as soon as the subscription ends, whatever ended it. */
  readonly ended: Promise<EndReason>;
  /** Why it ended, once it has. */
  readonly endReason: EndReason | undefined;
  /** How many notifications the bounded queue dropped (oldest first) because the consumer was behind. */
  readonly dropped: number;
  /** The bound of its queue: the subscription's `queueLimit`, or else the hub's. */
  readonly queueLimit: number;
  /**
   * With push delivery (`onNotification`), the stage after it may still have to
   * drop notifications for a slow consumer (the gqlcast server does, per socket):
   * it reports them here, so they count in `dropped` and in the hub's `stats()`,
   * and are logged as the queue's own drops are (warn; for a limit of 1, warn once, then debug).
   */
  recordDropped(count: number): void;
  /** Notifications waiting to be consumed. */
  readonly pending: number;
  /**
   * On a channel with `retain`: where the subscription stands in its groups' histories,
   * as an opaque cursor (`channel.subscribe`'s `resumeFrom` takes it back, decoded).
   * Read inside `onNotification` it covers the notification being handed over.
   * `undefined` on other channels, or before anything is known.
   */
  cursor(): string | undefined;
  /**
   * After a resume (`resumeFrom`) that could not be honoured exactly, set before the
   * first replayed notification: `{ missed: n }` when countable, `{}` otherwise.
   */
  readonly resumeGap: ResumeGap | undefined;
  /** Ends the subscription at once; pending notifications are discarded. */
  return(): Promise<IteratorResult<T, undefined>>;
}

/** What a subscription needs from its hub. */
export interface SubscriptionHost {
  readonly logger: Logger;
  /** Unregisters the subscription from every topic; called exactly once, when it ends. */
  detach(subscription: Subscription<unknown>): void;
  /** Counts drops hub-wide, for `hub.stats()`. */
  countDropped(count: number): void;
}

/**
 * Receives each notification synchronously, in broadcast order, on a push-mode
 * subscription (`onNotification` in `channel.subscribe` options). On a channel
 * with `retain`, `id` is the notification's event id in its group's history
 * (the resume seam uses it); otherwise it is `undefined`.
 */
export type NotificationListener<T> = (payload: T, group: string | undefined, id?: string) => void;

/** What a resume could not honour: how many notifications were lost, when the layer can count them. */
export interface ResumeGap {
  readonly missed?: number | undefined;
}

const channelWide = '(channel-wide)';
const doneResult: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
/** The `ready` of a subscription that waits for nothing: one promise for all of them. */
const alreadyReady = Promise.resolve();

/** A pending `next()` of a pull subscription. */
interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

/** @internal The implementation behind {@link ChannelSubscription}. */
export class Subscription<T> implements ChannelSubscription<T> {
  readonly channel: string;
  readonly groups: readonly string[];
  ready: Promise<void> = alreadyReady;
  readonly ended: Promise<EndReason>;
  endReason: EndReason | undefined;
  dropped = 0;
  /** The hub's unsubscribe sequence number when this subscription started. */
  startedAfter = 0;
  resumeGap: ResumeGap | undefined;
  /**
   * On a retaining channel: the last event id per group (`''`: channel-wide), which
   * also drops a notification already delivered (the resume seam), and holds live
   * ones back while a resume replays the history.
   */
  #seam: ResumeSeam<T> | undefined;

  readonly #host: SubscriptionHost;
  readonly #limit: number;
  /** Push delivery: each notification goes straight here instead of into the queue. */
  readonly #onNotification: NotificationListener<T> | undefined;
  // A subscriber may live for hours and a server holds tens of thousands: the queue, the waiting
  // `next()` calls and the drop report are made on first use (a push subscription never queues).
  #buffer: RingBuffer<T, string | undefined> | undefined;
  #waiters: Waiter<T>[] | undefined;
  /** open: receiving; draining: ended, pending items still readable; done: nothing more. */
  #state: 'open' | 'draining' | 'done' = 'open';
  #error: unknown;
  #hasError = false;
  #resolveEnded!: (reason: EndReason) => void;
  #unwarnedDrops = 0;
  #unwarnedGroups: Set<string> | undefined;
  #warnedOnce = false;

  constructor(
    host: SubscriptionHost,
    channel: string,
    groups: readonly string[],
    limit: number,
    onNotification?: NotificationListener<T>,
  ) {
    this.#host = host;
    this.#onNotification = onNotification;
    this.channel = channel;
    this.groups = groups;
    this.#limit = limit;
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  get pending(): number {
    return this.#buffer?.size ?? 0;
  }

  get queueLimit(): number {
    return this.#limit;
  }

  recordDropped(count: number): void {
    // Counted and logged exactly as the queue's own drops: one policy, wherever the drop happened.
    for (let i = 0; i < count; i++) this.#noteDropped(undefined);
  }

  /**
   * Tracks event ids (a channel with `retain`). Live notifications wait until the seam
   * opens: once every group's starting point is known, after a resume's replay (resume.ts).
   */
  trackHistory(from: CursorPosition): ResumeSeam<T> {
    const seam = new ResumeSeam<T>(from, (item) => this.#accept(item.payload, item.group || undefined, item.id));
    this.#seam = seam;
    return seam;
  }

  cursor(): string | undefined {
    const position = this.#seam?.position;
    return position === undefined || position.size === 0 ? undefined : encodeCursor(position);
  }

  /** One notification from the layer. */
  push(value: T, group: string | undefined, id?: string): void {
    if (this.#state !== 'open') return;
    const seam = this.#seam;
    // Through the seam: held while a resume replays, and dropped when already delivered.
    if (seam !== undefined && id !== undefined) seam.live({ group: group ?? '', id, payload: value });
    else this.#accept(value, group, id);
  }

  /** Hands one notification over (push) or queues it; the queue drops the oldest when full. */
  #accept(value: T, group: string | undefined, id: string | undefined): void {
    if (this.#state !== 'open') return;
    if (this.#onNotification !== undefined) {
      // A listener's failure is its own: the fan-out to the other subscribers goes on.
      try {
        this.#onNotification(value, group, id);
      } catch (error) {
        this.#host.logger.error(`A notification listener of channel "${this.channel}" threw.`, {
          channel: this.channel,
          group,
          error,
        });
      }
      return;
    }
    const waiter = this.#waiters?.shift();
    if (waiter !== undefined) {
      waiter.resolve({ done: false, value });
      return;
    }
    this.#buffer ??= new RingBuffer();
    if (this.#buffer.size >= this.#limit) this.#dropOldest(this.#buffer);
    this.#buffer.push(value, group);
  }

  /** Ends the subscription. With `drain`, what is queued is still delivered first. */
  end(reason: EndReason, drain: boolean): void {
    if (this.#state !== 'open') return;
    this.endReason = reason;
    this.#state = drain && this.pending > 0 ? 'draining' : 'done';
    if (this.#state === 'done') this.#buffer = undefined;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const waiter of waiters) waiter.resolve(doneResult);
    this.#host.detach(this as Subscription<unknown>);
    this.#resolveEnded(reason);
  }

  /** Ends the subscription with an error that the next `next()` rejects with. */
  fail(error: unknown): void {
    if (this.#state !== 'open') return;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined && waiters.length > 0) for (const waiter of waiters) waiter.reject(error);
    else {
      this.#error = error;
      this.#hasError = true;
    }
    this.end('error', false);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const buffer = this.#buffer;
    if (buffer !== undefined && buffer.size > 0) {
      const value = buffer.shift();
      if (this.#state === 'draining' && buffer.size === 0) this.#state = 'done';
      return Promise.resolve({ done: false, value });
    }
    if (this.#hasError) {
      this.#hasError = false;
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#state !== 'open') return Promise.resolve(doneResult);
    this.#waiters ??= [];
    const waiters = this.#waiters;
    return new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
    });
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.end('return', false);
    this.#state = 'done';
    this.#buffer = undefined;
    // Once returned, the iterator only says "done", even if a layer error was never read.
    this.#hasError = false;
    this.#error = undefined;
    return Promise.resolve(doneResult);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #dropOldest(buffer: RingBuffer<T, string | undefined>): void {
    const group = buffer.peekTag();
    buffer.shift();
    this.#noteDropped(group);
  }

  #noteDropped(group: string | undefined): void {
    this.dropped++;
    this.#host.countDropped(1);
    this.#unwarnedGroups ??= new Set();
    this.#unwarnedGroups.add(group ?? channelWide);
    // Coalesce a burst of drops into one log line instead of one per notification.
    if (this.#unwarnedDrops++ === 0) setImmediate(() => this.#reportDrops());
  }

  #reportDrops(): void {
    const count = this.#unwarnedDrops;
    const groups = [...(this.#unwarnedGroups ?? [])];
    this.#unwarnedDrops = 0;
    this.#unwarnedGroups = undefined;
    const details = {
      channel: this.channel,
      groups,
      dropped: count,
      totalDropped: this.dropped,
      queueLimit: this.#limit,
    };
    const message =
      `Subscriber of channel "${this.channel}" (${groups.join(', ')}) is behind: dropped ${count} oldest ` +
      `notification(s) (queue limit ${this.#limit}, ${this.dropped} in all).`;
    // A limit of 1 means "only the latest matters": dropping is the intent, so after
    // saying it once, further drops go to debug (they stay counted in `dropped`).
    if (this.#limit === 1 && this.#warnedOnce) this.#host.logger.debug(message, details);
    else this.#host.logger.warn(message, details);
    this.#warnedOnce = true;
  }
}
