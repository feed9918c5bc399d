import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeNotification } from '../src/codec.js';
import {
  createHub,
  ErrorCode,
  isGqlcastError,
  type Layer,
  memoryLayer,
  msgpackCodec,
  PayloadValidationError,
  silentLogger,
} from '../src/index.js';
import { deferred } from '../src/testing/index.js';
import { countingLayer, recordingLogger, take } from './helpers.js';

const message = z.object({ room: z.string(), text: z.string() });

function setup(options: { queueLimit?: number; layer?: Layer } = {}) {
  const logger = recordingLogger();
  const hub = createHub({ logger, ...options });
  const chat = hub.channel('chat', { payload: message });
  return { hub, chat, logger };
}

describe('channels', () => {
  it('refuses a second channel with the same name on one hub', () => {
    const { hub } = setup();
    let caught: unknown;
    try {
      hub.channel('chat', { payload: message });
    } catch (error) {
      caught = error;
    }
    expect(isGqlcastError(caught, ErrorCode.ChannelExists)).toBe(true);
    expect((caught as Error).message).toContain('Channel "chat" is already declared');
    // Another hub is another namespace.
    expect(createHub().channel('chat', { payload: message }).name).toBe('chat');
  });

  it('refuses names that would make topics ambiguous, and non-zod payload schemas', () => {
    const hub = createHub();
    for (const name of ['', 'a:b', '1abc', 'has space', 'x'.repeat(129)]) {
      expect(() => hub.channel(name, { payload: message })).toThrow(/Invalid channel name/);
    }
    expect(() => hub.channel('plain', { payload: { parse: () => 1 } as never })).toThrow(
      /options.payload must be a zod 4 schema/,
    );
  });
});

