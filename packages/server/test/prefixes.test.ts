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

  it('hands out one string per id until its limit, and correct fresh ones after it', () => {
    const cache = new PrefixCache('next', 2);
    const first = cache.prefix('1');
    expect(cache.prefix('1')).toBe(first);
    cache.prefix('2');
    // Over the limit: not kept, but still right.
    expect(cache.prefix('3')).toBe('{"id":"3","type":"next","payload":');
    expect(cache.prefix('1')).toBe(first);
  });
});
