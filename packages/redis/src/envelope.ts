/**
 * What travels on a Redis channel: a small binary envelope around the hub's
 * frame, so a receiver can tell our messages from anything else on the channel,
 * detect what it missed and, with a signing key, tell who may have sent it.
 *
 *   bytes 0-1   magic "GQ"
 *   byte  2     envelope version: 1 unsigned, 2 signed
 *   bytes 3-18  publisher id (16 random bytes, one per layer instance and numbering series)
 *   bytes 19-26 sequence number of this publisher on this channel (uint64, big-endian, from 1)
 *   version 1:  bytes 27-  the hub's frame, untouched
 *   version 2:  bytes 27-42 the signature (see signing.ts), bytes 43- the hub's frame
 */
const magic0 = 0x47; // G
const magic1 = 0x51; // Q
export const unsignedVersion = 1;
export const signedVersion = 2;
export const headerLength = 27;
export const tagLength = 16;
const publisherIdLength = 16;

export function newPublisherId(): Uint8Array {
  const id = new Uint8Array(publisherIdLength);
  globalThis.crypto.getRandomValues(id);
  return id;
}

/** Writes magic, version, publisher and sequence into the first {@link headerLength} bytes. */
function writeHeader(envelope: Buffer, version: number, publisher: Uint8Array, sequence: number): void {
  envelope[0] = magic0;
  envelope[1] = magic1;
  envelope[2] = version;
  envelope.set(publisher, 3);
  envelope.writeBigUInt64BE(BigInt(sequence), 19);
}

/** An unsigned (version 1) envelope. */
export function encodeEnvelope(publisher: Uint8Array, sequence: number, frame: Uint8Array): Buffer {
  const envelope = Buffer.allocUnsafe(headerLength + frame.length);
  writeHeader(envelope, unsignedVersion, publisher, sequence);
  envelope.set(frame, headerLength);
  return envelope;
}

/** A signed (version 2) envelope: `sign` computes the tag over the header and the frame. */
export function encodeSignedEnvelope(
  publisher: Uint8Array,
  sequence: number,
  frame: Uint8Array,
  sign: (header: Uint8Array, frame: Uint8Array) => Uint8Array,
): Buffer {
  const envelope = Buffer.allocUnsafe(headerLength + tagLength + frame.length);
  writeHeader(envelope, signedVersion, publisher, sequence);
  envelope.set(sign(envelope.subarray(0, headerLength), frame), headerLength);
  envelope.set(frame, headerLength + tagLength);
  return envelope;
}

/** An envelope as read, before any check of its version, sequence or signature. */
export interface RawEnvelope {
  readonly version: number;
  /** Hex. */
  readonly publisher: string;
  /** As sent: a uint64 may exceed what a `number` holds exactly. */
  readonly sequence: bigint;
  readonly header: Buffer;
  /** Version 2 only. */
  readonly tag: Buffer | undefined;
  readonly frame: Buffer;
}

/**
 * Reads an envelope's fields; `undefined` for bytes that are not one at all
 * (too short, or not starting with the magic: another program on the channel).
 */
export function readEnvelope(bytes: Buffer): RawEnvelope | undefined {
  if (bytes.length < headerLength || bytes[0] !== magic0 || bytes[1] !== magic1) return undefined;
  const version = bytes[2] ?? 0;
  const signed = version === signedVersion;
  if (signed && bytes.length < headerLength + tagLength) return undefined;
  return {
    version,
    publisher: bytes.toString('hex', 3, 3 + publisherIdLength),
    sequence: bytes.readBigUInt64BE(19),
    header: bytes.subarray(0, headerLength),
    tag: signed ? bytes.subarray(headerLength, headerLength + tagLength) : undefined,
    frame: bytes.subarray(signed ? headerLength + tagLength : headerLength),
  };
}

/**
 * A retained broadcast travels on the channel as `"GI"`, one byte of id length,
 * the stream id (ASCII `ms-seq`), then the envelope above, untouched. The id is
 * written by the script that stored the envelope in the topic's stream (see
 * retention.ts): the publisher cannot know it when it signs, so the id travels
 * beside the signed bytes, not inside them.
 */
const idMagic1 = 0x49; // I
const streamIdPattern = /^\d{1,20}-\d{1,20}$/;

/** Whether `id` has the form of a Redis stream id (`ms-seq`), the only ids this layer issues. */
export function isStreamId(id: string): boolean {
  if (!streamIdPattern.test(id)) return false;
  // Each part is a uint64 in Redis.
  return id.split('-').every((part) => BigInt(part) <= 0xffff_ffff_ffff_ffffn);
}

/**
 * Splits a received message into its event id and envelope: `id` is
 * `undefined` for a broadcast that was not retained; `undefined` altogether
 * when the id prefix is malformed.
 */
export function splitEventId(bytes: Buffer): { id: string | undefined; envelope: Buffer } | undefined {
  if (bytes.length < 3 || bytes[0] !== magic0 || bytes[1] !== idMagic1) return { id: undefined, envelope: bytes };
  const length = bytes[2] ?? 0;
  const id = bytes.toString('latin1', 3, 3 + length);
  if (bytes.length < 3 + length || !isStreamId(id)) return undefined;
  return { id, envelope: bytes.subarray(3 + length) };
}
