// gqlcast, the contender under test: @gqlcast/server (graphql-transport-ws and legacy graphql-ws
// on one endpoint) + a Pothos schema built with @gqlcast/pothos that implements schema.ts
// exactly; the memory layer by default, @gqlcast/redis's layer when started with `redis` (S5).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHub, type Hub, type RetainOptions, SKIP, silentLogger } from '@gqlcast/core';
import GqlcastPlugin from '@gqlcast/pothos';
import { redisLayer } from '@gqlcast/redis';
import { createGraphqlWsServer, type ExecuteFunction } from '@gqlcast/server';
import SchemaBuilder from '@pothos/core';
import { z } from 'zod';
import type { ContenderModule, ServerOptions } from './api.js';
import { type NotificationPayload, roomAccepts, shape, type Topic } from './schema.js';

/** The workload's payload, as every gqlcast contender's channels declare it (and bench/fanout-path.ts). */
export const payload = z.object({
  t: z.number(),
  seq: z.number(),
  room: z.string(),
  kind: z.string(),
  text: z.string(),
  author: z.object({ id: z.string(), name: z.string(), avatar: z.string() }),
  tags: z.array(z.string()),
  score: z.number(),
  pinned: z.boolean(),
  edited: z.boolean(),
  createdAt: z.string(),
  variant: z.number(),
});

/**
 * The three channels of the workload, on one hub (server and publisher declare the same).
 * `retain`: `room` (S5's channel) keeps that history (gqlcast-retain: what resuming costs).
 */
function channels(hub: Hub, retain?: RetainOptions) {
  return {
    global: hub.channel('global', { payload }),
    room: hub.channel('room', { payload, retain }),
    shaped: hub.channel('shaped', { payload }),
  };
}

type Channels = ReturnType<typeof channels>;

function hubFor(options: ServerOptions, telemetry = true): Hub {
  const layer = options.redis
    ? redisLayer({
        url: `redis://${options.redis.host}:${options.redis.port}`,
        keyPrefix: 'bench:',
        logger: silentLogger,
      })
    : undefined;
  return createHub({ layer, logger: silentLogger, telemetry });
}

/** `room:<id>` → channel `room`, group `<id>`; `global` and `shaped` are channel-wide. */
function publishTo(ch: Channels, topic: Topic, event: NotificationPayload): Promise<void> {
  if (topic === 'global') return ch.global.broadcast({ payload: event });
  if (topic === 'shaped') return ch.shaped.broadcast({ payload: event });
  return ch.room.broadcast({ group: topic.slice('room:'.length), payload: event });
}

function buildSchema(ch: Channels, shareRooms: boolean, declareShare: boolean) {
  const builder = new SchemaBuilder({ plugins: [GqlcastPlugin], gqlcast: { logger: silentLogger } });
  builder.queryType({ fields: (t) => ({ ok: t.boolean({ resolve: () => true }) }) });
  const Author = builder.objectRef<NotificationPayload['author']>('Author').implement({
    fields: (t) => ({ id: t.exposeID('id'), name: t.exposeString('name'), avatar: t.exposeString('avatar') }),
  });
  const Notification = builder.objectRef<NotificationPayload>('Notification').implement({
    fields: (t) => ({
      t: t.exposeFloat('t'),
      seq: t.exposeInt('seq'),
      room: t.exposeString('room'),
      kind: t.exposeString('kind'),
      text: t.exposeString('text'),
      author: t.expose('author', { type: Author }),
      tags: t.exposeStringList('tags'),
      score: t.exposeFloat('score'),
      pinned: t.exposeBoolean('pinned'),
      edited: t.exposeBoolean('edited'),
      createdAt: t.exposeString('createdAt'),
      variant: t.exposeInt('variant'),
    }),
  });
  builder.subscriptionType({
    fields: (t) => ({
      // The value depends on the payload only: every subscriber shares one execution per broadcast.
      // Without `share` (gqlcast-noshare), as issue 17 states S1's case: `publish` returns the
      // payload, so it runs per subscriber and the execution is shared automatically.
      global: t.subscriptionField({
        type: Notification,
        nullable: false,
        channel: ch.global,
        ...(declareShare ? { share: true as const } : { publish: (event: NotificationPayload) => event }),
      }),
      // In memory (S2) left without `share` on purpose: S2 measures the general case, `publish` per
      // subscriber. Over Redis (S5) it shares, as a user would write it: `publish` reads only the
      // payload and `parity`, so subscribers of one room and parity share one execution.
      room: t.subscriptionField({
        type: Notification,
        nullable: false,
        channel: ch.room,
        ...(shareRooms ? { share: true as const } : {}),
        args: { id: t.arg.string({ required: true }), parity: t.arg.int({ required: true }) },
        subscribe: (args) => args.id,
        publish: (event, args) => (roomAccepts(event, args.parity) ? event : SKIP),
      }),
      // The shaped value depends on the payload and `variant` only: one publish per variant and one
      // execution per (variant, document), i.e. 100 per broadcast in S1b.
      shaped: t.subscriptionField({
        type: Notification,
        nullable: false,
        channel: ch.shaped,
        ...(declareShare ? { share: true as const } : {}),
        args: { variant: t.arg.int({ required: true }) },
        publish: (event, args) => shape(event, args.variant),
      }),
    }),
  });
  return builder.toSchema();
}

