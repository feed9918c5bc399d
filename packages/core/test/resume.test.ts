import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ChannelSubscription, createHub, decodeCursor, silentLogger } from '../src/index.js';

const payload = z.object({ n: z.number() });

/** A push subscription that records what it is handed, with the cursor at each. */
function recorder() {
  const got: { n: number; group: string | undefined; cursor: string | undefined }[] = [];
  let subscription: ChannelSubscription<{ n: number }> | undefined;
  return {
    got,
    numbers: () => got.map((item) => item.n),
    set(sub: ChannelSubscription<{ n: number }>) {
      subscription = sub;
      return sub;
    },
    onNotification(value: { n: number }, group: string | undefined) {
      got.push({ n: value.n, group, cursor: subscription?.cursor() });
    },
  };
}

function retainingHub(count = 100) {
  const hub = createHub({ logger: silentLogger });
  const channel = hub.channel('feed', { payload, retain: { count } });
  return { hub, channel };
}

async function broadcast(channel: ReturnType<typeof retainingHub>['channel'], group: string, from: number, to: number) {
  for (let n = from; n <= to; n++) await channel.broadcast({ group, payload: { n } });
}

describe('resuming a channel subscription', () => {
  it('gives a fresh subscriber live notifications only, and a cursor covering each of its groups', async () => {
    const { channel } = retainingHub();
    await broadcast(channel, 'a', 1, 3);
    const first = recorder();
    const sub = first.set(channel.subscribe(['a', 'b'], { onNotification: first.onNotification }));
    await sub.ready;
    expect(sub.resumeGap).toBeUndefined();
    // Groups that sent nothing yet are in the cursor too: their starting points.
    expect(decodeCursor(sub.cursor())?.position).toEqual(
      new Map([
        ['', '0'],
        ['a', '3'],
        ['b', '0'],
      ]),
    );
    await broadcast(channel, 'a', 4, 4);
    expect(first.numbers()).toEqual([4]);
    expect(decodeCursor(first.got[0]?.cursor)?.position.get('a')).toBe('4');
  });

  it('replays what followed the cursor, in order, then goes on live, without a duplicate', async () => {
    const { channel } = retainingHub();
    const first = recorder();
    const sub = first.set(channel.subscribe(['a', 'b'], { onNotification: first.onNotification }));
    await sub.ready;
    await broadcast(channel, 'a', 1, 2);
    await broadcast(channel, 'b', 10, 10);
    const cursor = first.got.at(-1)?.cursor;
    await sub.return();
    // Offline: these are missed live.
    await broadcast(channel, 'a', 3, 4);
    await broadcast(channel, 'b', 11, 11);
    const second = recorder();
    const resumed = second.set(
      channel.subscribe(['a', 'b'], { onNotification: second.onNotification, resumeFrom: decodeCursor(cursor) }),
    );
    await resumed.ready;
    expect(resumed.resumeGap).toBeUndefined();
    expect(second.got.filter((item) => item.group === 'a').map((item) => item.n)).toEqual([3, 4]);
    expect(second.got.filter((item) => item.group === 'b').map((item) => item.n)).toEqual([11]);
    await broadcast(channel, 'a', 5, 5);
    expect(second.numbers().sort((x, y) => x - y)).toEqual([3, 4, 5, 11]);
    // The last cursor resumes after everything: nothing is replayed.
    const third = recorder();
    const again = third.set(
      channel.subscribe(['a', 'b'], {
        onNotification: third.onNotification,
        resumeFrom: decodeCursor(second.got.at(-1)?.cursor),
      }),
    );
    await again.ready;
    expect(third.got).toEqual([]);
    expect(again.resumeGap).toBeUndefined();
  });

  it('holds live notifications broadcast during the replay behind it, and repeats none (300 rounds)', async () => {
    const { channel } = retainingHub(1000);
    let n = 0;
    const watcher = recorder();
    const watch = watcher.set(channel.subscribe('g', { onNotification: watcher.onNotification }));
    await watch.ready;
    let lost = 0;
    let repeated = 0;
    for (let round = 0; round < 300; round++) {
      await channel.broadcast({ group: 'g', payload: { n: ++n } });
      const cursor = watcher.got.at(-1)?.cursor;
      const after = n;
      void channel.broadcast({ group: 'g', payload: { n: ++n } });
      const got = recorder();
      const sub = got.set(
        channel.subscribe('g', { onNotification: got.onNotification, resumeFrom: decodeCursor(cursor) }),
      );
      // Broadcast while the subscription confirms and reads its history.
      void channel.broadcast({ group: 'g', payload: { n: ++n } });
      await sub.ready;
      await channel.broadcast({ group: 'g', payload: { n: ++n } });
      const expected = [after + 1, after + 2, after + 3];
      lost += expected.filter((value) => !got.numbers().includes(value)).length;
      repeated += got.numbers().length - new Set(got.numbers()).size;
      expect(got.numbers()).toEqual(expected);
      await sub.return();
    }
    expect({ lost, repeated }).toEqual({ lost: 0, repeated: 0 });
  });

  it('reports a countable gap when the cursor is older than the retention, then replays what is retained', async () => {
    const { channel } = retainingHub(3);
    const first = recorder();
    const sub = first.set(channel.subscribe('a', { onNotification: first.onNotification }));
    await sub.ready;
    await broadcast(channel, 'a', 1, 1);
    const cursor = first.got[0]?.cursor;
    await sub.return();
    await broadcast(channel, 'a', 2, 8);
    const second = recorder();
    const resumed = second.set(
      channel.subscribe('a', { onNotification: second.onNotification, resumeFrom: decodeCursor(cursor) }),
    );
    await resumed.ready;
    // 2, 3, 4 and 5 are gone; 6, 7 and 8 are retained.
    expect(resumed.resumeGap).toEqual({ missed: 4 });
    expect(second.numbers()).toEqual([6, 7, 8]);
  });

  it('reports an uncountable gap for a group the cursor does not name (another channel, other groups)', async () => {
    const { channel } = retainingHub();
    await broadcast(channel, 'b', 1, 2);
    const otherChannelCursor = decodeCursor(Buffer.from(JSON.stringify(['x', '5'])).toString('base64url'));
    const got = recorder();
    const sub = got.set(channel.subscribe('b', { onNotification: got.onNotification, resumeFrom: otherChannelCursor }));
    await sub.ready;
    expect(sub.resumeGap).toEqual({});
    expect(got.numbers()).toEqual([1, 2]);
  });

  it('replays the whole retained history for "0", without a gap', async () => {
    const { channel } = retainingHub(2);
    await broadcast(channel, 'a', 1, 5);
    const got = recorder();
    const sub = got.set(channel.subscribe('a', { onNotification: got.onNotification, resumeFrom: decodeCursor('0') }));
    await sub.ready;
    expect(sub.resumeGap).toBeUndefined();
    expect(got.numbers()).toEqual([4, 5]);
  });

  it('says a channel without retain cannot resume: a gap, then live only', async () => {
    const hub = createHub({ logger: silentLogger });
    const plain = hub.channel('plain', { payload });
    await plain.broadcast({ payload: { n: 1 } });
    const got = recorder();
    const sub = got.set(
      plain.subscribe(undefined, { onNotification: got.onNotification, resumeFrom: decodeCursor('0') }),
    );
    await sub.ready;
    expect(sub.resumeGap).toEqual({});
    expect(sub.cursor()).toBeUndefined();
    await plain.broadcast({ payload: { n: 2 } });
    expect(got.numbers()).toEqual([2]);
  });

  it('resumes a pulled (iterator) subscription the same way', async () => {
    const { channel } = retainingHub();
    await broadcast(channel, 'a', 1, 3);
    const sub = channel.subscribe('a', { resumeFrom: decodeCursor(Buffer.from('["a","1"]').toString('base64url')) });
    await sub.ready;
    await broadcast(channel, 'a', 4, 4);
    const values: number[] = [];
    for (let i = 0; i < 3; i++) values.push(((await sub.next()).value as { n: number }).n);
    expect(values).toEqual([2, 3, 4]);
  });

  it('replays at most queueLimit notifications, the newest; those left out are in the gap', async () => {
    const { channel } = retainingHub(100);
    await broadcast(channel, 'a', 1, 10);
    const got = recorder();
    const from = decodeCursor(Buffer.from('["","0","a","2"]').toString('base64url'));
    const sub = got.set(
      channel.subscribe('a', { onNotification: got.onNotification, resumeFrom: from, queueLimit: 5 }),
    );
    await sub.ready;
    expect(sub.resumeGap).toEqual({ missed: 3 });
    expect(got.numbers()).toEqual([6, 7, 8, 9, 10]);
  });
});
