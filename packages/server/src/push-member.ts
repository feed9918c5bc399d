import type { UnsubscribeReason } from '@gqlcast/core';
import type { PushSource } from '@gqlcast/core/push';
import type { SharedExecution } from './push-execution.js';

/** What a member needs from its connection and operation registry. */
export interface MemberHost {
  /** Writes one complete text frame of operation `id`. */
  write(id: string, frame: Buffer): void;
  /** Resolves when the socket can take more; `undefined` when it can now. */
  drained(): Promise<void> | undefined;
  /** The source ended by itself: the operation is over (`complete` or `error` to the client). */
  ended(member: PushMember, reason: UnsubscribeReason, error: unknown): void;
}

/**
 * One subscription driven by push: its place in a shared execution, its
 * message prefix (built once, at subscribe time), and the notifications its
 * socket could not take yet.
 *
 * Backpressure: while the socket holds more than `sendHighWaterMark` unsent
 * bytes, frames wait here, at most `queueLimit` of them; beyond that the
 * oldest is dropped, counted and logged, as the pull path's queue does.
 */
export class PushMember {
  /** The notification count of the source when this member joined: earlier ones are not its to get. */
  readonly since: number;
  dropped = 0;
  readonly #source: PushSource;
  readonly #execution: SharedExecution;
  readonly #host: MemberHost;
  /** Frames not written yet: before the confirmation, or while the socket is full (made on first use). */
  #backlog: Buffer[] | undefined;
  #backlogHead = 0;
  #active = false;
  #waitingForDrain = false;
  /** The source ended while frames were still waiting: end once they are written. */
  #endAfterBacklog: { reason: UnsubscribeReason; error: unknown } | undefined;
  #left = false;

  constructor(
    readonly id: string,
    /** The start of every message for this id, up to its payload: `{"id":"1","type":"next","payload":`. */
    readonly prefix: string,
    source: PushSource,
    execution: SharedExecution,
    host: MemberHost,
  ) {
    this.since = source.position;
    this.#source = source;
    this.#execution = execution;
    this.#host = host;
    execution.add(this);
  }

  /** After the confirmation was sent: writes what arrived meanwhile, then writes as notifications come. */
  activate(): void {
    this.#active = true;
    this.#flush();
  }

  /** One notification's frame. */
  deliver(frame: Buffer): void {
    // Ending (its source ended, or its execution failed): nothing may follow the end.
    if (this.#left || this.#endAfterBacklog !== undefined) return;
    if (!this.#active || this.#waiting()) {
      this.#enqueue(frame);
      return;
    }
    if (this.#host.drained() !== undefined) {
      this.#enqueue(frame);
      this.#waitForDrain();
      return;
    }
    this.#host.write(this.id, frame);
  }

  /** The client completed, disconnected, or the server shuts down: leave at once, unsent frames are dropped. */
  leave(reason: UnsubscribeReason): void {
    if (this.#left) return;
    this.#left = true;
    this.#backlog = undefined;
    this.#execution.remove(this);
    this.#source.end(reason);
  }

  /** The source ended by itself (`unsubscribe`, `shutdown`): what is queued is still written first. */
  sourceEnded(reason: UnsubscribeReason, error?: unknown): void {
    if (this.#left) return;
    // Not confirmed yet: its end, like its notifications, waits for the confirmation.
    if (!this.#active || this.#waiting()) this.#endAfterBacklog = { reason, error };
    else this.#end(reason, error);
  }

  /** Its execution failed: this subscription ends with the error, after what it was already sent. */
  fail(error: unknown): void {
    this.sourceEnded('error', error);
  }

  #end(reason: UnsubscribeReason, error: unknown): void {
    this.#left = true;
    this.#backlog = undefined;
    this.#execution.remove(this);
    this.#host.ended(this, reason, error);
    this.#source.end(reason);
  }

  /** Whether frames are waiting to be written. */
  #waiting(): boolean {
    return this.#backlog !== undefined && this.#backlogHead < this.#backlog.length;
  }

  #enqueue(frame: Buffer): void {
    const limit = this.#source.queueLimit;
    this.#backlog ??= [];
    if (this.#backlog.length - this.#backlogHead >= limit) {
      // Drop the oldest: a subscriber that is behind cares most about what is newest.
      this.#backlogHead++;
      this.dropped++;
      // Counted and logged by the source's channel subscription, as the pull path's drops are.
      this.#source.recordDropped(1);
    }
    this.#backlog.push(frame);
    this.#compact();
  }

  #waitForDrain(): void {
    if (this.#waitingForDrain) return;
    const drained = this.#host.drained();
    if (drained === undefined) {
      this.#flush();
      return;
    }
    this.#waitingForDrain = true;
    void drained.then(() => {
      this.#waitingForDrain = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#left || !this.#active) return;
    // Re-read on every pass: a write must not outlive a `leave`, nor walk an array since compacted.
    while (!this.#left && this.#backlog !== undefined && this.#backlogHead < this.#backlog.length) {
      if (this.#host.drained() !== undefined) {
        this.#compact();
        this.#waitForDrain();
        return;
      }
      const frame = this.#backlog[this.#backlogHead] as Buffer;
      this.#backlog[this.#backlogHead++] = undefined as unknown as Buffer;
      this.#host.write(this.id, frame);
    }
    if (this.#left) return;
    this.#backlog = undefined;
    this.#backlogHead = 0;
    const ending = this.#endAfterBacklog;
    if (ending !== undefined) this.#end(ending.reason, ending.error);
  }

  /** Keeps the backlog array from growing without bound while its head advances. */
  #compact(): void {
    if (this.#backlog === undefined || this.#backlogHead < 1024 || this.#backlogHead * 2 < this.#backlog.length) return;
    this.#backlog = this.#backlog.slice(this.#backlogHead);
    this.#backlogHead = 0;
  }
}
