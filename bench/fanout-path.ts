// The push path's own CPU per notification, without sockets: N subscribers of one field on fake
// sockets that only count frames, B broadcasts back to back, each field variant in alternating rounds.
//   NODE_ENV=production pnpm exec tsx bench/fanout-path.ts [subscribers] [broadcasts] [rounds]
// S1 and S1b measure this path together with `ws`, the kernel's `writev` and the load generator;
// this isolates gqlcast's part of it (docs/performance.md, "Three levels").
import { createHub, SKIP, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import { createGraphqlWsServer } from '@gqlcast/server';
import SchemaBuilder from '@pothos/core';
import { payload } from './contenders/gqlcast.js';
import { makePayload, type NotificationPayload } from './contenders/schema.js';

const subscribers = Number(process.argv[2] ?? 2_000);
const broadcasts = Number(process.argv[3] ?? 200);
const rounds = Number(process.argv[4] ?? 5);

const hub = createHub({ logger: silentLogger, telemetry: false });
const channel = hub.channel('events', { payload });

const builder = new SchemaBuilder({ plugins: [GqlcastPlugin], gqlcast: { logger: silentLogger } });
builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
const Author = builder.objectRef<NotificationPayload['author']>('Author').implement({
  fields: (t) => ({ id: t.exposeID('id'), name: t.exposeString('name'), avatar: t.exposeString('avatar') }),
});
const Event = builder.objectRef<NotificationPayload>('Event').implement({
  fields: (t) => ({
    seq: t.exposeInt('seq'),
    text: t.exposeString('text'),
    author: t.expose('author', { type: Author }),
    tags: t.exposeStringList('tags'),
    score: t.exposeFloat('score'),
    pinned: t.exposeBoolean('pinned'),
    createdAt: t.exposeString('createdAt'),
  }),
});
/** The field variants measured: what a user may write, from the fastest to the general case. */
const variants = {
  /** `share`: one `publish` and one execution per broadcast for everyone. */
  share: 'shared',
  /** No `publish`: every subscriber gets the payload (automatic sharing). */
  plain: 'plain',
  /** `publish` returns the payload: it runs per subscriber, the execution is shared automatically. */
  identity: 'identity',
  /** `publish` builds a new object per subscriber: nothing can be shared. */
  fresh: 'fresh',
  /** `publish` SKIPs half the subscribers and returns the payload to the others. */
  half: 'half',
} as const;
builder.subscriptionType({
  fields: (t) => ({
    shared: t.subscriptionField({ type: Event, nullable: false, channel, share: true }),
    plain: t.subscriptionField({ type: Event, nullable: false, channel }),
    identity: t.subscriptionField({ type: Event, nullable: false, channel, publish: (event) => event }),
    fresh: t.subscriptionField({ type: Event, nullable: false, channel, publish: (event) => ({ ...event }) }),
    half: t.subscriptionField({
      type: Event,
      nullable: false,
      channel,
      args: { parity: t.arg.int({ required: true }) },
      publish: (event, args) => (event.seq % 2 === args.parity ? event : SKIP),
    }),
  }),
});
const server = createGraphqlWsServer({ schema: builder.toSchema(), logger: silentLogger, heartbeatInterval: false });

const selection = 'seq text author { id name avatar } tags score pinned createdAt';
let frames = 0;
function fakeSocket() {
  return {
    protocol: 'graphql-transport-ws' as const,
    bufferedAmount: 0,
    send(_data: string | Buffer) {
      frames++;
    },
    drained: () => undefined,
    close: () => undefined,
  };
}

async function connect(field: string, count: number) {
  const handles = [];
  for (let i = 0; i < count; i++) {
    const handle = server.core.open(fakeSocket(), { headers: {} });
    handle.receive(JSON.stringify({ type: 'connection_init' }));
    handles.push(handle);
  }
  // Acknowledged (a subscribe before the ack is refused with 4401).
  await new Promise((resolve) => setTimeout(resolve, 50));
  const query =
    field === 'half'
      ? `subscription ($p: Int!) { half(parity: $p) { ${selection} } }`
      : `subscription { ${field} { ${selection} } }`;
  handles.forEach((handle, i) => {
    handle.receive(JSON.stringify({ id: 's', type: 'subscribe', payload: { query, variables: { p: i % 2 } } }));
  });
  // Every subscription confirmed in the layer.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return handles;
}

async function measure(field: string): Promise<number> {
  const handles = await connect(field, subscribers);
  frames = 0;
  const events = Array.from({ length: broadcasts }, (_, i) => makePayload(i, Date.now()));
  const cpu = process.cpuUsage();
  for (const event of events) await channel.broadcast({ payload: event });
  const used = process.cpuUsage(cpu);
  const delivered = frames;
  for (const handle of handles) handle.receive(JSON.stringify({ id: 's', type: 'complete' }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return ((used.user + used.system) * 1000) / delivered; // ns per delivered notification
}

const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const field of Object.values(variants)) {
    const ns = await measure(field);
    if (round > 0) results.set(field, [...(results.get(field) ?? []), ns]); // round 0: warm-up
  }
}
console.log(
  `${subscribers} subscribers, ${broadcasts} broadcasts, ${rounds - 1} rounds (median ns of CPU per delivered notification)`,
);
for (const [field, all] of results) {
  const sorted = [...all].sort((a, b) => a - b);
  console.log(
    `${field.padEnd(10)} ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)}  (${sorted.map(Math.round).join(' ')})`,
  );
}
await server.close();
await hub.close();
