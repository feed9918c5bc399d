// The subscribe → next → complete cycle of S6, without sockets: graphql-ws's `makeServer` and
// the compatibility entry's, each on a fake socket, alternating rounds, CPU per cycle.
//   NODE_ENV=production pnpm exec tsx bench/compat-subscribe.ts
// It isolates the protocol handling from `ws`, the network and the load generator, which S6
// measures all together (docs/performance.md).
import { makeServer as ourMakeServer } from '@gqlcast/server/graphql-ws';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { makeServer as gwsMakeServer } from 'graphql-ws';

const pubsub = new PubSub<{ tick: string }>();
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      tick: { type: GraphQLString, subscribe: () => pubsub.asyncIterableIterator('tick'), resolve: (value) => value },
    },
  }),
});
// A cached document, as the bench's contenders cache theirs.
const document = parse('subscription { tick }');
const options = { schema, onSubscribe: () => ({ schema, document }) };

interface FakeSocket {
  readonly protocol: string;
  send(data: string): void;
  close(): void;
  onMessage(listener: (data: string) => Promise<void>): void;
}
type Opened = (socket: FakeSocket, extra: object) => unknown;

async function run(label: string, opened: Opened, cycles: number): Promise<void> {
  let receive: ((data: string) => Promise<void>) | undefined;
  let nextArrived: (() => void) | undefined;
  opened(
    {
      protocol: 'graphql-transport-ws',
      send: (data) => {
        if (data.includes('"next"')) nextArrived?.();
      },
      close: () => undefined,
      onMessage: (listener) => {
        receive = listener;
      },
    },
    {},
  );
  if (receive === undefined) throw new Error(`${label}: no message listener`);
  await receive(JSON.stringify({ type: 'connection_init' }));
  const cpu = process.cpuUsage();
  for (let i = 0; i < cycles; i++) {
    const id = String(i);
    const arrived = new Promise<void>((resolve) => (nextArrived = resolve));
    // The subscribe handler settles only when the subscription ends: not awaited.
    void receive(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { tick }' } }));
    await new Promise((resolve) => setImmediate(resolve));
    await pubsub.publish('tick', 'x');
    await arrived;
    await receive(JSON.stringify({ id, type: 'complete' }));
  }
  const used = process.cpuUsage(cpu);
  console.log(`${label} ${((used.user + used.system) / cycles).toFixed(2)} µs CPU per cycle`);
}

for (let round = 0; round < 4; round++) {
  await run('graphql-ws       ', (socket, extra) => gwsMakeServer(options).opened(socket as never, extra), 20_000);
  await run('gqlcast compat   ', (socket, extra) => ourMakeServer(options).opened(socket as never, extra), 20_000);
}
