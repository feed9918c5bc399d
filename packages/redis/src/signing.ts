import { createHmac, timingSafeEqual } from 'node:crypto';
import { tagLength } from './envelope.js';

/** What the `signingKey` option takes: one key, or the current key first and older ones after it. */
export type SigningKeyOption = string | Uint8Array | readonly (string | Uint8Array)[];

/** The shortest key accepted: 16 bytes (128 bits), what HMAC needs to resist guessing. */
const minimumKeyLength = 16;

/**
 * Signs and verifies envelopes with HMAC-SHA256, cut to 16 bytes. The MAC
 * covers the Redis channel name, the header (version, publisher, sequence) and
 * the frame: a signed frame cannot be moved to another group, renumbered or
 * altered. Verification accepts any of the keys, so a key can be rotated
 * without a flag day: add the new key second, then make it first, then drop the old.
 */
export class Signer {
  readonly #keys: readonly Buffer[];

  constructor(option: SigningKeyOption) {
    const given = typeof option === 'string' || option instanceof Uint8Array ? [option] : [...option];
    if (given.length === 0) throw new TypeError('redisLayer: signingKey must hold at least one key.');
    this.#keys = given.map((key) => {
      const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
      if (bytes.length < minimumKeyLength) {
        throw new TypeError(
          `redisLayer: a signingKey must be at least ${minimumKeyLength} bytes, got ${bytes.length}. ` +
            'Use a random secret, e.g. `openssl rand -base64 32`.',
        );
      }
      return bytes;
    });
  }

  /** The tag of a frame with the current (first) key. */
  sign(channel: string, header: Uint8Array, frame: Uint8Array): Uint8Array {
    return this.#tag(this.#keys[0] as Buffer, channel, header, frame);
  }

  /** Whether `tag` was made by one of the keys for this very channel, header and frame. */
  verify(channel: string, header: Uint8Array, frame: Uint8Array, tag: Buffer): boolean {
    return this.#keys.some((key) => timingSafeEqual(this.#tag(key, channel, header, frame), tag));
  }

  #tag(key: Buffer, channel: string, header: Uint8Array, frame: Uint8Array): Buffer {
    const channelBytes = Buffer.from(channel, 'utf8');
    const length = Buffer.allocUnsafe(4);
    // The channel's length first, so that channel and header cannot be shifted into each other.
    length.writeUInt32BE(channelBytes.length);
    return createHmac('sha256', key)
      .update(length)
      .update(channelBytes)
      .update(header)
      .update(frame)
      .digest()
      .subarray(0, tagLength);
  }
}
