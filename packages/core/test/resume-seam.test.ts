import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, ResumeSeam, type SeamItem } from '../src/resume-seam.js';

describe('cursor', () => {
  it('round-trips a position over several groups, including the channel-wide one', () => {
    const position = new Map([
      ['room:1', '17'],
      ['', '3'],
      ['room:"2"', '1700000000000-4'],
    ]);
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor)).toEqual({ position, all: false });
  });

  it('reads "0" as the whole retained history', () => {
    expect(decodeCursor('0')).toEqual({ position: new Map(), all: true });
  });

  it.each([
    '',
    'not base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["g"]').toString('base64url'),
    Buffer.from('["g","x"]').toString('base64url'),
    Buffer.from('[1,"2"]').toString('base64url'),
    42,
    null,
  ])('refuses %j as malformed', (cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('ResumeSeam', () => {
  const item = (group: string, id: string): SeamItem<string> => ({ group, id, payload: `${group}#${id}` });

  it('delivers history after the cursor, then what arrived live meanwhile, without duplicates', () => {
    const out: string[] = [];
    const seam = new ResumeSeam<string>(new Map([['a', '2']]), (delivered) => out.push(delivered.payload));
    // Live first: 4 and 5 arrive while the history is read.
    seam.live(item('a', '4'));
    seam.live(item('a', '5'));
    seam.replay([item('a', '2'), item('a', '3'), item('a', '4')]);
    seam.open();
    seam.live(item('a', '5'));
    seam.live(item('a', '6'));
    expect(out).toEqual(['a#3', 'a#4', 'a#5', 'a#6']);
    expect(seam.position.get('a')).toBe('6');
  });

  it('keeps each group apart, and passes notifications without ids through', () => {
    const out: string[] = [];
    const seam = new ResumeSeam<string>(new Map([['a', '1']]), (delivered) => out.push(delivered.payload));
    seam.live(item('b', '1'));
    seam.replay([item('a', '2')]);
    seam.replay([item('b', '1')]);
    seam.open();
    seam.live({ group: 'a', id: undefined, payload: 'plain' });
    expect(out).toEqual(['a#2', 'b#1', 'plain']);
  });

  it('joins 1,000 rounds of concurrent history and live without loss or duplicate', () => {
    for (let round = 0; round < 1_000; round++) {
      const out: number[] = [];
      const seam = new ResumeSeam<number>(new Map(), (delivered) => out.push(delivered.payload));
      // Broadcasts 1..20; the live subscription is active from broadcast `l` on, and the history is
      // read just before broadcast `p` (p ≥ l), so it holds 1..p-1; 1..l-1 are only in history.
      const l = 1 + (round % 20);
      const p = l + (Math.floor(round / 20) % (22 - l));
      const readHistory = () => {
        seam.replay(Array.from({ length: p - 1 }, (_, i) => ({ group: 'g', id: String(i + 1), payload: i + 1 })));
        seam.open();
      };
      for (let n = 1; n <= 20; n++) {
        if (n === p) readHistory();
        if (n >= l) seam.live({ group: 'g', id: String(n), payload: n });
      }
      if (p === 21) readHistory();
      expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });
});
