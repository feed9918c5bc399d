// Type tests: checked by `tsc` in the test command (not run by vitest).
// Every `@ts-expect-error` line must fail to compile, or tsc reports the directive as unused.
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import {
  type Channel,
  type ChannelInput,
  type ChannelName,
  type ChannelPayload,
  type ChannelSubscription,
  createHub,
  decodeCursor,
  isSkip,
  SKIP,
  type Skip,
} from '../src/index.js';

const hub = createHub();
const chat = hub.channel('chat', {
  payload: z.object({ room: z.string(), text: z.string(), at: z.coerce.date(), tags: z.array(z.string()).optional() }),
});
const counters = hub.channel('counters', { payload: z.object({ count: z.number() }) });

// The channel keeps its literal name and its schema's input and output types.
expectTypeOf(chat.name).toEqualTypeOf<'chat'>();
expectTypeOf<ChannelName<typeof chat>>().toEqualTypeOf<'chat'>();
expectTypeOf<ChannelInput<typeof chat>>().toEqualTypeOf<{
  room: string;
  text: string;
  at: unknown;
  tags?: string[] | undefined;
}>();
expectTypeOf<ChannelPayload<typeof chat>>().toEqualTypeOf<{
  room: string;
  text: string;
  at: Date;
  tags?: string[] | undefined;
}>();
expectTypeOf(chat).toExtend<Channel<'chat'>>();

// Correct calls compile.
void chat.broadcast({ group: 'room:1', payload: { room: '1', text: 'hi', at: new Date() } });
void chat.broadcast({ payload: { room: '1', text: 'hi', at: '2024-01-01' } });
void chat.unsubscribe({ group: 'room:1' });
void chat.unsubscribe();

// A wrong payload shape does not compile.
// @ts-expect-error text must be a string
void chat.broadcast({ group: 'room:1', payload: { room: '1', text: 42, at: new Date() } });

// A missing required field does not compile.
// @ts-expect-error text is required
void chat.broadcast({ payload: { room: '1', at: new Date() } });

// An unknown field does not compile (object literal check).
// @ts-expect-error `sender` is not in the schema
void chat.broadcast({ payload: { room: '1', text: 'hi', at: new Date(), sender: 'me' } });

// A payload meant for another channel does not compile.
const counterPayload: ChannelInput<typeof counters> = { count: 1 };
// @ts-expect-error a counters payload is not a chat payload
void chat.broadcast({ payload: counterPayload });

// A group must be a string.
// @ts-expect-error group is a string
void chat.broadcast({ group: 1, payload: { room: '1', text: 'hi', at: new Date() } });

// The payload is required.
// @ts-expect-error payload is missing
void chat.broadcast({ group: 'room:1' });

// Subscribers see the output type.
const subscription = chat.subscribe(['room:1', 'room:2']);
expectTypeOf(subscription).toEqualTypeOf<ChannelSubscription<ChannelPayload<typeof chat>>>();
async function consume() {
  for await (const message of subscription) {
    expectTypeOf(message.at).toEqualTypeOf<Date>();
    // @ts-expect-error the payload has no `sender`
    void message.sender;
  }
}
void consume;

// Push delivery sees the output type too.
chat.subscribe('room:1', {
  onNotification: (payload, group) => {
    expectTypeOf(payload.at).toEqualTypeOf<Date>();
    expectTypeOf(group).toEqualTypeOf<string | undefined>();
    // @ts-expect-error the payload has no `sender`
    void payload.sender;
  },
});
expectTypeOf(subscription.queueLimit).toEqualTypeOf<number>();

// Groups are strings.
// @ts-expect-error numbers are not groups
chat.subscribe([1, 2]);

// zod/mini schemas work too.
const mini = hub.channel('mini', { payload: zm.object({ id: zm.string() }) });
void mini.broadcast({ payload: { id: 'a' } });
// @ts-expect-error id is a string
void mini.broadcast({ payload: { id: 1 } });

// Something that is not a zod schema does not compile.
// @ts-expect-error payload must be a zod schema
hub.channel('wrong', { payload: { id: 'string' } });

// SKIP is a unique symbol type.
expectTypeOf(SKIP).toEqualTypeOf<Skip>();
const maybe: string | Skip = Math.random() > 0.5 ? SKIP : 'value';
if (!isSkip(maybe)) expectTypeOf(maybe).toEqualTypeOf<string>();

// Retention (issue 19): `retain` takes count and/or maxAgeMs, numbers only.
hub.channel('retained', { payload: z.object({ n: z.number() }), retain: { count: 100, maxAgeMs: 60_000 } });
hub.channel('retainedByCount', { payload: z.object({ n: z.number() }), retain: { count: 10 } });
// @ts-expect-error: count is a number
hub.channel('badRetain', { payload: z.object({ n: z.number() }), retain: { count: '10' } });
// @ts-expect-error: an unknown bound
hub.channel('badRetain2', { payload: z.object({ n: z.number() }), retain: { size: 10 } });

// Retention: `retain` takes a count, an age or both, as numbers; `resumeFrom` takes a decoded cursor.
const retained = hub.channel('retained', {
  payload: z.object({ n: z.number() }),
  retain: { count: 100, maxAgeMs: 60_000 },
});
retained.subscribe('g', { resumeFrom: decodeCursor('0') });
// @ts-expect-error a count is a number
hub.channel('badRetain', { payload: z.object({ n: z.number() }), retain: { count: '100' } });
// @ts-expect-error resumeFrom is a decoded cursor (decodeCursor), not the cursor string
retained.subscribe('g', { resumeFrom: 'AAAA' });
expectTypeOf(retained.subscribe('g').cursor()).toEqualTypeOf<string | undefined>();
