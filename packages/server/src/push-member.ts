import type { UnsubscribeReason } from '@gqlcast/core';
import type { PushSource } from '@gqlcast/core/push';
import type { NotificationFrame } from './frames.js';
import type { Outbox, OutboxSubscriber } from './outbox.js';
import type { SharedExecution } from './push-execution.js';
import type { NotificationTally } from './server-telemetry.js';

/** What became of one subscription's notifications (its span records them when it ends). */
export interface NotificationCounts {
  /** Written to its socket. */
  delivered: number;
  /** `publish` returned SKIP. */
  skipped: number;
  /** Dropped by a bound: its socket's outbox, or an async `publish` or execution falling behind. */
  dropped: number;
}

/** Who learns that a member's source ended by itself (the operation registry of its connection). */
export interface MemberHost {
  /** The source ended by itself: the operation is over (`complete` or `error` to the client). */
  ended(member: PushMember, reason: UnsubscribeReason, error: unknown): void;
}

/**
 * One subscription driven by push: its place in a shared execution, its
 * notification frame (the protocol's, for its id) and its connection's
 * outbox. It keeps no queue: what its socket cannot take yet waits in the
 * outbox, which bounds it (`queueLimit` frames, the connection's byte budget).
 */
export class PushMember implements OutboxSubscriber {
  /** The notification count of the source when this member joined: earlier ones are not its to get. */
  readonly since: number;
  /** Whether its confirmation was sent: until then the outbox keeps its notifications back. */
  confirmed = false;
  readonly #source: PushSource;
  readonly #execution: SharedExecution;
  readonly #outbox: Outbox;
  readonly #host: MemberHost;
  /** The source ended before the confirmation was sent: end right after it. */
  #endOnConfirm: { reason: UnsubscribeReason; error: unknown } | undefined;
  #left = false;
  /** This subscription's own counts. */
  readonly counts: NotificationCounts = { delivered: 0, skipped: 0, dropped: 0 };
  /** Its channel's counts on this server, when metrics are on. */
  readonly #tally: NotificationTally | undefined;

  constructor(
    readonly id: string,
    /** How the protocol frames this subscription's notifications. */
    readonly frame: NotificationFrame,
    source: PushSource,
    execution: SharedExecution,
    outbox: Outbox,
    host: MemberHost,
    tally?: NotificationTally,
  ) {
    this.since = source.position;
    this.#tally = tally;
    this.#source = source;
    this.#execution = execution;
    this.#outbox = outbox;
    this.#host = host;
    execution.add(this);
  }

  get queueLimit(): number {
    return this.#source.queueLimit;
  }

  recordDropped(count: number): void {
    this.count('dropped', count);
    this.#source.recordDropped(count);
  }

  recordWritten(): void {
    this.counts.delivered++;
    if (this.#tally !== undefined) this.#tally.delivered++;
  }

  /** Notifications that will not reach this subscription, and why. */
  count(outcome: 'skipped' | 'dropped', count = 1): void {
    this.counts[outcome] += count;
    if (this.#tally !== undefined) this.#tally[outcome] += count;
  }

  /** The server shuts down: resolves once its execution handed over what it holds (see `SharedExecution.settle`). */
  settle(): Promise<void> {
    return this.#execution.settle();
  }

  /** After the confirmation was sent: what arrived meanwhile follows it. */
  activate(): void {
    if (this.#left) return;
    this.confirmed = true;
    this.#outbox.confirmed(this);
    const ending = this.#endOnConfirm;
    if (ending !== undefined) this.#end(ending.reason, ending.error);
  }

  /** One notification's frame. */
  deliver(frame: Buffer): void {
    // Ending (its source ended, or its execution failed): nothing may follow the end.
    if (this.#left || this.#endOnConfirm !== undefined) return;
    this.#outbox.notify(this, frame);
  }

  /** The client completed, disconnected, or the server shuts down: leave at once, unsent frames are dropped. */
  leave(reason: UnsubscribeReason): void {
    if (this.#left) return;
    this.#left = true;
    this.#outbox.discard(this);
    this.#execution.remove(this);
    this.#source.end(reason);
  }

  /** The source ended by itself (`unsubscribe`, `shutdown`): what waits in the outbox is still written first. */
  sourceEnded(reason: UnsubscribeReason, error?: unknown): void {
    if (this.#left) return;
    // Not confirmed yet: its end, like its notifications, waits for the confirmation.
    if (!this.confirmed) this.#endOnConfirm = { reason, error };
    else this.#end(reason, error);
  }

  /** Its execution failed: this subscription ends with the error, after what it was already sent. */
  fail(error: unknown): void {
    this.sourceEnded('error', error);
  }

  #end(reason: UnsubscribeReason, error: unknown): void {
    this.#left = true;
    this.#execution.remove(this);
    // The `complete` (or error) it causes queues in the outbox behind this member's waiting frames.
    this.#host.ended(this, reason, error);
    this.#source.end(reason);
  }
}
