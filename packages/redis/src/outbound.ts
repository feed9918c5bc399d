import { encodeEnvelope, encodeSignedEnvelope, newPublisherId } from './envelope.js';
import type { Signer } from './signing.js';

/**
 * Wraps outgoing frames in envelopes: numbers each publisher's messages per
 * channel (from 1, by 1), so receivers can count gaps, and signs them when a
 * key is set.
 *
 * Bounded: past `limit` channels, every numbering is forgotten at once and the
 * publisher takes a new id. Receivers see a new publisher, whose first message
 * is never a gap; so under one publisher id a channel's numbers only ever go up,
 * and receivers can refuse a number that goes backwards (a replay or a forgery).
 */
export class Outbound {
  readonly #next = new Map<string, number>();
  readonly #limit: number;
  readonly #signer: Signer | undefined;
  #publisher = newPublisherId();

  constructor(signer: Signer | undefined, limit = 100_000) {
    this.#signer = signer;
    this.#limit = limit;
  }

  /** The envelope of `frame`, numbered next on `channel`. */
  wrap(channel: string, frame: Uint8Array): Buffer {
    let sequence = this.#next.get(channel);
    if (sequence === undefined && this.#next.size >= this.#limit) {
      this.#next.clear();
      this.#publisher = newPublisherId();
    }
    sequence = (sequence ?? 0) + 1;
    this.#next.set(channel, sequence);
    const signer = this.#signer;
    if (signer === undefined) return encodeEnvelope(this.#publisher, sequence, frame);
    return encodeSignedEnvelope(this.#publisher, sequence, frame, (header, body) => signer.sign(channel, header, body));
  }
}