describe('broadcast', () => {
  it('delivers to subscribers of the group and to nobody else', async () => {
    const { chat } = setup();
    const inRoom = chat.subscribe('room:1');
    const otherRoom = chat.subscribe(['room:2']);
    await Promise.all([inRoom.ready, otherRoom.ready]);
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'hello' } });
    await chat.broadcast({ group: 'room:2', payload: { room: '2', text: 'sentinel' } });
    expect(await take(otherRoom, 1)).toEqual([{ room: '2', text: 'sentinel' }]);
    expect(await take(inRoom, 1)).toEqual([{ room: '1', text: 'hello' }]);
    expect(otherRoom.pending).toBe(0);
    expect(inRoom.pending).toBe(0);
  });

  it('reaches every subscriber of the channel when no group is given', async () => {
    const { chat } = setup();
    const subscriptions = [chat.subscribe(), chat.subscribe('room:1'), chat.subscribe(['room:2', 'room:3'])];
    await Promise.all(subscriptions.map((s) => s.ready));
    await chat.broadcast({ payload: { room: '*', text: 'to all' } });
    for (const subscription of subscriptions) {
      expect(await take(subscription, 1)).toEqual([{ room: '*', text: 'to all' }]);
    }
  });

  it('delivers the parsed output of the schema (transforms and defaults applied)', async () => {
    const hub = createHub();
    const events = hub.channel('events', {
      payload: z.object({ at: z.coerce.date(), tags: z.array(z.string()).default([]), name: z.string().trim() }),
    });
    const subscription = events.subscribe();
    await subscription.ready;
    await events.broadcast({ payload: { at: '2024-01-02T03:04:05.000Z', name: '  padded  ' } });
    const [received] = await take(subscription, 1);
    expect(received).toEqual({ at: new Date('2024-01-02T03:04:05.000Z'), tags: [], name: 'padded' });
    expect(received?.at).toBeInstanceOf(Date);
  });

  it('keeps Date, Map, Set, BigInt and typed arrays through the layer', async () => {
    const hub = createHub();
    const rich = hub.channel('rich', {
      payload: z.object({
        when: z.date(),
        map: z.map(z.string(), z.number()),
        set: z.set(z.string()),
        big: z.bigint(),
        bytes: z.instanceof(Uint8Array),
        nested: z.object({ list: z.array(z.object({ deep: z.boolean() })) }),
      }),
    });
    const subscription = rich.subscribe();
    await subscription.ready;
    const payload = {
      when: new Date(0),
      map: new Map([['a', 1]]),
      set: new Set(['s']),
      big: 2n ** 80n,
      bytes: new Uint8Array([0, 255]),
      nested: { list: [{ deep: true }] },
    };
    await rich.broadcast({ payload });
    const [received] = await take(subscription, 1);
    expect(received).toEqual(payload);
    expect(received?.map).toBeInstanceOf(Map);
    expect(received?.set).toBeInstanceOf(Set);
  });

  it('rejects a bad payload, naming channel, group and each issue with its path, and sends nothing', async () => {
    const { chat } = setup();
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    let returned: Promise<void> | undefined;
    expect(() => {
      returned = chat.broadcast({ group: 'room:1', payload: { room: 7, text: undefined } as never });
    }).not.toThrow();
    const error = await returned?.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadValidationError);
    const invalid = error as PayloadValidationError;
    expect(invalid.code).toBe(ErrorCode.PayloadInvalid);
    expect(invalid.channel).toBe('chat');
    expect(invalid.group).toBe('room:1');
    expect(invalid.issues.map((issue) => issue.path)).toEqual([['room'], ['text']]);
    expect(invalid.message).toContain('Invalid payload for channel "chat" (group "room:1")');
    expect(invalid.message).toMatch(/room: .*expected string/);
    expect(invalid.message).toMatch(/text: .*expected string/);

    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'sentinel' } });
    expect(await take(subscription, 1)).toEqual([{ room: '1', text: 'sentinel' }]);
    expect(subscription.pending).toBe(0);
  });

  it('sends 0 bytes to the layer for a payload failing its schema, and later valid ones go out', async () => {
    const layer = countingLayer();
    const { chat } = setup({ layer });
    const error = await chat
      .broadcast({ group: 'room:1', payload: { room: '1', text: 42 } as never })
      .catch((e: unknown) => e as PayloadValidationError);
    expect(layer.published).toEqual([]);
    // The message names the channel, the group, the path, what was expected and what was received.
    expect((error as Error).message).toBe(
      'Invalid payload for channel "chat" (group "room:1"); nothing was sent:\n  - text: Invalid input: expected string, received number',
    );
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'valid' } });
    expect(layer.published).toEqual(['chat:room:1']);
  });

  it('rejects (never throws) for an invalid group, a missing message and an unencodable payload', async () => {
    const hub = createHub();
    const loose = hub.channel('loose', { payload: z.object({ value: z.any() }) });
    const badGroup = loose.broadcast({ group: '', payload: { value: 1 } });
    await expect(badGroup).rejects.toSatisfy((e: unknown) => isGqlcastError(e, ErrorCode.InvalidGroup));
    const noMessage = loose.broadcast(undefined as never);
    await expect(noMessage).rejects.toBeInstanceOf(PayloadValidationError);
    const subscription = loose.subscribe();
    await subscription.ready;
    const unencodable = loose.broadcast({ group: 'g', payload: { value: () => 'no' } });
    await expect(unencodable).rejects.toSatisfy((e: unknown) => isGqlcastError(e, ErrorCode.PayloadUnencodable));
    await expect(unencodable).rejects.toThrow(/Cannot encode the payload for channel "loose" \(group "g"\)/);
    await loose.broadcast({ payload: { value: 'sentinel' } });
    expect(await take(subscription, 1)).toEqual([{ value: 'sentinel' }]);
  });

  it('keeps call order of broadcasts that are not awaited, across groups', async () => {
    const { chat } = setup();
    const subscription = chat.subscribe(['a', 'b']);
    await subscription.ready;
    const sent = Array.from({ length: 500 }, (_, i) => ({ room: i % 3 === 0 ? 'a' : 'b', text: String(i) }));
    for (const payload of sent) void chat.broadcast({ group: payload.room, payload });
    expect(await take(subscription, sent.length)).toEqual(sent);
  });

  it('keeps call order when an async-validated payload comes first', async () => {
    const hub = createHub();
    const slow = hub.channel('slow', {
      payload: z.object({ n: z.number() }).refine(async (value) => {
        await new Promise((resolve) => setImmediate(resolve));
        return value.n >= 0;
      }),
    });
    const subscription = slow.subscribe();
    await subscription.ready;
    const results = [0, -1, 1, 2].map((n) =>
      slow.broadcast({ payload: { n } }).then(
        () => 'sent',
        (error: unknown) => (isGqlcastError(error, ErrorCode.PayloadInvalid) ? 'invalid' : 'other'),
      ),
    );
    expect(await Promise.all(results)).toEqual(['sent', 'invalid', 'sent', 'sent']);
    expect(await take(subscription, 3)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it('keeps call order when a slow valid payload is followed by a fast invalid one', async () => {
    const hub = createHub();
    const gate = deferred();
    const mixed = hub.channel('mixed', {
      payload: z.object({ n: z.number() }).refine(async (value) => {
        if (value.n === 1) await gate.promise;
        return value.n !== 2;
      }),
    });
    const subscription = mixed.subscribe();
    await subscription.ready;
    const first = mixed.broadcast({ payload: { n: 1 } });
    const second = mixed.broadcast({ payload: { n: 2 } });
    const third = mixed.broadcast({ payload: { n: 3 } });
    // The invalid one waits its turn too: it settles only after the slow one was handed over.
    gate.resolve();
    await expect(second).rejects.toBeInstanceOf(PayloadValidationError);
    await Promise.all([first, third]);
    expect(await take(subscription, 2)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('decodes each message once per process: every subscriber gets the same object', async () => {
    const { chat } = setup();
    const first = chat.subscribe('room:1');
    const second = chat.subscribe('room:1');
    await Promise.all([first.ready, second.ready]);
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'shared' } });
    const [[a], [b]] = await Promise.all([take(first, 1), take(second, 1)]);
    expect(a).toEqual({ room: '1', text: 'shared' });
    expect(a).toBe(b);
  });
});

describe('layer subscriptions', () => {
  it('subscribes each (channel, group) once per process, and releases it with the last subscriber', async () => {
    const layer = countingLayer();
    const { hub, chat } = setup({ layer });
    const first = chat.subscribe(['room:1', 'room:1']);
    const second = chat.subscribe('room:1');
    const third = chat.subscribe('room:2');
    await Promise.all([first.ready, second.ready, third.ready]);
    expect(first.groups).toEqual(['room:1']);
    expect(layer.subscribes.sort()).toEqual(['chat', 'chat:room:1', 'chat:room:2']);
    expect(hub.stats()).toMatchObject({ subscriptions: 3, topics: 3 });

    await first.return();
    expect(layer.unsubscribes).toEqual([]);
    await second.return();
    expect(layer.unsubscribes).toEqual(['chat:room:1']);
    await third.return();
    expect(layer.unsubscribes.sort()).toEqual(['chat', 'chat:room:1', 'chat:room:2']);
    expect(hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });

    // A new subscriber after release subscribes afresh.
    const again = chat.subscribe('room:1');
    await again.ready;
    expect(layer.subscribes.filter((topic) => topic === 'chat:room:1')).toHaveLength(2);
  });

  it('releases a topic whose last subscriber left before the layer confirmed it', async () => {
    const layer = countingLayer();
    const { chat } = setup({ layer });
    const early = chat.subscribe('room:9');
    await early.return();
    await early.ready;
    expect(layer.unsubscribes.sort()).toEqual(['chat', 'chat:room:9']);
  });

  it('fails ready and the iterator with the layer error, and retries on the next subscribe', async () => {
    const inner = memoryLayer();
    let refuse = true;
    const layer: Layer = {
      ...inner,
      name: 'flaky',
      subscribe: (topic, onMessage) =>
        refuse ? Promise.reject(new Error(`refused ${topic}`)) : inner.subscribe(topic, onMessage),
    };
    const hub = createHub({ layer, logger: silentLogger });
    const chat = hub.channel('chat', { payload: message });
    const failing = chat.subscribe('room:1');
    await expect(failing.ready).rejects.toThrow(/refused chat/);
    await expect(failing.next()).rejects.toThrow(/refused chat/);
    expect(failing.endReason).toBe('error');
    expect(await failing.next()).toEqual({ done: true, value: undefined });
    refuse = false;
    const working = chat.subscribe('room:1');
    await working.ready;
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'after recovery' } });
    expect(await take(working, 1)).toEqual([{ room: '1', text: 'after recovery' }]);
  });
});

