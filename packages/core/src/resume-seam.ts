import { compareEventIds } from './layer.js';

/**
 * The key of the channel-wide topic in a cursor. Groups are never empty, so it
 * cannot clash with one.
 */
export const channelWideKey = '';

/** Where a subscription stands in each of its groups' histories: group (or `''`) → last event id. */
export type CursorPosition = ReadonlyMap<string, string>;

/**
 * Encodes a position as an opaque cursor: base64url of a compact JSON array
 * `[group, id, group, id, …]`. Clients must not parse it (docs/resume-client.md).
 */
export function encodeCursor(position: CursorPosition): string {
  const flat: string[] = [];
  for (const [group, id] of position) flat.push(group, id);
  return Buffer.from(JSON.stringify(flat), 'utf8').toString('base64url');
}

/**
 * Reads a cursor back. `"0"` asks for the whole retained history (an empty
 * position with `all`). Returns `undefined` for anything that is not a cursor
 * this server wrote (the caller refuses it with `GQLCAST_RESUME_CURSOR_INVALID`).
 */
export function decodeCursor(cursor: unknown): { position: CursorPosition; all: boolean } | undefined {
  if (cursor === '0') return { position: new Map(), all: true };
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 65_536 || !/^[\w-]+$/.test(cursor)) {
    return undefined;
  }
  let flat: unknown;
  try {
    flat = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(flat) || flat.length % 2 !== 0) return undefined;
  const position = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) {
    const group: unknown = flat[i];
    const id: unknown = flat[i + 1];
    if (typeof group !== 'string' || typeof id !== 'string' || !/^\d{1,20}(-\d{1,20})?$/.test(id)) return undefined;
    position.set(group, id);
  }
  return { position, all: false };
}

/** One notification at the seam: its group key (`''` for channel-wide), its event id, its payload. */
export interface SeamItem<T> {
  readonly group: string;
  readonly id: string | undefined;
  readonly payload: T;
}

/**
 * Joins history and live delivery of one resuming subscription without a
 * duplicate or a gap: subscribe live first and hand live notifications to
 * {@link ResumeSeam.live} (they wait), read each group's history and hand it
 * to {@link ResumeSeam.replay}, then {@link ResumeSeam.open}: what waited is
 * delivered, minus what the history already delivered, and live goes through.
 * Ids at or before the last one delivered in a group are dropped throughout.
 */
export class ResumeSeam<T> {
  readonly #deliver: (item: SeamItem<T>) => void;
  readonly #last = new Map<string, string>();
  #waiting: SeamItem<T>[] | undefined = [];

  /** `from` is the position to resume after (from the cursor); `deliver` receives what passes. */
  constructor(from: CursorPosition, deliver: (item: SeamItem<T>) => void) {
    for (const [group, id] of from) this.#last.set(group, id);
    this.#deliver = deliver;
  }

  /** Where the subscription stands now: the last id delivered per group. */
  get position(): CursorPosition {
    return this.#last;
  }

  /** Whether {@link open} was called: live notifications go straight through. */
  get opened(): boolean {
    return this.#waiting === undefined;
  }

  /**
   * Where a group starts when nothing of it was delivered yet (a new subscriber's starting
   * point): later ids pass, this one and earlier ones do not. Ignored once the group has a position.
   */
  seed(group: string, id: string): void {
    if (!this.#last.has(group)) this.#last.set(group, id);
  }

  /** A live notification: held until {@link open}, then delivered unless already seen. */
  live(item: SeamItem<T>): void {
    if (this.#waiting !== undefined) this.#waiting.push(item);
    else this.#pass(item);
  }

  /** A group's retained history, oldest first. Call before {@link open}. */
  replay(items: readonly SeamItem<T>[]): void {
    for (const item of items) this.#pass(item);
  }

  /** Ends the replay: what waited goes out (without duplicates), and live flows from now on. */
  open(): void {
    const waiting = this.#waiting ?? [];
    this.#waiting = undefined;
    for (const item of waiting) this.#pass(item);
  }

  #pass(item: SeamItem<T>): void {
    if (item.id !== undefined) {
      const last = this.#last.get(item.group);
      if (last !== undefined && compareEventIds(item.id, last) <= 0) return;
      this.#last.set(item.group, item.id);
    }
    this.#deliver(item);
  }
}
