import type { ChannelSubscription, EndReason } from '@gqlcast/core';
import { SKIP } from '@gqlcast/core';
import type { NotificationMark, OrderedSteps, PublishCall, PushResume, PushSink } from '@gqlcast/core/push';
import { OrderedRunner } from '@gqlcast/core/push';
import type { GraphQLResolveInfo } from 'graphql';
import { isPromiseLike, publishFailed, toUnsubscribeReason } from './hooks.js';
import type { FieldDefinition } from './stream.js';

type GroupsArg = Parameters<FieldDefinition['channel']['subscribe']>[0];

let nextSerial = 1;

/** Whom a feed runs `publish` for: the subscriber that opened it. */
export interface FeedOwner {
  readonly args: unknown;
  readonly context: unknown;
  readonly info: GraphQLResolveInfo;
  /** The server's middleware around `publish` (see `PushOffer.wrapPublish`). */
  readonly wrapPublish: ((publish: PublishCall) => PublishCall) | undefined;
}

/**
 * One push-mode channel subscription and one `publish` per notification,
 * delivered to every connected sink in arrival order.
 *
 * A shared feed (a field with `share`) serves every subscriber of its key, so
 * `publish` runs once per notification for all of them; a private feed serves
 * one subscriber. Either way nothing is queued here and no promise is created
 * per notification unless `publish` itself is async: then later notifications
 * wait their turn behind it, so order holds, at most `queueLimit` of them
 * (the oldest dropped, counted and logged as the pull path's queue does).
 */
/** One notification on its way through a feed's runner. */
interface FeedItem {
  readonly payload: unknown;
  readonly sequence: number;
  readonly mark: NotificationMark | undefined;
}

export class Feed implements OrderedSteps<FeedItem> {
  readonly key: string | undefined;
  /** Tells feeds of one key apart over time. */
  readonly serial = nextSerial++;
  /** Notifications received so far; each is numbered by this count. */
  position = 0;
  readonly #field: FieldDefinition;
  readonly #owner: FeedOwner;
  /** The field's `publish`, inside the server's middleware when it has any. */
  readonly #publish: PublishCall | undefined;
  readonly #sinks = new Set<PushSink>();
  /** The subscribers holding the feed open; the last one out closes it. */
  #holders = 0;
  #subscription: ChannelSubscription<unknown> | undefined;
  /** Runs `publish` in order; bounds what waits behind an async one. */
  readonly #runner = new OrderedRunner<FeedItem>(this);
  /** No new subscriber may join (the source ended, or everyone left). */
  #closed = false;
  /** Nothing more is delivered. */
  #ended = false;
  readonly #onClose: () => void;

  constructor(field: FieldDefinition, owner: FeedOwner, key: string | undefined, onClose: () => void) {
    this.#field = field;
    this.#owner = owner;
    const publish = field.publish as PublishCall | undefined;
    this.#publish = publish !== undefined && owner.wrapPublish !== undefined ? owner.wrapPublish(publish) : publish;
    this.key = key;
    this.#onClose = onClose;
  }

  /**
   * Whether the gap of a resume still has to ride on a notification: on the first one
   * emitted after the replay started (a skipped one passes it on).
   */
  #gapPending = false;
  /** Retaining channel, or a resume: notifications carry a mark (cursor, gap). */
  #marks = false;