describe('layers that fail', () => {
  it('turns a layer that throws synchronously into a failed subscription, without leaking it', async () => {
    const inner = memoryLayer();
    let throwOnSubscribe = true;
    let throwOnUnsubscribe = false;
    const layer: Layer = {
      ...inner,
      name: 'throwing',
      subscribe(topic, onMessage) {
        if (throwOnSubscribe) throw new Error(`cannot subscribe ${topic}`);
        return inner.subscribe(topic, onMessage).then((subscription) => ({
          unsubscribe() {
            if (throwOnUnsubscribe) throw new Error('cannot unsubscribe');
            return subscription.unsubscribe();
          },
        }));
      },
    };
    const logger = recordingLogger();
    const hub = createHub({ layer, logger });
    const chat = hub.channel('chat', { payload: message });
    const failed = chat.subscribe('room:1');
    await expect(failed.ready).rejects.toThrow(/cannot subscribe chat/);
    expect(hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });

    throwOnSubscribe = false;
    const working = chat.subscribe('room:1');
    await working.ready;
    await chat.broadcast({ payload: { room: '*', text: 'channel-wide works' } });
    expect(await take(working, 1)).toEqual([{ room: '*', text: 'channel-wide works' }]);

    throwOnUnsubscribe = true;
    await hub.close();
    expect(working.endReason).toBe('shutdown');
    expect((await logger.next()).message).toMatch(/Could not release layer topic/);
  });

  it('ends a subscription whose layer confirmation is pending at close with "shutdown", not an error', async () => {
    const inner = memoryLayer();
    const confirmation = deferred();
    const layer: Layer = {
      ...inner,
      async subscribe(topic, onMessage) {
        await confirmation.promise;
        return inner.subscribe(topic, onMessage);
      },
    };
    const hub = createHub({ layer });
    const chat = hub.channel('chat', { payload: message });
    const subscription = chat.subscribe('room:1');
    const closing = hub.close();
    confirmation.resolve();
    await closing;
    await expect(subscription.ready).resolves.toBeUndefined();
    expect(subscription.endReason).toBe('shutdown');
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });

  it('reports done after return(), even when a layer error was never read', async () => {
    const layer: Layer = { ...memoryLayer(), subscribe: () => Promise.reject(new Error('refused')) };
    const chat = createHub({ layer }).channel('chat', { payload: message });
    const subscription = chat.subscribe();
    await subscription.ready.catch(() => undefined);
    await subscription.return();
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
  });
});

