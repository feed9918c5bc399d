/** The default number of notifications a subscriber may fall behind before the oldest is dropped. */
export const defaultQueueLimit = 1024;

/** Checks a queue limit option and returns it; misuse is a `TypeError` naming the option. */
export function checkQueueLimit(value: unknown, option: string): number {
  if (value === Number.POSITIVE_INFINITY || (typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    return value;
  }
  throw new TypeError(`${option} must be a whole number of at least 1 (or Infinity), got ${String(value)}.`);
}
