import type { Subprotocol } from '@gqlcast/core/protocol';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../src/connection.js';
import { Outbox, type OutboxSubscriber } from '../src/outbox.js';

/** A socket whose buffer the test fills and drains by hand. */
class FakeSocket implements Socket {
  readonly protocol: Subprotocol = 'graphql-transport-ws';
  readonly sent: string[] = [];
  bufferedAmount = 0;
  /** The mark above which the socket is "full" (as `sendHighWaterMark`). */
  readonly mark = 100;
  drainWaits = 0;
  #waiters: (() => void)[] = [];

  send(data: string | Buffer): void {
    this.sent.push(data.toString());
  }

  drained(): Promise<void> | undefined {
    if (this.bufferedAmount <= this.mark) return undefined;
    this.drainWaits++;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): void {}

  /** The peer read everything: the buffer is empty again. */
  async drain(): Promise<void> {
    this.bufferedAmount = 0;
    for (const wake of this.#waiters.splice(0)) wake();
    // Let the outbox's drain wait run.
    await Promise.resolve();
    await Promise.resolve();
  }
}

function subscriber(
  id: string,
  queueLimit: number,
): OutboxSubscriber & { dropped: number; written: number; confirmed: boolean } {
  return {
    id,
    queueLimit,
    confirmed: true,
    dropped: 0,
    written: 0,
    recordDropped(count) {
      this.dropped += count;
    },
    recordWritten() {
      this.written++;
    },
  };
}

const frame = (text: string) => Buffer.from(text);

describe('Outbox', () => {
  it('writes at once while the socket takes it', () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    outbox.notify(subscriber('1', 2), frame('a'));
    outbox.send('q', 'answer');
    outbox.send(undefined, 'pong');
    expect(socket.sent).toEqual(['a', 'answer', 'pong']);
  });

  it('keeps at most queueLimit frames per subscriber while the socket is full, the oldest dropped and counted', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    const slow = subscriber('1', 2);
    const other = subscriber('2', 5);
    socket.bufferedAmount = 500;
    for (const text of ['a1', 'a2', 'a3', 'a4']) outbox.notify(slow, frame(text));
    outbox.notify(other, frame('b1'));
    expect(socket.sent).toEqual([]);
    expect(slow.dropped).toBe(2);
    expect(other.dropped).toBe(0);
    expect(slow.written).toBe(0);
    await socket.drain();
    expect(socket.sent).toEqual(['a3', 'a4', 'b1']);
    // Written counts what reached the socket: the dropped never do.
    expect(slow.written).toBe(2);
    expect(other.written).toBe(1);
  });

  it('counts a frame written at once as written, and reports the bytes waiting (its own and the socket buffer)', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    const member = subscriber('1', 5);
    outbox.notify(member, frame('now'));
    expect(member.written).toBe(1);
    expect(outbox.waitingBytes).toBe(0);
    socket.bufferedAmount = 500;
    outbox.notify(member, frame('later'));
    expect(outbox.waitingBytes).toBe(500 + 'later'.length);
    await socket.drain();
    expect(member.written).toBe(2);
    expect(outbox.waitingBytes).toBe(0);
  });

  it('waits on the socket once, however many frames wait (one drain wait)', async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 1_000_000, () => undefined);
    socket.bufferedAmount = 500;
    for (let n = 0; n < 50; n++) outbox.notify(subscriber(String(n % 5), 100), frame(`f${n}`));
    expect(socket.drainWaits).toBe(1);
    await socket.drain();
    expect(socket.sent).toHaveLength(50);
  });

  it("sends an operation's protocol message after its waiting frames; a message without an id at once", async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    const member = subscriber('1', 10);
    socket.bufferedAmount = 500;
    outbox.notify(member, frame('n1'));
    outbox.send('1', 'complete-1');
    outbox.send(undefined, 'pong');
    expect(socket.sent).toEqual(['pong']);
    await socket.drain();
    expect(socket.sent).toEqual(['pong', 'n1', 'complete-1']);
  });

  it('keeps the frames of an unconfirmed subscriber until its confirmation was sent', () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    const member = subscriber('1', 10);
    member.confirmed = false;
    outbox.notify(member, frame('early'));
    outbox.send('1', 'confirmation');
    member.confirmed = true;
    outbox.confirmed(member);
    expect(socket.sent).toEqual(['confirmation', 'early']);
  });

  it("while held for one operation, sends that operation's answer first and the rest after release, in order", () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    outbox.hold('m');
    outbox.notify(subscriber('s', 10), frame('notification'));
    outbox.send('t', 'complete-t');
    outbox.send('m', 'result-m');
    expect(socket.sent).toEqual(['result-m']);
    outbox.release();
    expect(socket.sent).toEqual(['result-m', 'notification', 'complete-t']);
  });

  it('keeps waiting notifications within the byte budget by dropping the oldest, without terminating', async () => {
    const socket = new FakeSocket();
    let overflowed = false;
    const outbox = new Outbox(socket, 1_000, () => {
      overflowed = true;
    });
    const a = subscriber('a', 100);
    const b = subscriber('b', 100);
    socket.bufferedAmount = 500;
    // 10 frames of 100 bytes into a budget of 1,000 − 500 buffered: only the newest 5 fit.
    for (let n = 0; n < 10; n++) outbox.notify(n % 2 === 0 ? a : b, frame(String(n).padEnd(100, '.')));
    expect(overflowed).toBe(false);
    expect(a.dropped + b.dropped).toBe(5);
    await socket.drain();
    expect(socket.sent.map((sent) => sent[0])).toEqual(['5', '6', '7', '8', '9']);
  });

  it('terminates the connection when a message that may not be dropped passes the byte cap', () => {
    const socket = new FakeSocket();
    let overflowed = 0;
    const outbox = new Outbox(socket, 1_000, () => {
      overflowed++;
    });
    socket.bufferedAmount = 500;
    outbox.notify(subscriber('s', 10), frame('n'));
    // Waits behind the notification, and does not fit: the peer is cut off, once.
    outbox.send('s', 'x'.repeat(600));
    outbox.send('s', 'again');
    expect(overflowed).toBe(1);
    expect(socket.sent).toEqual([]);
  });
});

describe('Outbox, a peer that never reads', () => {
  it('keeps dropping the oldest, never terminating for notifications, and sends the newest once it reads', async () => {
    const socket = new FakeSocket();
    let overflowed = false;
    const outbox = new Outbox(socket, 100_000, () => {
      overflowed = true;
    });
    const member = subscriber('1', 3);
    socket.bufferedAmount = 500;
    for (let n = 0; n < 5_000; n++) outbox.notify(member, frame(`n${n}`));
    expect(overflowed).toBe(false);
    expect(member.dropped).toBe(4_997);
    await socket.drain();
    expect(socket.sent).toEqual(['n4997', 'n4998', 'n4999']);
  });
});

describe('Outbox, a subscriber stopped before its confirmation', () => {
  it('sends its confirmation at once, even with notifications waiting for it, and drops those when it leaves', () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(socket, 10_000, () => undefined);
    const member = subscriber('1', 10);
    member.confirmed = false;
    outbox.notify(member, frame('early'));
    // The legacy protocol's late confirmation (a `stop` arrived while it started), then its leave.
    outbox.send('1', 'confirmation');
    outbox.discard(member);
    outbox.send('1', 'complete');
    expect(socket.sent).toEqual(['confirmation', 'complete']);
  });
});