describe('payloads received from a remote layer', () => {
  /** A memory layer that says it is remote, so the hub checks what it receives. */
  const remoteLayer = (): Layer => ({ ...memoryLayer(), remote: true });
  const frame = (payload: unknown) => encodeNotification(msgpackCodec(), payload, 'x', undefined);

  it('drops a payload that fails the schema, with one log line and a counter, and delivers the rest', async () => {
    const logger = recordingLogger();
    const hub = createHub({ layer: remoteLayer(), logger });
    const chat = hub.channel('chat', { payload: message });
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'before' } });
    // Another program publishes on our topic: a well-formed frame with a wrong payload, then bytes that are not msgpack.
    await hub.layer.publish('chat:room:1', frame({ room: 1 }));
    await hub.layer.publish('chat:room:1', Uint8Array.of(1, 0x92, 0x01)); // a 2-element array with 1 element
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'after' } });
    expect(await take(subscription, 2)).toEqual([
      { room: '1', text: 'before' },
      { room: '1', text: 'after' },
    ]);
    expect(hub.stats().rejected).toBe(2);
    expect(logger.lines.map((line) => line.message)).toEqual([
      'Dropped a message on channel "chat" that fails its schema: room: Invalid input: expected string, received number; text: Invalid input: expected string, received undefined',
      'Dropped an undecodable message on channel "chat".',
    ]);
  });

  it('delivers a transformed payload as sent when the channel turns the check off', async () => {
    const hub = createHub({ layer: remoteLayer() });
    const lengths = hub.channel('lengths', {
      payload: z.string().transform((text) => text.length),
      validateReceived: false,
    });
    const subscription = lengths.subscribe();
    await subscription.ready;
    await lengths.broadcast({ payload: 'four' });
    expect(await take(subscription, 1)).toEqual([4]);
  });

  it('does not check payloads of a local layer: they were checked by the broadcast', async () => {
    const hub = createHub();
    const lengths = hub.channel('lengths', { payload: z.string().transform((text) => text.length) });
    const subscription = lengths.subscribe();
    await subscription.ready;
    await lengths.broadcast({ payload: 'three' });
    expect(await take(subscription, 1)).toEqual([5]);
    expect(hub.stats().rejected).toBe(0);
  });
});

