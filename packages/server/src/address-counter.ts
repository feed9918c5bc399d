import type { IncomingMessage } from 'node:http';

/**
 * Open connections per client address, for `maxConnectionsPerAddress`. Only
 * addresses with a connection open have an entry, so the map is bounded by
 * the number of open sockets.
 */
export class AddressCounter {
  readonly #max: number;
  readonly #addressOf: (request: IncomingMessage) => string | undefined;
  readonly #open = new Map<string, number>();

  constructor(max: number, addressOf: (request: IncomingMessage) => string | undefined) {
    this.#max = max;
    this.#addressOf = addressOf;
  }

  /**
   * Counts a new connection from the request's address: the address to give
   * back when it closes, `null` when that address is at its limit, or
   * `undefined` when no address is known (not counted).
   */
  take(request: IncomingMessage): string | null | undefined {
    const address = this.#addressOf(request);
    if (address === undefined || address === '') return undefined;
    const open = this.#open.get(address) ?? 0;
    if (open >= this.#max) return null;
    this.#open.set(address, open + 1);
    return address;
  }

  give(address: string): void {
    const open = (this.#open.get(address) ?? 1) - 1;
    if (open <= 0) this.#open.delete(address);
    else this.#open.set(address, open);
  }

  /** Connections open from `address` (for tests and metrics). */
  count(address: string): number {
    return this.#open.get(address) ?? 0;
  }
}
