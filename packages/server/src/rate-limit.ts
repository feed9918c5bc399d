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
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether anything is left (a cost measured afterwards may then be charged with `spend`). */
  available(): boolean {
    this.#refill();
    return this.#tokens > 0;
  }

  /** Charges a cost known only afterwards (milliseconds spent): the bucket may go below zero, and refills from there. */
  spend(amount: number): void {
    this.#tokens -= amount;
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
  }
}