describe('bounded queues', () => {
  it('drops the oldest when a subscriber falls behind, counts it and warns with channel and group', async () => {
    const { hub, chat, logger } = setup({ queueLimit: 3 });
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    for (let i = 0; i < 5; i++) await chat.broadcast({ group: 'room:1', payload: { room: '1', text: String(i) } });
    expect(await take(subscription, 3)).toEqual(['2', '3', '4'].map((text) => ({ room: '1', text })));
    expect(subscription.dropped).toBe(2);
    expect(hub.stats().dropped).toBe(2);
    // One line for the burst, not one per drop.
    const warning = await logger.next();
    expect(warning.level).toBe('warn');
    expect(warning.details).toMatchObject({ channel: 'chat', groups: ['room:1'], dropped: 2, queueLimit: 3 });
    expect(warning.message).toContain('dropped 2 oldest notification(s)');
    expect(logger.lines).toHaveLength(1);
  });

  it('bounds each subscriber to 1024 pending notifications by default', async () => {
    const { chat } = setup();
    const subscription = chat.subscribe();
    await subscription.ready;
    for (let i = 0; i < 1030; i++) void chat.broadcast({ payload: { room: 'r', text: String(i) } });
    await chat.broadcast({ payload: { room: 'r', text: 'last' } });
    expect(subscription.pending).toBe(1024);
    expect(subscription.dropped).toBe(7);
    expect((await take(subscription, 1))[0]?.text).toBe('7');
  });

  it('keeps only the latest with a per-subscription limit of 1: warns once, then logs at debug level', async () => {
    const { chat, logger } = setup();
    const latest = chat.subscribe(undefined, { queueLimit: 1 });
    const all = chat.subscribe();
    await Promise.all([latest.ready, all.ready]);
    for (let i = 0; i < 4; i++) await chat.broadcast({ payload: { room: 'r', text: String(i) } });
    expect(await take(latest, 1)).toEqual([{ room: 'r', text: '3' }]);
    expect(latest.dropped).toBe(3);
    expect(all.dropped).toBe(0);
    expect(all.pending).toBe(4);
    expect(await logger.next()).toMatchObject({ level: 'warn', details: { dropped: 3, queueLimit: 1 } });
    for (let i = 4; i < 6; i++) await chat.broadcast({ payload: { room: 'r', text: String(i) } });
    expect(await logger.next()).toMatchObject({ level: 'debug', details: { dropped: 1, totalDropped: 4 } });
  });

  it('refuses queue limits that are not whole numbers of at least 1', () => {
    expect(() => createHub({ queueLimit: 0 })).toThrow(/createHub: queueLimit must be a whole number/);
    const { chat } = setup();
    expect(() => chat.subscribe(undefined, { queueLimit: 1.5 })).toThrow(/subscribe: queueLimit/);
    expect(() => chat.subscribe(undefined, { queueLimit: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('ending subscriptions', () => {
  it('channel.unsubscribe(group) delivers what came before, then ends that group only', async () => {
    const { chat } = setup();
    const leaving = chat.subscribe('room:1');
    const staying = chat.subscribe('room:2');
    await Promise.all([leaving.ready, staying.ready]);
    void chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'last words' } });
    void chat.unsubscribe({ group: 'room:1' });
    void chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'too late' } });
    expect(await leaving.ended).toBe('unsubscribe');
    expect(await leaving.next()).toEqual({ done: false, value: { room: '1', text: 'last words' } });
    expect(await leaving.next()).toEqual({ done: true, value: undefined });
    await chat.broadcast({ group: 'room:2', payload: { room: '2', text: 'still here' } });
    expect(await take(staying, 1)).toEqual([{ room: '2', text: 'still here' }]);
    expect(staying.endReason).toBeUndefined();
  });

  it('spares subscriptions this process started after the unsubscribe call', async () => {
    const { chat } = setup();
    const before = chat.subscribe('room:1');
    await before.ready;
    const unsubscribing = chat.unsubscribe({ group: 'room:1' });
    const after = chat.subscribe('room:1');
    await Promise.all([unsubscribing, after.ready]);
    expect(await before.ended).toBe('unsubscribe');
    await chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'still listening' } });
    expect(await take(after, 1)).toEqual([{ room: '1', text: 'still listening' }]);
    expect(after.endReason).toBeUndefined();
  });

  it('channel.unsubscribe() without a group ends every subscription of the channel', async () => {
    const { hub, chat } = setup();
    const subscriptions = [chat.subscribe(), chat.subscribe('room:1'), chat.subscribe(['room:2', 'room:3'])];
    await Promise.all(subscriptions.map((s) => s.ready));
    await chat.unsubscribe();
    expect(await Promise.all(subscriptions.map((s) => s.ended))).toEqual(['unsubscribe', 'unsubscribe', 'unsubscribe']);
    expect(hub.stats()).toMatchObject({ subscriptions: 0, topics: 0 });
  });

  it('ends with "abort" when the signal aborts, and at once for an aborted signal', async () => {
    const { chat } = setup();
    const controller = new AbortController();
    const subscription = chat.subscribe('room:1', { signal: controller.signal });
    const waiting = subscription.next();
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(subscription.endReason).toBe('abort');
    const late = chat.subscribe(undefined, { signal: AbortSignal.abort() });
    expect(await late.ended).toBe('abort');
  });

  it('ends a for-await loop on break, releasing the subscription', async () => {
    const { hub, chat } = setup();
    const subscription = chat.subscribe('room:1');
    await subscription.ready;
    void chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'only' } });
    for await (const received of subscription) {
      expect(received.text).toBe('only');
      break;
    }
    expect(subscription.endReason).toBe('return');
    expect(hub.stats().subscriptions).toBe(0);
  });

  it('refuses invalid groups synchronously when subscribing', () => {
    const { chat } = setup();
    expect(() => chat.subscribe(['ok', 42 as never])).toThrow(/Invalid group for channel "chat".*got number/);
    expect(() => chat.subscribe({} as never)).toThrow(/expected a string, an array of strings or nothing/);
    expect(() => chat.subscribe('x'.repeat(1025))).toThrow(/at most 1024 characters/);
  });
});

describe('closing the hub', () => {
  it('ends every subscription with "shutdown", closes the layer and refuses further work', async () => {
    const { hub, chat } = setup();
    const subscriptions = [chat.subscribe(), chat.subscribe('room:1')];
    const waiting = subscriptions[0]?.next();
    await hub.close();
    await hub.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(subscriptions.map((s) => s.endReason)).toEqual(['shutdown', 'shutdown']);
    expect(hub.closed).toBe(true);
    expect(hub.layer.health().status).toBe('closed');
    const late = chat.broadcast({ payload: { room: '1', text: 'late' } });
    await expect(late).rejects.toSatisfy((e: unknown) => isGqlcastError(e, ErrorCode.HubClosed));
    await expect(late).rejects.toThrow('Cannot broadcast on channel "chat": the hub is closed.');
    expect(() => chat.subscribe()).toThrow(/the hub is closed/);
    expect(() => hub.channel('other', { payload: message })).toThrow(/the hub is closed/);
  });
});
