// The soak's server process: a gqlcast server whose schema has one subscription per group,
// broadcasting `rate` ticks per second spread over `groups` groups. Driven over IPC.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHub, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import { redisLayer } from '@gqlcast/redis';
import { createGraphqlWsServer } from '@gqlcast/server';
import SchemaBuilder from '@pothos/core';
import { z } from 'zod';
import { processStats } from './stats.js';

const [redisUrl] = process.argv.slice(2);
const layer = redisUrl ? redisLayer({ url: redisUrl, keyPrefix: 'soak:', logger: silentLogger }) : undefined;
const hub = createHub({ layer, logger: silentLogger });
const ticks = hub.channel('ticks', { payload: z.object({ group: z.number(), seq: z.number(), sentAt: z.number() }) });

const builder = new SchemaBuilder({ plugins: [GqlcastPlugin] });
builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
const Tick = builder.objectRef<{ group: number; seq: number; sentAt: number }>('Tick');
Tick.implement({
  fields: (t) => ({ group: t.exposeInt('group'), seq: t.exposeInt('seq'), sentAt: t.exposeFloat('sentAt') }),
});
builder.subscriptionType({
  fields: (t) => ({
    onTick: t.subscriptionField({
      type: Tick,
      nullable: false,
      channel: ticks,
      args: { group: t.arg.int({ required: true }) },
      subscribe: (args) => `g${args.group}`,
    }),
  }),
});

const gql = createGraphqlWsServer({
  schema: builder.toSchema(),
  confirmSubscriptions: true,
  heartbeatInterval: false,
  messageRate: false,
  maxPayload: 65_536,
  logger: silentLogger,
});
const http = createServer();
gql.attach(http, { path: '/graphql' });
http.listen(0, '127.0.0.1');
await once(http, 'listening');

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const sequences = new Map<number, number>();
let timer: NodeJS.Timeout | undefined;
let sent = 0;

function tick(groups: number): void {
  const group = sent % groups;
  const seq = (sequences.get(group) ?? 0) + 1;
  sequences.set(group, seq);
  sent++;
  void ticks
    .broadcast({ group: `g${group}`, payload: { group, seq, sentAt: performance.timeOrigin + performance.now() } })
    .catch(() => undefined);
}

process.on('message', async (message: { type: string; rate?: number; groups?: number }) => {
  switch (message.type) {
    case 'start': {
      loopDelay.enable();
      const every = 1000 / (message.rate ?? 100);
      timer = setInterval(() => tick(message.groups ?? 100), every);
      break;
    }
    case 'stop':
      clearInterval(timer);
      loopDelay.disable();
      process.send?.({ type: 'stopped', sent, sequences: Object.fromEntries(sequences) });
      break;
    case 'stats': {
      process.send?.({
        type: 'stats',
        ...(await processStats(redisUrl)),
        connections: gql.connectionCount,
        hub: hub.stats(),
        loopDelayP99: loopDelay.percentile(99) / 1e6,
      });
      break;
    }
    case 'exit':
      await gql.close();
      await hub.close();
      process.exit(0);
  }
});
process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
