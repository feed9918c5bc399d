import { Packr } from 'msgpackr';
import { ErrorCode, GqlcastError } from './errors.js';

/**
 * Turns a parsed payload into bytes for the layer and back.
 *
 * @remarks
 * Encoding happens once per broadcast, decoding once per process per message,
 * never once per subscriber.
 */
export interface Codec {
  /** Turns a value into bytes. */
  encode(value: unknown): Uint8Array;
  /** Turns bytes made by `encode` back into the value. */
  decode(bytes: Uint8Array): unknown;
}

/**
 * The msgpack codec (msgpackr).
 *
 * - Records (`useRecords`) make repeated object shapes compact; every message
 *   carries its own record definitions, so a message decodes on its own, in
 *   any order, in any process.
 * - `moreTypes` keeps `Map`, `Set`, typed arrays, `RegExp` and `Error`;
 *   `Date` and `BigInt` are kept by msgpack itself.
 * - Functions and symbols cannot travel: they throw, instead of silently
 *   turning into `undefined` on the other side.
 */
export function msgpackCodec(): Codec {
  const packr = new Packr({
    useRecords: true,
    moreTypes: true,
    useBigIntExtension: true,
    writeFunction: () => {
      throw new TypeError('a function cannot be encoded');
    },
  });
  return {
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes),
  };
}

/** What a layer message carries, in its first byte. Unknown kinds are logged and ignored. */
export const FrameKind = {
  /** A broadcast: the rest is the encoded payload. */
  Notification: 1,
  /** A server-side stop of every subscription of the topic: no body. */
  Unsubscribe: 2,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Builds the frame of a broadcast; a payload the codec refuses is a clear error. */
export function encodeNotification(
  codec: Codec,
  payload: unknown,
  channel: string,
  group: string | undefined,
): Uint8Array {
  let body: Uint8Array;
  try {
    body = codec.encode(payload);
  } catch (cause) {
    const where = group === undefined ? 'channel-wide' : `group "${group}"`;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new GqlcastError(
      ErrorCode.PayloadUnencodable,
      `Cannot encode the payload for channel "${channel}" (${where}): ${reason}. ` +
        'Payloads travel as msgpack: use plain data (objects, arrays, strings, numbers, booleans, null, ' +
        'Date, Map, Set, BigInt, typed arrays); functions and symbols cannot travel. Nothing was sent.',
      { cause },
    );
  }
  const frame = new Uint8Array(body.length + 1);
  frame[0] = FrameKind.Notification;
  frame.set(body, 1);
  return frame;
}

/**
 * The frame of a server-side unsubscribe. It names the hub that sent it and
 * that hub's sequence number, so subscriptions that hub started *after* the
 * call are spared (they never saw it coming).
 */
export function encodeUnsubscribe(codec: Codec, origin: string, sequence: number): Uint8Array {
  const body = codec.encode([origin, sequence]);
  const frame = new Uint8Array(body.length + 1);
  frame[0] = FrameKind.Unsubscribe;
  frame.set(body, 1);
  return frame;
}

/** Reads an unsubscribe frame's origin; `undefined` when it carries none (then it applies to everyone). */
export function decodeUnsubscribe(codec: Codec, frame: Uint8Array): { origin: string; sequence: number } | undefined {
  try {
    const body: unknown = codec.decode(frame.subarray(1));
    if (Array.isArray(body) && typeof body[0] === 'string' && typeof body[1] === 'number') {
      return { origin: body[0], sequence: body[1] };
    }
  } catch {
    // An empty or foreign body: treat as unsubscribing everyone.
  }
  return undefined;
}
