/**
 * A notification's whole frame for one subscription, around its serialized
 * result: `{"id":"1","type":"next","payload":` + result + `}`. Each protocol
 * module says how its frames look (its `NotificationFrames`); the push path
 * serializes a result once and only calls `build`.
 */
export class NotificationFrame {
  constructor(
    /** Everything before the payload; frames with equal heads are equal for equal payloads. */
    readonly head: string,
    /** Everything after the payload. */
    readonly tail: string,
  ) {}

  /** The frame of one notification: UTF-8 bytes, written as they are to every socket that gets it. */
  build(payload: string): Buffer {
    return Buffer.from(`${this.head}${payload}${this.tail}`);
  }
}

/**
 * The notification frames of one message type, one object per id for the
 * whole process. Most clients number their operations ("1", "2", … in Apollo
 * and urql), so ten thousand connections share a handful of frames instead of
 * holding one each; a shared execution then also finds equal frames by identity.
 *
 * Only short ids are kept, and at most `limit` of them: an id is chosen by the
 * client, and a process-wide cache must not let one client pin memory (long
 * ids) or crowd out everyone's numbered ids (graphql-ws's UUIDs). Any other
 * frame is built per subscription, and freed with it.
 */
export class NotificationFrames {
  readonly #head: (id: string) => string;
  readonly #tail: string;
  readonly #limit: number;
  readonly #longestId: number;
  readonly #byId = new Map<string, NotificationFrame>();

  constructor(head: (id: string) => string, tail: string, limit = 1024, longestId = 8) {
    this.#head = head;
    this.#tail = tail;
    this.#limit = limit;
    this.#longestId = longestId;
  }

  /** How many frames are kept. */
  get size(): number {
    return this.#byId.size;
  }

  /** The frame of a notification for `id`. */
  for(id: string): NotificationFrame {
    const short = id.length <= this.#longestId;
    const known = short ? this.#byId.get(id) : undefined;
    if (known !== undefined) return known;
    const built = new NotificationFrame(this.#head(id), this.#tail);
    if (short && this.#byId.size < this.#limit) this.#byId.set(id, built);
    return built;
  }
}
