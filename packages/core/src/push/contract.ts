import type { ResumePoint } from '../resume.js';
import type { UnsubscribeReason } from '../return-reason.js';
import type { ResumeGap } from '../subscription.js';

/**
 * The push protocol between a subscription field and the server that runs it.
 *
 * graphql-js pulls each subscriber's stream through a chain of promises and
 * executes the selection once per subscriber per event. The gqlcast server
 * instead passes a {@link PushOffer} as the subscription's root value; a field
 * that understands it (every `@gqlcast/pothos` field) hands back a
 * {@link PushSource}, and the server is then told each value synchronously, as
 * it arrives. Sources that declare the same {@link PushSource.shareKey} promise
 * equal values, so the server can execute and serialize once for all of them.
 *
 * A field that does not know the offer ignores it and returns a normal async
 * iterator; a server that does not make the offer gets one from gqlcast fields.
 * Both sides therefore stay usable with any GraphQL server or field.
 */
export const pushOfferKey: unique symbol = Symbol.for('gqlcast.pushOffer') as never;

/** The root value the gqlcast server passes to a subscription's source resolver. */
export interface PushOffer {
  readonly [pushOfferKey]: true;
  /**
   * Called by the field, at most once, as soon as its source exists (before
   * its groups are confirmed, so that nothing arriving meanwhile is lost). The
   * resolver then resolves once the source is ready, or rejects.
   */
  accept(source: PushSource): void;
  /**
   * Wraps a field's `publish` in the server's field middleware, so middleware
   * runs around each notification's `publish` as around its resolvers (the
   * Python library applied middleware to each notification's execution).
   * `undefined`: no middleware, `publish` runs as it is.
   */
  readonly wrapPublish?: ((publish: PublishCall) => PublishCall) | undefined;
  /**
   * The subscriber resumes (the `resumeFrom` of its subscribe message, decoded):
   * the field subscribes its channel from there, with a source of its own (a resume
   * replays history only this subscriber is owed). docs/resume.md.
   */
  readonly resume?: PushResume | undefined;
}

/** How a subscriber resumes: where from, and who reports a gap. */
export interface PushResume {
  readonly from: ResumePoint;
  /**
   * The server confirms the subscription and reports the gap on the confirmation
   * (`confirmSubscriptions`): the source leaves it off its notifications.
   */
  readonly gapOnConfirmation: boolean;
}

/**
 * What a notification of a retaining channel (or of a resume) carries besides its
 * value, for the server to put in the result's `extensions.gqlcast`.
 */
export interface NotificationMark {
  /** Where this notification sits in the channel's history (`ChannelSubscription.cursor()`). */
  readonly cursor?: string | undefined;
  /** On the first notification after a resume that could not be honoured exactly. */
  readonly gap?: ResumeGap | undefined;
}

/** A field's `publish` as the server's middleware sees it: `(payload, args, context, info)`. */
export type PublishCall = (payload: unknown, args: unknown, context: unknown, info: unknown) => unknown;

/** One subscriber's side of a push-driven stream. */
export interface PushSource {
  /**
   * Sources with the same key deliver the same values, event for event: the
   * same channel, groups, arguments and `publish`, which does not depend on
   * who subscribed (or only through the key). `undefined`: this subscriber's
   * values are its own.
   */
  readonly shareKey: string | undefined;
  /**
   * How many notifications the source has received so far. A sink connected
   * by another subscriber of the same key may still be working on earlier
   * ones; those are not this subscriber's to get.
   */
  readonly position: number;
  /** Bounds the notifications a slow socket may queue for this subscriber. */
  readonly queueLimit: number;
  /** The channel it delivers from, for telemetry (spans and metrics by channel). Optional: older sources lack it. */
  readonly channel?: string | undefined;
  /** The server dropped `count` notifications of this subscriber's (its socket was too slow): count them. */
  recordDropped(count: number): void;
  /**
   * Starts delivery to `sink` and returns the function that stops it. For a
   * shared key, one sink serves every subscriber of it.
   */
  connect(sink: PushSink): () => void;
  /** Ends this subscriber's source (its `unsubscribed` hook gets `reason`). Idempotent. */
  end(reason: UnsubscribeReason): void;
  /**
   * Once ready, on a retaining channel: where the subscription stands (its confirmation
   * may carry it, so a client that got nothing yet can still resume). Optional: older sources lack it.
   */
  cursor?(): string | undefined;
  /** Once ready, after a resume with `gapOnConfirmation`: the gap to report on the confirmation. */
  readonly resumeGap?: ResumeGap | undefined;
}

