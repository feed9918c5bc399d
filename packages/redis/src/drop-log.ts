import type { Logger } from '@gqlcast/core';

/** Lines per window for dropped frames, whoever sent them. */
const burst = 10;
const windowMs = 60_000;
/** Publishers whose first drop was logged, remembered (least recently dropped forgotten first). */
const rememberedPublishers = 1_000;
/** How much of a client-chosen string (a group in a channel name) a log line shows. */
const maxShown = 120;

/**
 * Text chosen by someone else (a group name inside a Redis channel name),
 * made safe for a log line: quoted and escaped (no newline or control
 * character can start a forged line), and cut.
 */
export function shown(text: string): string {
  const cut = text.length > maxShown ? `${text.slice(0, maxShown)}…(${text.length} chars)` : text;
  return JSON.stringify(cut);
}

/**
 * Logs dropped Redis frames without letting whoever writes to Redis flood the
 * log: the first drop of each publisher id is logged, then its 10th, 100th,
 * 1,000th…; and at most {@link burst} lines a minute in all (forged frames may
 * carry a new publisher id each). What was not logged is counted in the next line.
 */
export class DropLog {
  readonly #logger: Logger;
  readonly #perPublisher = new Map<string, number>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #inWindow = 0;
  #suppressed = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** `publisher` is `undefined` for bytes that are not an envelope (no sender to tell apart). */
  dropped(message: string, details: Record<string, unknown>, publisher: string | undefined): void {
    if (publisher !== undefined) {
      const count = (this.#perPublisher.get(publisher) ?? 0) + 1;
      this.#perPublisher.delete(publisher);
      this.#perPublisher.set(publisher, count);
      if (this.#perPublisher.size > rememberedPublishers) {
        const oldest = this.#perPublisher.keys().next().value;
        if (oldest !== undefined) this.#perPublisher.delete(oldest);
      }
      if (!isPowerOfTen(count)) {
        this.#suppressed++;
        return;
      }
    }
    const now = performance.now();
    if (now - this.#windowStart >= windowMs) {
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    if (this.#inWindow >= burst) {
      this.#suppressed++;
      return;
    }
    this.#inWindow++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#logger.warn(suppressed === 0 ? message : `${message} (${suppressed} more dropped without a log line)`, {
      ...details,
      ...(suppressed === 0 ? {} : { suppressed }),
    });
  }
}

function isPowerOfTen(count: number): boolean {
  let n = count;
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}
