// The peer contenders deliver exactly what schema.ts says: a real graphql-ws client subscribes
// to `global`, `room` (both parities, and a room nobody publishes to) and two `shaped`
// documents; after a few events and a closing "fence" event per subscription, each subscription
// must have received exactly the expected results, in order. The expected results come from
// graphql-js `execute` over the schema.ts values, i.e. what a plain GraphQL server returns.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { buildSchema, type ExecutionResult, execute, parse } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ContenderModule, ContenderServer } from '../contenders/api.js';
import gwsApollo from '../contenders/gws-apollo.js';
import gwsJit from '../contenders/gws-jit.js';
import gwsRedis from '../contenders/gws-redis.js';
import gwsYoga from '../contenders/gws-yoga.js';
import lRedis from '../contenders/l-redis.js';
import mercurius from '../contenders/mercurius.js';
import mercuriusRedis from '../contenders/mercurius-redis.js';
import {
  globalDocument,
  makePayload,
  type NotificationPayload,
  roomAccepts,
  roomDocument,
  shape,
  shapedDocuments,
  type Topic,
  typeDefs,
} from '../contenders/schema.js';
import yogaRedis from '../contenders/yoga-redis.js';

type Publish = (topic: Topic, payload: NotificationPayload) => void | Promise<void>;

interface Case {
  name: string;
  field: 'global' | 'room' | 'shaped';
  query: string;
  variables: Record<string, unknown>;
  topic: Topic;
  /** The value schema.ts delivers for `payload`, or undefined when it is skipped. */
  value(payload: NotificationPayload): NotificationPayload | undefined;
}

const cases: Case[] = [
  { name: 'global', field: 'global', query: globalDocument, variables: {}, topic: 'global', value: (p) => p },
  ...[0, 1].map(
    (parity): Case => ({
      name: `room r1 parity ${parity}`,
      field: 'room',
      query: roomDocument,
      variables: { id: 'r1', parity },
      topic: 'room:r1',
      value: (p) => (roomAccepts(p, parity) ? p : undefined),
    }),
  ),
  // Nothing but probes and fences is published to r2: anything else arriving here is a leak.
  {
    name: 'room r2 parity 0',
    field: 'room',
    query: roomDocument,
    variables: { id: 'r2', parity: 0 },
    topic: 'room:r2',
    value: (p) => (roomAccepts(p, 0) ? p : undefined),
  },
  ...[
    [0, 2],
    [7, 7],
  ].map(
    ([document, variant]): Case => ({
      name: `shaped document ${document} variant ${variant}`,
      field: 'shaped',
      query: shapedDocuments[document!]!,
      variables: { variant },
      topic: 'shaped',
      value: (p) => shape(p, variant!),
    }),
  ),
];

const reference = buildSchema(typeDefs);

/** What a plain graphql-js server sends for `value` (plain objects, as they arrive over JSON). */
function expected(c: Case, value: NotificationPayload): ExecutionResult {
  const result = execute({
    schema: reference,
    document: parse(c.query),
    rootValue: { [c.field]: value },
    variableValues: c.variables,
  }) as ExecutionResult;
  return JSON.parse(JSON.stringify(result)) as ExecutionResult;
}

/** Probes (readiness) and fences (end of a check) are told apart from events by `seq`. */
const probeBase = 1_000_000;
const fenceBase = 900_000;
const seqOf = (result: ExecutionResult, field: string) => (result.data![field] as { seq: number }).seq;