  /** Subscribes the channel (from `resume` when given); throws synchronously like `channel.subscribe`. */
  open(groups: GroupsArg, resume?: PushResume): void {
    this.#marks = this.#field.channel.retain !== undefined || resume !== undefined;
    this.#gapPending = resume !== undefined && !resume.gapOnConfirmation;
    const subscription = this.#field.channel.subscribe(groups, {
      queueLimit: this.#field.queueLimit,
      onNotification: (payload) => this.#receive(payload),
      resumeFrom: resume?.from,
    });
    this.#subscription = subscription;
    void subscription.ended.then((reason) => this.#sourceEnded(reason));
  }

  /** Resolves once every group is subscribed in the layer. */
  get ready(): Promise<void> {
    return this.#subscription?.ready ?? Promise.resolve();
  }

  get queueLimit(): number {
    return this.#subscription?.queueLimit ?? Number.POSITIVE_INFINITY;
  }

  /** Where the channel subscription stands (retaining channels), for a confirmation to carry. */
  cursor(): string | undefined {
    return this.#subscription?.cursor();
  }

  /** The gap of a resume, once ready, when the server reports it on its confirmation. */
  get resumeGap() {
    return this.#subscription?.resumeGap;
  }

  /** Whether a new subscriber may join it. */
  get live(): boolean {
    return !this.#closed;
  }

  recordDropped(count: number): void {
    this.#subscription?.recordDropped(count);
  }

  hold(): void {
    this.#holders++;
  }

  /** One subscriber let go; the last one closes the channel subscription. */
  release(): void {
    if (--this.#holders > 0) return;
    this.#ended = true;
    this.#sinks.clear();
    this.#close();
    void this.#subscription?.return();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
  }

  connect(sink: PushSink): () => void {
    this.#sinks.add(sink);
    return () => {
      this.#sinks.delete(sink);
    };
  }

  /** For the runner: one notification's `publish`. */
  runStep(item: FeedItem): Promise<void> | undefined {
    return this.#run(item.payload, item.sequence, item.mark);
  }

  /** For the runner: how many notifications may wait behind an async `publish`. */
  get waitLimit(): number {
    return this.queueLimit;
  }

  /** For the runner: a notification dropped behind an async `publish`, counted as the queue's drops. */
  stepDropped(item: FeedItem): void {
    this.#subscription?.recordDropped(1);
    this.#notDelivered(item.sequence, 'dropped');
  }

  #receive(payload: unknown): void {
    // The cursor is taken now: it covers this notification, whatever `publish` does later.
    const mark = this.#marks ? { cursor: this.#subscription?.cursor() } : undefined;
    this.#runner.push({ payload, sequence: ++this.position, mark });
  }

  /** Runs `publish` on one notification; returns a promise only when `publish` is async. */
  #run(payload: unknown, sequence: number, mark: NotificationMark | undefined): Promise<void> | undefined {
    const publish = this.#publish;
    if (publish === undefined) {
      this.#emit(payload, sequence, mark);
      return undefined;
    }
    const { args, context, info } = this.#owner;
    let value: unknown;
    try {
      value = publish(payload, args, context, info);
    } catch (error) {
      // The error lands on this notification (its `resolve` rethrows it); the stream goes on.
      this.#emit(publishFailed(error), sequence, mark);
      return undefined;
    }
    if (!isPromiseLike(value)) {
      // SKIP sends nothing at all: the sinks only count it.
      if (value !== SKIP) this.#emit(value, sequence, mark);
      else this.#notDelivered(sequence, 'skipped');
      return undefined;
    }
    return Promise.resolve(value).then(
      (resolved) => {
        if (resolved !== SKIP) this.#emit(resolved, sequence, mark);
        else this.#notDelivered(sequence, 'skipped');
      },
      (error: unknown) => this.#emit(publishFailed(error), sequence, mark),
    );
  }

  #emit(value: unknown, sequence: number, mark: NotificationMark | undefined): void {
    if (this.#ended) return;
    if (this.#gapPending) {
      this.#gapPending = false;
      const gap = this.#subscription?.resumeGap;
      if (gap !== undefined) mark = { ...mark, gap };
    }
    for (const sink of this.#sinks) {
      try {
        sink.next(value, sequence, mark);
      } catch (error) {
        this.#field.logger.error(`A sink of Subscription.${this.#field.fieldName} failed on a notification.`, {
          field: this.#field.fieldName,
          error,
        });
      }
    }
  }

  #notDelivered(sequence: number, outcome: 'skipped' | 'dropped'): void {
    if (this.#ended) return;
    for (const sink of this.#sinks) sink.notDelivered?.(sequence, outcome);
  }

  /** The channel subscription ended on its own: tell the sinks, after what is still being published. */
  #sourceEnded(reason: EndReason): void {
    if (this.#ended) return;
    // Closed to newcomers at once: a subscriber arriving now gets a fresh channel subscription,
    // not the end of this one (what is still being published goes to the current sinks only).
    this.#close();
    const finish = () => {
      if (this.#ended) return;
      this.#ended = true;
      const unsubscribeReason = toUnsubscribeReason(reason);
      for (const sink of [...this.#sinks]) sink.end(unsubscribeReason);
      this.#sinks.clear();
    };
    this.#runner.whenIdle(finish);
  }
}
