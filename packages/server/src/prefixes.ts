/**
 * Notification prefixes (`{"id":"1","type":"next","payload":`), one string per
 * id and message type for the whole process. Most clients number their
 * operations ("1", "2", … in Apollo and urql), so ten thousand connections
 * share a handful of prefixes instead of holding one each; a shared execution
 * then also finds equal prefixes by identity. Unique ids (graphql-ws's UUIDs)
 * are not kept: past `limit` entries, prefixes are built per subscription.
 */
export class PrefixCache {
  readonly #type: string;
  readonly #limit: number;
  readonly #byId = new Map<string, string>();

  constructor(type: 'next' | 'data', limit = 1024) {
    this.#type = type;
    this.#limit = limit;
  }

  /** The start of a `type` message for `id`, up to its payload. */
  prefix(id: string): string {
    const known = this.#byId.get(id);
    if (known !== undefined) return known;
    const built = `{"id":${JSON.stringify(id)},"type":"${this.#type}","payload":`;
    if (this.#byId.size < this.#limit) this.#byId.set(id, built);
    return built;
  }
}
