import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encodeNotification, FrameKind, splitNotification } from '../src/codec.js';
import { ErrorCode, isGqlcastError, msgpackCodec } from '../src/index.js';

describe('msgpackCodec', () => {
  it('keeps Date, Map, Set, BigInt, typed arrays, undefined and nesting', () => {
    const codec = msgpackCodec();
    const value = {
      when: new Date('2024-02-29T12:34:56.789Z'),
      map: new Map<unknown, unknown>([
        ['a', 1],
        [2, { deep: true }],
      ]),
      set: new Set(['x', 'y']),
      small: 42n,
      huge: 2n ** 100n,
      negative: -(2n ** 70n),
      bytes: new Uint8Array([0, 1, 254, 255]),
      floats: new Float64Array([1.5, -0.25]),
      nested: { list: [1, 'two', null, { three: [3] }], missing: undefined },
    };
    const decoded = codec.decode(codec.encode(value)) as typeof value;
    expect(decoded).toEqual(value);
    expect(decoded.when).toBeInstanceOf(Date);
    expect(decoded.map).toBeInstanceOf(Map);
    expect(decoded.set).toBeInstanceOf(Set);
    expect(typeof decoded.huge).toBe('bigint');
    expect(decoded.floats).toBeInstanceOf(Float64Array);
    expect('missing' in decoded.nested).toBe(true);
  });

  it('makes self-describing messages that decode alone, in any order, with a fresh decoder', () => {
    const codec = msgpackCodec();
    const messages = Array.from({ length: 300 }, (_, i) => ({ [`key${i % 17}`]: i, inner: { [`n${i % 5}`]: [i] } }));
    const encoded = messages.map((message) => codec.encode(message));
    const fresh = new Unpackr({ useRecords: true, moreTypes: true });
    for (let i = encoded.length - 1; i >= 0; i--) {
      expect(fresh.unpack(encoded[i] as Uint8Array)).toEqual(messages[i]);
      expect(msgpackCodec().decode(encoded[i] as Uint8Array)).toEqual(messages[i]);
    }
  });

  it('refuses functions and symbols with an error saying what can travel', () => {
    const codec = msgpackCodec();
    for (const bad of [{ callback: () => 1 }, { tag: Symbol('x') }]) {
      let caught: unknown;
      try {
        encodeNotification(codec, bad, 'things', 'g1');
      } catch (error) {
        caught = error;
      }
      expect(isGqlcastError(caught, ErrorCode.PayloadUnencodable)).toBe(true);
      expect((caught as Error).message).toMatch(/channel "things" \(group "g1"\)/);
      expect((caught as Error).message).toMatch(/functions and symbols cannot travel/);
    }
  });

  it('prefixes the frame kind to the encoded payload', () => {
    const codec = msgpackCodec();
    const frame = encodeNotification(codec, { a: 1 }, 'c', undefined);
    expect(frame[0]).toBe(FrameKind.Notification);
    expect(codec.decode(frame.subarray(1))).toEqual({ a: 1 });
  });
});

describe('notification headers', () => {
  const codec = msgpackCodec();

  it('travel in a frame of their own kind, and the payload reads the same', () => {
    const headers = { trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, sentAt: 1.5 };
    const frame = encodeNotification(codec, { text: 'hi' }, 'chat', undefined, headers);
    expect(frame[0]).toBe(FrameKind.NotificationWithHeaders);
    const split = splitNotification(codec, frame);
    expect(split?.headers).toEqual(headers);
    expect(codec.decode(split?.body ?? new Uint8Array())).toEqual({ text: 'hi' });
  });

  it('leave a plain frame plain: no headers, no extra byte', () => {
    const frame = encodeNotification(codec, { text: 'hi' }, 'chat', undefined);
    expect(frame[0]).toBe(FrameKind.Notification);
    expect(splitNotification(codec, frame)).toEqual({ headers: undefined, body: frame.subarray(1) });
  });

  it('are left out when too long to carry, never the payload', () => {
    const trace = { tracestate: 'x'.repeat(70_000) };
    const frame = encodeNotification(codec, { text: 'hi' }, 'chat', undefined, { trace });
    expect(frame[0]).toBe(FrameKind.Notification);
    expect(codec.decode(frame.subarray(1))).toEqual({ text: 'hi' });
  });

  it('are ignored when unreadable or of the wrong shape, and the payload still arrives', () => {
    const body = codec.encode({ text: 'hi' });
    for (const head of [
      new Uint8Array([0xc1]),
      codec.encode('a string'),
      codec.encode({ trace: { n: 1 }, sentAt: 'x' }),
    ]) {
      const frame = new Uint8Array([FrameKind.NotificationWithHeaders, 0, head.length, ...head, ...body]);
      const split = splitNotification(codec, frame);
      expect(split?.headers?.trace).toBeUndefined();
      expect(split?.headers?.sentAt).toBeUndefined();
      expect(codec.decode(split?.body ?? new Uint8Array())).toEqual({ text: 'hi' });
    }
  });

  it('ignore fields a later version may add', () => {
    const head = codec.encode({ sentAt: 2, addedLater: [1, 2] });
    const body = codec.encode(7);
    const frame = new Uint8Array([FrameKind.NotificationWithHeaders, 0, head.length, ...head, ...body]);
    expect(splitNotification(codec, frame)?.headers).toEqual({ trace: undefined, sentAt: 2 });
  });

  it('refuse a frame cut short', () => {
    expect(splitNotification(codec, new Uint8Array([FrameKind.NotificationWithHeaders, 0, 9, 1]))).toBeUndefined();
    expect(splitNotification(codec, new Uint8Array([FrameKind.NotificationWithHeaders, 0]))).toBeUndefined();
    expect(splitNotification(codec, new Uint8Array([FrameKind.Unsubscribe]))).toBeUndefined();
  });
});
