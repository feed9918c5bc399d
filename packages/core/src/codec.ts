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
  /**
   * A broadcast with headers (trace context, send time): two bytes of header length
   * (big-endian), the encoded {@link NotificationHeaders}, then the encoded payload.
   * Written only when there is something to carry (docs/observability.md).
   */
  NotificationWithHeaders: 3,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/**
 * What a broadcast may carry besides its payload. Receivers ignore fields they do not
 * know, so later versions may add some.
 */
export interface NotificationHeaders {
  /** The broadcaster's trace context, as the OpenTelemetry propagator wrote it (`traceparent`, …). */
  readonly trace?: Record<string, string> | undefined;
  /** When it was broadcast, in milliseconds since the epoch (for the delivery latency metric). */
  readonly sentAt?: number | undefined;
}

/** The longest header a frame can carry (its length takes two bytes). */
const maxHeaderLength = 0xffff;

/**
 * Builds the frame of a broadcast; a payload the codec refuses is a clear error. With
 * `headers`, a {@link FrameKind.NotificationWithHeaders} frame (headers too long to carry
 * are left out: they are never worth the payload).
 */
export function encodeNotification(
  codec: Codec,
  payload: unknown,
  channel: string,
  group: string | undefined,
  headers?: NotificationHeaders,
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
  const head = headers === undefined ? undefined : codec.encode({ trace: headers.trace, sentAt: headers.sentAt });
  if (head === undefined || head.length > maxHeaderLength) {
    const frame = new Uint8Array(body.length + 1);
    frame[0] = FrameKind.Notification;
    frame.set(body, 1);
    return frame;
  }
  const frame = new Uint8Array(3 + head.length + body.length);
  frame[0] = FrameKind.NotificationWithHeaders;
  frame[1] = head.length >> 8;
  frame[2] = head.length & 0xff;
  frame.set(head, 3);
  frame.set(body, 3 + head.length);
  return frame;
}

/**
 * Splits a notification frame (either kind) into its headers and its encoded payload;
 * `undefined` for a frame that is not a notification or is cut short. Unreadable headers are
 * ignored: they never cost the payload.
 */
export function splitNotification(
  codec: Codec,
  frame: Uint8Array,
): { headers: NotificationHeaders | undefined; body: Uint8Array } | undefined {
  if (frame[0] === FrameKind.Notification) return { headers: undefined, body: frame.subarray(1) };
  if (frame[0] !== FrameKind.NotificationWithHeaders || frame.length < 3) return undefined;
  const length = ((frame[1] ?? 0) << 8) | (frame[2] ?? 0);
  if (frame.length < 3 + length) return undefined;
  return { headers: readHeaders(codec, frame.subarray(3, 3 + length)), body: frame.subarray(3 + length) };
}

function readHeaders(codec: Codec, bytes: Uint8Array): NotificationHeaders | undefined {
  let value: unknown;
  try {
    value = codec.decode(bytes);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { trace, sentAt } = value as Record<string, unknown>;
  return {
    trace: isStringRecord(trace) ? trace : undefined,
    sentAt: typeof sentAt === 'number' && Number.isFinite(sentAt) ? sentAt : undefined,
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((entry) => typeof entry === 'string');
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