/** Where a {@link PushSource} delivers. */
export interface PushSink {
  /**
   * One value (after `publish`; skipped values never arrive), in order.
   * `sequence` numbers the notification it came from (see `position`); `mark`, on
   * retaining channels and resumes, what goes in the result's `extensions.gqlcast`.
   */
  next(value: unknown, sequence: number, mark?: NotificationMark): void;
  /** The source ended on its own (`unsubscribe`, `shutdown`, `error`); nothing follows. */
  end(reason: UnsubscribeReason, error?: unknown): void;
  /**
   * Notification `sequence` will never arrive: `publish` returned SKIP, or it was dropped
   * waiting behind an async `publish` (the source's bound). For counts only; optional.
   */
  notDelivered?(sequence: number, outcome: 'skipped' | 'dropped'): void;
}

/**
 * The root value the gqlcast server passes when it pulls a field's stream
 * instead (a root with fragments or directives): it carries the server's
 * middleware around `publish`, so one policy holds on both paths.
 */
export const pullRootKey: unique symbol = Symbol.for('gqlcast.pullRoot') as never;

export interface PullRoot {
  readonly [pullRootKey]: true;
  /** As {@link PushOffer.wrapPublish}. */
  readonly wrapPublish: (publish: PublishCall) => PublishCall;
}

/** The server's middleware around `publish`, from a subscription's root value (push offer or pull root). */
export function publishMiddlewareOf(root: unknown): ((publish: PublishCall) => PublishCall) | undefined {
  if (typeof root !== 'object' || root === null) return undefined;
  if ((root as Partial<PullRoot>)[pullRootKey] === true || isPushOffer(root)) {
    return (root as Partial<PullRoot>).wrapPublish;
  }
  return undefined;
}

/** Whether a subscription's root value is the gqlcast server's push offer. */
export function isPushOffer(root: unknown): root is PushOffer {
  return typeof root === 'object' && root !== null && (root as Partial<PushOffer>)[pushOfferKey] === true;
}

/**
 * What a push field carries in its GraphQL `extensions`, so a server knows the
 * field takes the {@link PushOffer} before it runs it. `@gqlcast/pothos` writes
 * it with {@link pushFieldExtensions}; the gqlcast server reads it with
 * {@link isPushField}. One definition for both sides, not a string read in two packages.
 */
export interface PushFieldExtensions {
  readonly gqlcast: {
    /** The field accepts the server's push offer. */
    readonly push: true;
    /** The channel the field subscribes to. */
    readonly channel: string;
    /** Whether subscribers may share one feed (`share`). */
    readonly shared: boolean;
    /**
     * The field's resolver as the plugin made it, when it reads nothing but the value `publish`
     * returned. A server may then share one execution between subscribers (automatic sharing)
     * as long as the field's `resolve` is still this very function (no plugin or middleware wrapped it).
     */
    readonly resolve?: ((value: unknown) => unknown) | undefined;
  };
}

/** The extensions a push field of `channel` carries (merge them into the field's own). */
export function pushFieldExtensions(
  channel: string,
  shared: boolean,
  resolve?: (value: unknown) => unknown,
): PushFieldExtensions {
  return { gqlcast: { push: true, channel, shared, resolve } };
}

/** Whether a field's `extensions` say it takes the push offer. */
export function isPushField(extensions: unknown): boolean {
  return (extensions as Partial<PushFieldExtensions> | null | undefined)?.gqlcast?.push === true;
}
