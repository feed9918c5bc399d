/**
 * A FIFO of (value, tag) pairs on a growable circular array: O(1) push and
 * shift without the per-item allocation or `Array#shift` copying of a plain array.
 */
export class RingBuffer<T, Tag> {
  #values: (T | undefined)[] = new Array(8);
  #tags: (Tag | undefined)[] = new Array(8);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(value: T, tag: Tag): void {
    if (this.#size === this.#values.length) this.#grow();
    const index = (this.#head + this.#size) & (this.#values.length - 1);
    this.#values[index] = value;
    this.#tags[index] = tag;
    this.#size++;
  }

  /** Removes the oldest pair and returns its value; call only when `size > 0`. */
  shift(): T {
    const value = this.#values[this.#head] as T;
    this.#values[this.#head] = undefined;
    this.#tags[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#values.length - 1);
    this.#size--;
    return value;
  }

  /** The tag of the oldest pair; call only when `size > 0`. */
  peekTag(): Tag {
    return this.#tags[this.#head] as Tag;
  }

  clear(): void {
    this.#values = new Array(8);
    this.#tags = new Array(8);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    // Capacity stays a power of two so the index wraps with a mask.
    const capacity = this.#values.length * 2;
    const values: (T | undefined)[] = new Array(capacity);
    const tags: (Tag | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) & (this.#values.length - 1);
      values[i] = this.#values[from];
      tags[i] = this.#tags[from];
    }
    this.#values = values;
    this.#tags = tags;
    this.#head = 0;
  }
}
