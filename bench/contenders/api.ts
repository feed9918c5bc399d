// What a contender module exports. The harness runs each contender's server in its own process
// (pinned to core 0) and drives it through `host.ts`; contenders never talk IPC themselves.
import type { ScenarioId } from '../runner/profile.js';
import type { NotificationPayload, Topic } from './schema.js';

export type Subprotocol = 'graphql-transport-ws' | 'graphql-ws';

export interface ServerOptions {
  /** Set for the cross-process scenario (S5): subscribe through Redis at this address. */
  redis?: { host: string; port: number } | undefined;
  /**
   * `S5`: configure the server as for S5 even without `redis` (S5's memory-layer baseline, which
   * must run the same schema as the Redis run; gqlcast shares `room` then).
   */
  workload?: 'S5' | undefined;
}

/** A running contender server. */
export interface ContenderServer {
  /** The loopback port its WebSocket endpoint listens on. */
  readonly port: number;
  /** The HTTP path of the WebSocket endpoint, e.g. `/graphql`. */
  readonly path: string;
  /** The subprotocols it serves. */
  readonly subprotocols: readonly Subprotocol[];
  /**
   * Hands one event to the in-process pub/sub (memory contenders): every subscriber of `topic`
   * is notified. Synchronous where the stack allows; a returned promise is not awaited between
   * events of one broadcast burst.
   */
  publish(topic: Topic, payload: NotificationPayload): void | Promise<void>;
  /**
   * Monotonic counters the server keeps about itself (gqlcast: `executes`, the GraphQL
   * executions its `execute` option ran). Optional; the host reports each counter's increase
   * since `mark` in its `stats` answer, so a phase can divide it by what it published.
   */
  counters?(): Record<string, number>;
  close(): Promise<void>;
}

/** A publisher in another process (S5): publishes through Redis to a server started with `redis`. */
export interface ContenderPublisher {
  publish(topic: Topic, payload: NotificationPayload): void | Promise<void>;
  close(): Promise<void>;
}

export interface ContenderModule {
  /** Short id used in reports, e.g. `gws-yoga`. */
  readonly id: string;
  /** One line: the stack and its versions' roles. */
  readonly description: string;
  /** `under-test`, `peer` or `limit`. */
  readonly role: 'under-test' | 'peer' | 'limit';
  /** npm packages whose installed versions the report prints. */
  readonly packages: readonly string[];
  startServer(options: ServerOptions): Promise<ContenderServer>;
  /** Only contenders that take part in S5. */
  startPublisher?(options: Required<Pick<ServerOptions, 'redis'>>): Promise<ContenderPublisher>;
  /**
   * Which layers the contender serves: `memory` (S1–S4, S7: `startServer({})`) and/or `redis`
   * (S5: `startServer({ redis })` + `startPublisher`). Optional; without it the harness assumes
   * `['redis']` for an id ending in `redis` that has `startPublisher`, `['memory', 'redis']` for
   * other modules with `startPublisher`, and `['memory']` otherwise.
   */
  readonly layers?: readonly ('memory' | 'redis')[];
  /**
   * The scenarios it takes part in, when not all of its layers' scenarios (a variant measured
   * against its base on a few of them: the OpenTelemetry contenders run S1 and S2 only).
   */
  readonly scenarios?: readonly ScenarioId[];
}
