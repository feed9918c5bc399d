import { describe, expect, it } from 'vitest';
import { NotificationFrames } from '../src/frames.js';
import { dataFrames } from '../src/protocols/legacy-ws.js';
import { nextFrames } from '../src/protocols/transport-ws.js';

describe('NotificationFrames', () => {
  it('builds the whole frame of a notification, escaping the id as JSON', () => {
    const frame = nextFrames.for('a"b');
    expect(frame.head).toBe('{"id":"a\\"b","type":"next","payload":');
    expect(JSON.parse(frame.build('{"data":null}').toString())).toEqual({
      id: 'a"b',
      type: 'next',
      payload: { data: null },
    });
    expect(dataFrames.for('1').build('{"data":1}').toString()).toBe('{"id":"1","type":"data","payload":{"data":1}}');
  });

  it('keeps one frame per short id up to its limit, and builds the others each time, correctly', () => {
    const frames = new NotificationFrames((id) => `{"id":${JSON.stringify(id)},"type":"next","payload":`, '}', 2, 8);
    expect(frames.for('1')).toBe(frames.for('1'));
    expect(frames.size).toBe(1);
    // A long id (a UUID, or a huge one sent to pin memory) is never kept.
    const uuid = '0b7c6a1e-3f1d-4c59-9d5e-2a6f0e3b9c11';
    expect(frames.for(uuid).head).toBe(`{"id":"${uuid}","type":"next","payload":`);
    expect(frames.size).toBe(1);
    frames.for('2');
    // Over the limit: not kept, but still right.
    expect(frames.for('3').head).toBe('{"id":"3","type":"next","payload":');
    expect(frames.size).toBe(2);
  });
});
