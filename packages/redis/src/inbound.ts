import type { Logger } from '@gqlcast/core';
import { DropLog, shown } from './drop-log.js';
import { type RawEnvelope, readEnvelope, signedVersion, splitEventId, unsignedVersion } from './envelope.js';
import type { Signer } from './signing.js';

/**
 * How far a publisher's numbering may jump between two messages a receiver
 * sees: `gapSlack` plus `maxRatePerMs` for every millisecond since the last
 * one. One Redis node relays well under a million messages a second, so a
 * larger jump is not messages missed but a number that cannot be right.
 */
export const gapSlack = 100_000;
export const maxRatePerMs = 1_000;
/** Channels whose publishers' numbering is remembered (least recently received forgotten first). */
const rememberedChannels = 10_000;
/** Publishers remembered per channel. */
const publishersPerChannel = 1_000;

/** What a receiver knows of one publisher on one channel. */
interface PublisherState {
  /** The highest sequence accepted. */
  high: number;
  /** When it was accepted (`performance.now()`). */
  at: number;
  /** False after the channel was released: the next message starts counting again, no gap. */
  counting: boolean;
}

/** A frame that passed every check, and how many messages of its publisher were missed before it. */
export interface Accepted {
  readonly frame: Uint8Array;
  readonly missed: number;
  readonly publisher: string;
  /** The event id of a retained broadcast (its stream id), beside the signed bytes. */
  readonly id: string | undefined;
}

/**
 * Checks every message received from Redis before the hub sees it. Whoever can
 * write to Redis can publish on our channels, so a message is dropped (counted,
 * logged at a bounded rate) and changes nothing when it:
 *
 * - is not an envelope at all (`garbage`);
 * - has an envelope version this layer does not know (`rejected`);
 * - with a signing key: is unsigned or badly signed, or repeats a number its
 *   publisher already used on this channel (a replay) (`rejected`);
 * - has a sequence number that is not a whole number from 1 to 2^53-1, or that
 *   jumps further than its publisher could have sent since its last message
 *   (see {@link gapSlack}); such a number would report an absurd gap (`rejected`).
 *
 * Without a signing key a number at or below the highest seen is delivered
 * without a gap and changes nothing: refusing it would let a forger who sent a
 * real publisher's id with a huge number first silence that publisher.
 */
export class Inbound {
  readonly #signer: Signer | undefined;
  readonly #log: DropLog;
  readonly #layerName: string;
  readonly #seen = new Map<string, Map<string, PublisherState>>();
  garbage = 0;
  rejected = 0;

  constructor(logger: Logger, layerName: string, signer: Signer | undefined) {
    this.#log = new DropLog(logger);
    this.#layerName = layerName;
    this.#signer = signer;
  }

  /** The frame to hand to the hub, or `undefined` when the message is dropped. */
  accept(channel: string, bytes: Buffer): Accepted | undefined {
    // A malformed id prefix is not an envelope either: garbage, like bytes without the magic.
    const split = splitEventId(bytes) ?? { id: undefined, envelope: bytes.subarray(0, 0) };
    const raw = this.#authentic(channel, split.envelope, bytes.length);
    if (raw === undefined) return undefined;
    const { publisher } = raw;
    const { id } = split;
    const reject = (reason: string) => this.#reject(channel, publisher, reason);
    const signer = this.#signer;
    const sequence = Number(raw.sequence);

    const publishers = this.#publishersOf(channel);
    const state = publishers.get(publisher);
    const now = performance.now();
    if (state === undefined) {
      remember(publishers, publisher, { high: sequence, at: now, counting: true });
      return { frame: raw.frame, missed: 0, publisher, id };
    }
    if (sequence <= state.high) {
      if (signer !== undefined)
        return reject(`sequence ${sequence} was already used (highest ${state.high}): a replay`);
      return { frame: raw.frame, missed: 0, publisher, id };
    }
    if (!state.counting) {
      remember(publishers, publisher, { high: sequence, at: now, counting: true });
      return { frame: raw.frame, missed: 0, publisher, id };
    }
    const missed = sequence - state.high - 1;
    const plausible = gapSlack + (now - state.at) * maxRatePerMs;
    if (missed > plausible) {
      return reject(
        `sequence ${sequence} jumps ${missed} past ${state.high}, more than this publisher could have sent since`,
      );
    }
    remember(publishers, publisher, { high: sequence, at: now, counting: true });
    return { frame: raw.frame, missed, publisher, id };
  }

