import { describe, expect, it } from 'vitest';
import { PrefixCache } from '../src/prefixes.js';

describe('PrefixCache', () => {
  it('builds the start of a message up to its payload, escaping the id as JSON', () => {
    const cache = new PrefixCache('next');
    const prefix = cache.prefix('a"b');
    expect(prefix).toBe('{"id":"a\\"b","type":"next","payload":');
    expect(JSON.parse(`${prefix}{"data":null}}`)).toEqual({ id: 'a"b', type: 'next', payload: { data: null } });
    expect(new PrefixCache('data').prefix('1')).toBe('{"id":"1","type":"data","payload":');
  });

  it('keeps one prefix per short id up to its limit, and builds the others each time, correctly', () => {
    const cache = new PrefixCache('next', 2, 8);
    cache.prefix('1');
    cache.prefix('1');
    expect(cache.size).toBe(1);
    // A long id (a UUID, or a huge one sent to pin memory) is never kept.
    const uuid = '0b7c6a1e-3f1d-4c59-9d5e-2a6f0e3b9c11';
    expect(cache.prefix(uuid)).toBe(`{"id":"${uuid}","type":"next","payload":`);
    expect(cache.size).toBe(1);
    cache.prefix('2');
    // Over the limit: not kept, but still right.
    expect(cache.prefix('3')).toBe('{"id":"3","type":"next","payload":');
    expect(cache.size).toBe(2);
  });
});
