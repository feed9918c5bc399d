/**
 * What travels on a Redis channel: a small binary envelope around the hub's
 * frame, so a receiver can tell our messages from anything else on the channel
 * and detect what it missed.
 *
 *   bytes 0-1   magic "GQ"
 *   byte  2     envelope version (1)
 *   bytes 3-18  publisher id (16 random bytes, one per layer instance)
 *   bytes 19-26 sequence number of this publisher on this channel (uint64, big-endian)
 *   bytes 27-   the hub's frame, untouched
 */
const magic0 = 0x47; // G
const magic1 = 0x51; // Q
const version = 1;
const headerLength = 27;
const publisherIdLength = 16;

export interface Envelope {
  readonly publisher: string;
  readonly sequence: number;
  readonly frame: Uint8Array;
}

export function newPublisherId(): Uint8Array {
  const id = new Uint8Array(publisherIdLength);
  globalThis.crypto.getRandomValues(id);
  return id;
}

export function encodeEnvelope(publisher: Uint8Array, sequence: number, frame: Uint8Array): Buffer {
  const envelope = Buffer.allocUnsafe(headerLength + frame.length);
  envelope[0] = magic0;
  envelope[1] = magic1;
  envelope[2] = version;
  envelope.set(publisher, 3);
  envelope.writeBigUInt64BE(BigInt(sequence), 19);
  envelope.set(frame, headerLength);
  return envelope;
}

/** Reads an envelope; `undefined` for bytes that are not one (another program on the channel). */
export function decodeEnvelope(bytes: Buffer): Envelope | undefined {
  if (bytes.length < headerLength || bytes[0] !== magic0 || bytes[1] !== magic1 || bytes[2] !== version)
    return undefined;
  return {
    publisher: bytes.toString('hex', 3, 3 + publisherIdLength),
    sequence: Number(bytes.readBigUInt64BE(19)),
    frame: bytes.subarray(headerLength),
  };
}

/**
 * Numbers each publisher's messages per channel, so receivers can count gaps.
 * Bounded: the least recently used channels are forgotten (their numbering
 * restarts, which receivers take as a new series, not as a gap).
 */
export class Sequencer {
  readonly #next = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  next(channel: string): number {
    const sequence = (this.#next.get(channel) ?? 0) + 1;
    this.#next.delete(channel);
    this.#next.set(channel, sequence);
    if (this.#next.size > this.#limit) {
      const oldest = this.#next.keys().next().value;
      if (oldest !== undefined) this.#next.delete(oldest);
    }
    return sequence;
  }
}

/** Remembers the last sequence seen per publisher on each subscribed channel, and reports gaps. */
export class GapDetector {
  readonly #seen = new Map<string, Map<string, number>>();
  readonly #publishersPerChannel: number;

  constructor(publishersPerChannel = 1_000) {
    this.#publishersPerChannel = publishersPerChannel;
  }

  /** Returns how many messages of this publisher on this channel were missed before this one. */
  observe(channel: string, envelope: Envelope): number {
    let publishers = this.#seen.get(channel);
    if (publishers === undefined) {
      publishers = new Map();
      this.#seen.set(channel, publishers);
    }
    const last = publishers.get(envelope.publisher);
    publishers.delete(envelope.publisher);
    publishers.set(envelope.publisher, envelope.sequence);
    if (publishers.size > this.#publishersPerChannel) {
      const oldest = publishers.keys().next().value;
      if (oldest !== undefined) publishers.delete(oldest);
    }
    // First message seen from this publisher, or a restarted numbering: no gap to report.
    if (last === undefined || envelope.sequence <= last) return 0;
    return envelope.sequence - last - 1;
  }

  forget(channel: string): void {
    this.#seen.delete(channel);
  }
}