  /**
   * The frame of an envelope read back from a topic's stream (history), or
   * `undefined` when it is dropped: the same checks as a live message (an
   * envelope, a known version, with a key a good signature) except the
   * numbering, which belongs to live delivery. The stream id is Redis's and
   * not signed: see docs/redis.md, "Retention (resume)", for what someone who
   * can write to Redis can still do to a history.
   */
  stored(channel: string, bytes: Buffer): Uint8Array | undefined {
    return this.#authentic(channel, bytes)?.frame;
  }

  /** The envelope when it is one, of a known version, well signed if we have a key, numbered and not empty. */
  #authentic(channel: string, bytes: Buffer, received = bytes.length): RawEnvelope | undefined {
    const raw = readEnvelope(bytes);
    if (raw === undefined) {
      this.garbage++;
      this.#log.dropped(
        `Dropped a message on ${shown(channel)} that is not a gqlcast envelope (${received} bytes).`,
        { layer: this.#layerName, channel, bytes: received },
        undefined,
      );
      return undefined;
    }
    const { publisher } = raw;
    if (raw.version !== unsignedVersion && raw.version !== signedVersion) {
      return this.#reject(channel, publisher, `unknown envelope version ${raw.version}`);
    }
    const signer = this.#signer;
    if (signer !== undefined) {
      if (raw.tag === undefined) return this.#reject(channel, publisher, 'unsigned, and this layer has a signingKey');
      if (!signer.verify(channel, raw.header, raw.frame, raw.tag))
        return this.#reject(channel, publisher, 'bad signature');
    }
    if (raw.sequence < 1n || raw.sequence > BigInt(Number.MAX_SAFE_INTEGER)) {
      return this.#reject(channel, publisher, `sequence ${raw.sequence} is not a whole number from 1 to 2^53-1`);
    }
    if (raw.frame.length === 0) return this.#reject(channel, publisher, 'empty frame');
    return raw;
  }

  #reject(channel: string, publisher: string, reason: string): undefined {
    this.rejected++;
    this.#log.dropped(
      `Dropped a message on ${shown(channel)} from publisher ${publisher}: ${reason}.`,
      { layer: this.#layerName, channel, publisher, reason },
      publisher,
    );
    return undefined;
  }

  /**
   * The channel is no longer subscribed: what its publishers send meanwhile is
   * not missed, so the next message of each starts counting again. Their
   * highest numbers are kept, so that a recorded signed message cannot be
   * replayed once the channel is subscribed again.
   */
  forget(channel: string): void {
    for (const state of this.#seen.get(channel)?.values() ?? []) state.counting = false;
  }

  #publishersOf(channel: string): Map<string, PublisherState> {
    let publishers = this.#seen.get(channel);
    if (publishers !== undefined) {
      this.#seen.delete(channel);
    } else {
      publishers = new Map();
    }
    this.#seen.set(channel, publishers);
    if (this.#seen.size > rememberedChannels) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return publishers;
  }
}

/** Sets a publisher's state as the most recent one of its channel, forgetting the oldest beyond the bound. */
function remember(publishers: Map<string, PublisherState>, publisher: string, state: PublisherState): void {
  publishers.delete(publisher);
  publishers.set(publisher, state);
  if (publishers.size > publishersPerChannel) {
    const oldest = publishers.keys().next().value;
    if (oldest !== undefined) publishers.delete(oldest);
  }
}
