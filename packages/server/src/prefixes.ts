/**
 * Notification prefixes (`{"id":"1","type":"next","payload":`), one string per
 * id and message type for the whole process. Most clients number their
 * operations ("1", "2", … in Apollo and urql), so ten thousand connections
 * share a handful of prefixes instead of holding one each; a shared execution
 * then also finds equal prefixes by identity.
 *
 * Only short ids are kept, and at most `limit` of them: an id is chosen by the
 * client, and a process-wide cache must not let one client pin memory (long
 * ids) or crowd out everyone's numbered ids (graphql-ws's UUIDs). Any other
 * prefix is built per subscription, and freed with it.
 */
export class PrefixCache {
  readonly #type: string;
  readonly #limit: number;
  readonly #longestId: number;
  readonly #byId = new Map<string, string>();

  constructor(type: 'next' | 'data', limit = 1024, longestId = 8) {
    this.#type = type;
    this.#limit = limit;
    this.#longestId = longestId;
  }

  /** How many prefixes are kept. */
  get size(): number {
    return this.#byId.size;
  }

  /** The start of a `type` message for `id`, up to its payload. */
  prefix(id: string): string {
    const short = id.length <= this.#longestId;
    const known = short ? this.#byId.get(id) : undefined;
    if (known !== undefined) return known;
    const built = `{"id":${JSON.stringify(id)},"type":"${this.#type}","payload":`;
    if (short && this.#byId.size < this.#limit) this.#byId.set(id, built);
    return built;
  }
}
