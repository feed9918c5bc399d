/**
 * Return `SKIP` from a `publish` function to send nothing to that one
 * subscriber for that one notification (not `null`, not an empty message).
 *
 * @remarks
 * Made with `Symbol.for`, so it is the same value even when two copies of
 * `@gqlcast/core` end up in one process.
 */
export const SKIP: unique symbol = Symbol.for('gqlcast.skip') as never;

/** The type of {@link SKIP}. */
export type Skip = typeof SKIP;

/** Tells whether a `publish` result asks to skip the notification. */
export function isSkip(value: unknown): value is Skip {
  return value === SKIP;
}
