/**
 * A token bucket: `capacity` messages at once, refilled at `capacity` per
 * `interval` ms. Cheap enough to run on every frame.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  #tokens: number;
  #last: number;

  constructor(capacity: number, interval: number, now: () => number = performance.now.bind(performance)) {
    this.#capacity = capacity;
    this.#perMs = capacity / interval;
    this.#tokens = capacity;
    this.now = now;
    this.#last = now();
  }

  private readonly now: () => number;

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
