import { ErrorCode, GqlcastError } from './errors.js';

/**
 * How much of a channel's history each group keeps, so a subscriber can resume
 * after a reconnection without losing a notification (see docs/resume.md).
 * Give either bound or both; a broadcast is dropped from history once it is
 * beyond either.
 */
export interface RetainOptions {
  /** Keep at most this many broadcasts per group (a positive integer). */
  count?: number | undefined;
  /** Keep broadcasts for at most this many milliseconds (a positive integer). */
  maxAgeMs?: number | undefined;
}

/** A checked {@link RetainOptions}: at least one bound, each a positive safe integer. */
export interface RetainPolicy {
  readonly count?: number | undefined;
  readonly maxAgeMs?: number | undefined;
}

/**
 * Checks a channel's `retain` option; `undefined` means no retention (nothing
 * stored, nothing extra sent).
 *
 * @throws GqlcastError `GQLCAST_INVALID_RETAIN` naming the bad field.
 */
export function checkRetain(retain: unknown, channel: string): RetainPolicy | undefined {
  if (retain === undefined) return undefined;
  const where = `hub.channel("${channel}"): retain`;
  if (retain === null || typeof retain !== 'object') {
    throw new GqlcastError(
      ErrorCode.InvalidRetain,
      `${where} must be an object such as { count: 100, maxAgeMs: 60_000 }.`,
    );
  }
  const { count, maxAgeMs } = retain as RetainOptions;
  if (count === undefined && maxAgeMs === undefined) {
    throw new GqlcastError(
      ErrorCode.InvalidRetain,
      `${where} needs count, maxAgeMs or both; omit retain to keep no history.`,
    );
  }
  for (const [field, value] of [
    ['count', count],
    ['maxAgeMs', maxAgeMs],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new GqlcastError(
        ErrorCode.InvalidRetain,
        `${where}.${field} must be a positive integer, got ${String(value)}.`,
      );
    }
  }
  return { count, maxAgeMs };
}