class Subscription {
  readonly results: ExecutionResult[] = [];
  private waiters: { seq: number; resolve: () => void }[] = [];
  constructor(
    readonly c: Case,
    client: Client,
  ) {
    client.subscribe(
      { query: c.query, variables: c.variables },
      {
        next: (result) => {
          this.results.push(result as ExecutionResult);
          const seq = seqOf(result as ExecutionResult, c.field);
          for (const waiter of this.waiters.filter((w) => w.seq === seq)) waiter.resolve();
          this.waiters = this.waiters.filter((w) => w.seq !== seq);
        },
        error: (error) => {
          throw new Error(`${c.name}: ${JSON.stringify(error)}`);
        },
        complete: () => {},
      },
    );
  }
  /** Resolves when the event with `seq` has arrived. */
  until(seq: number): Promise<void> {
    if (this.results.some((r) => seqOf(r, this.c.field) === seq)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }
}

const topicsOf = [...new Set(cases.map((c) => c.topic))];
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * Subscribes every case over one graphql-ws client, publishes probes until each subscription
 * has one (the server has no "subscribed" signal), then events and fences, and checks that
 * each subscription got its probes, then exactly its expected events, then its fences.
 */
async function checkDelivery(server: ContenderServer, publish: Publish): Promise<void> {
  const client = createClient({
    url: `ws://127.0.0.1:${server.port}${server.path}`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  try {
    const subscriptions = cases.map((c) => new Subscription(c, client));
    // Two probes per topic and round, one per parity, so every room subscription can accept one.
    for (let round = 0; subscriptions.some((s) => s.results.length === 0); round++) {
      if (round > 250) throw new Error('subscriptions never became ready');
      for (const topic of topicsOf) {
        for (const k of [0, 1]) await publish(topic, makePayload(probeBase + 2 * round + k, Date.now(), topic));
      }
      await tick();
    }

    const events = new Map<Topic, NotificationPayload[]>();
    for (const topic of topicsOf) {
      // r2 gets no events, only fences; the others get a few of each parity.
      const count = topic === 'room:r2' ? 0 : 5;
      events.set(
        topic,
        Array.from({ length: count }, (_, i) => makePayload(i + 1, Date.now(), topic)),
      );
    }
    // Two fences per topic, one per parity: each subscription's last expected result.
    const fences = new Map(
      topicsOf.map((topic) => [topic, [0, 1].map((k) => makePayload(fenceBase + k, Date.now(), topic))]),
    );
    for (const topic of topicsOf) for (const payload of events.get(topic)!) await publish(topic, payload);
    for (const topic of topicsOf) for (const payload of fences.get(topic)!) await publish(topic, payload);

    for (const s of subscriptions) {
      const delivered = [...events.get(s.c.topic)!, ...fences.get(s.c.topic)!].flatMap((p) => {
        const value = s.c.value(p);
        return value === undefined ? [] : [value];
      });
      await s.until(delivered.at(-1)!.seq);
      const probes = s.results.filter((r) => seqOf(r, s.c.field) >= probeBase).length;
      expect(probes, s.c.name).toBeGreaterThan(0);
      // Probes first (they were all published before any event), then exactly the events.
      expect(
        s.results.slice(0, probes).every((r) => seqOf(r, s.c.field) >= probeBase),
        s.c.name,
      ).toBe(true);
      expect(s.results.slice(probes), s.c.name).toEqual(delivered.map((v) => expected(s.c, v)));
    }
  } finally {
    await client.dispose();
  }
}

const memoryPeers: ContenderModule[] = [gwsYoga, gwsApollo, gwsJit, mercurius];

describe.each(memoryPeers)('$id (in memory)', (contender) => {
  it('delivers exactly the schema.ts results over graphql-transport-ws', async () => {
    expect(contender.role).toBe('peer');
    const server = await contender.startServer({});
    try {
      expect(server.subprotocols).toContain('graphql-transport-ws');
      // A ws client offers permessage-deflate; every contender must decline it.
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}${server.path}`, 'graphql-transport-ws');
      await once(socket, 'open');
      expect(socket.extensions).toBe('');
      socket.terminate();
      await checkDelivery(server, (topic, payload) => server.publish(topic, payload));
    } finally {
      await server.close();
    }
  });
});

describe('mercurius (legacy graphql-ws subprotocol)', () => {
  it('acks, starts and sends data frames', async () => {
    const server = await mercurius.startServer({});
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}${server.path}`, 'graphql-ws');
    try {
      await once(socket, 'open');
      expect(socket.protocol).toBe('graphql-ws');
      const messages: { type: string; id?: string; payload?: ExecutionResult }[] = [];
      let notify = () => {};
      socket.on('message', (data) => {
        messages.push(JSON.parse(String(data)));
        notify();
      });
      const next = (predicate: (m: (typeof messages)[number]) => boolean) =>
        new Promise<void>((resolve) => {
          notify = () => messages.some(predicate) && resolve();
          notify();
        });
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      await next((m) => m.type === 'connection_ack');
      socket.send(JSON.stringify({ id: '1', type: 'start', payload: { query: globalDocument } }));
      const data = () => messages.filter((m) => m.type === 'data');
      for (let round = 0; data().length === 0; round++) {
        if (round > 250) throw new Error('legacy subscription never became ready');
        server.publish('global', makePayload(probeBase + round, Date.now()));
        await tick();
      }
      const payload = makePayload(7, Date.now());
      server.publish('global', payload);
      await next((m) => m.type === 'data' && seqOf(m.payload!, 'global') === 7);
      const last = data().at(-1)!;
      expect(last).toEqual({ type: 'data', id: '1', payload: expected(cases[0]!, payload) });
      // Every data frame is a probe or the event: nothing else arrived.
      expect(data().every((m) => seqOf(m.payload!, 'global') >= probeBase || m === last)).toBe(true);
    } finally {
      socket.terminate();
      await server.close();
    }
  });
});

/** A throwaway redis-server on a free port, without persistence. */
async function startRedis(): Promise<{ port: number; process: ChildProcess }> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout!.resume();
  return { port, process: child };
}

describe('Redis contenders (a publisher process → Redis → the server)', () => {
  let redis: { port: number; process: ChildProcess };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    redis.process.kill('SIGTERM');
    if (redis.process.exitCode === null) await once(redis.process, 'exit');
  });

  it.each([gwsRedis, yogaRedis, mercuriusRedis, lRedis])('$id', async (contender) => {
    const options = { redis: { host: '127.0.0.1', port: redis.port } };
    const server = await contender.startServer(options);
    const publisher = await contender.startPublisher!(options);
    try {
      await checkDelivery(server, (topic, payload) => publisher.publish(topic, payload));
    } finally {
      await publisher.close();
      await server.close();
    }
  });
});
