import type { LayerHistory } from './layer.js';
import type { RetainPolicy } from './retain.js';

interface Entry {
  readonly seq: number;
  readonly at: number;
  readonly message: Uint8Array;
}

/**
 * The retained messages of one topic in the memory layer: a queue bounded by
 * count and by age, with ids `1, 2, 3…` (decimal strings). Ids are never
 * reused, so a gap can be counted exactly.
 */
export class TopicHistory {
  private entries: Entry[] = [];
  // Index of the oldest live entry; trimmed entries are compacted away in bulk.
  private head = 0;
  private lastSeq = 0;

  /** The history of a topic that never retained anything: complete only for `"0"`. */
  static empty(afterId: string): LayerHistory {
    const after = parseSeq(afterId);
    // An id we never issued (another process's, a restart): unknown, so not complete.
    return after === 0 ? { events: [], complete: true } : { events: [], complete: false };
  }

  /** Stores `message` and returns its id. */
  append(message: Uint8Array, retain: RetainPolicy, at: number): string {
    this.lastSeq++;
    this.entries.push({ seq: this.lastSeq, at, message });
    this.trim(retain, at);
    return String(this.lastSeq);
  }

  /** The id of the last message appended (`"0"` before the first). */
  get lastId(): string {
    return String(this.lastSeq);
  }

  /** The retained messages after `afterId` (see `Layer.history`). */
  after(afterId: string, at: number): LayerHistory {
    this.trimAge(at);
    const after = parseSeq(afterId);
    const live = this.entries.slice(this.head);
    const firstSeq = live[0]?.seq ?? this.lastSeq + 1;
    const toEvent = (entry: Entry) => ({ id: String(entry.seq), message: entry.message });
    // An id this ring never issued (another layer's, or from before a restart): all it has, not complete.
    if (after === undefined || after > this.lastSeq) return { events: live.map(toEvent), complete: false };
    const events = live.filter((entry) => entry.seq > after).map(toEvent);
    // Everything from after+1 to firstSeq-1 was issued and then trimmed.
    const missed = Math.max(0, firstSeq - after - 1);
    return missed === 0 ? { events, complete: true } : { events, complete: false, missed };
  }

  private maxAgeMs: number | undefined;

  private trim(retain: RetainPolicy, at: number): void {
    this.maxAgeMs = retain.maxAgeMs;
    if (retain.count !== undefined) {
      const excess = this.entries.length - this.head - retain.count;
      if (excess > 0) this.head += excess;
    }
    this.trimAge(at);
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  private trimAge(at: number): void {
    if (this.maxAgeMs === undefined) return;
    const oldest = at - this.maxAgeMs;
    while (this.head < this.entries.length && (this.entries[this.head] as Entry).at < oldest) this.head++;
  }
}

/** A memory-layer id, or `undefined` when the string is not one (another layer's id). */
function parseSeq(id: string): number | undefined {
  if (!/^(0|[1-9]\d{0,15})$/.test(id)) return undefined;
  return Number(id);
}