/** gqlcast with its defaults, or a variant with other server options (gqlcast-jit). */
export function gqlcastContender(variant: {
  id: string;
  description: string;
  packages: readonly string[];
  execute?: ExecuteFunction;
  /** `false`: no `share` on global and shaped, as a user writes a field first (automatic sharing only). */
  share?: boolean;
  /** The `room` channel retains this history, so its results carry cursors (docs/resume.md). */
  retain?: RetainOptions;
  /** `false`: OpenTelemetry turned off on the hub and the server (gqlcast-otel-off). */
  telemetry?: boolean;
  /** Runs first in the server's process, before the hub and the server exist (an SDK to register). */
  setup?: () => void;
  /** Only these scenarios (see `ContenderModule.scenarios`). */
  scenarios?: ContenderModule['scenarios'];
}): ContenderModule {
  return {
    id: variant.id,
    description: variant.description,
    role: 'under-test',
    ...(variant.scenarios === undefined ? {} : { scenarios: variant.scenarios }),
    packages: [
      '@gqlcast/server',
      '@gqlcast/core',
      '@gqlcast/pothos',
      '@gqlcast/redis',
      'graphql',
      'ws',
      ...variant.packages,
    ],
    async startServer(options) {
      variant.setup?.();
      const hub = hubFor(options, variant.telemetry !== false);
      const ch = channels(hub, variant.retain);
      const gql = createGraphqlWsServer({
        ...(variant.telemetry === false ? { telemetry: false } : {}),
        // graphql-js's own execute unless the variant brings one (graphql-jit): the server then
        // projects notifications whose selection only copies properties, as a user gets it.
        ...(variant.execute === undefined ? {} : { execute: variant.execute }),
        // S5's schema also in its memory-layer baseline: the same workload on both layers.
        schema: buildSchema(ch, options.redis !== undefined || options.workload === 'S5', variant.share !== false),
        // graphql-jit reads no context: automatic sharing stays on, as with graphql-js's own execute.
        autoShare: true,
        // No heartbeats or keep-alives: loopback connections, and the peers run without them too.
        heartbeatInterval: false,
        keepAlive: false,
        // The load generator sends far more than a browser would; the limiter is not under test.
        messageRate: false,
        logger: silentLogger,
      });
      const http = createServer();
      gql.attach(http, { path: '/graphql' });
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      return {
        port: (http.address() as AddressInfo).port,
        path: '/graphql',
        subprotocols: ['graphql-transport-ws', 'graphql-ws'],
        publish: (topic, event) => publishTo(ch, topic, event),
        // Notification results computed (projected or executed): S1b's executes per broadcast.
        counters: () => ({ executes: gql.core.executions.resultsComputed }),
        async close() {
          await gql.close();
          await hub.close();
          http.close();
        },
      };
    },
    async startPublisher(options) {
      const hub = hubFor(options);
      const ch = channels(hub, variant.retain);
      return {
        publish: (topic, event) => publishTo(ch, topic, event),
        close: () => hub.close(),
      };
    },
  };
}

export default gqlcastContender({
  id: 'gqlcast',
  description:
    '@gqlcast/server + @gqlcast/pothos (Pothos schema; `share` on global and shaped, and on room over Redis) + @gqlcast/core hub; memory or @gqlcast/redis layer',
  packages: [],
});
