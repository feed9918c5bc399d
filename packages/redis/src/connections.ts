import { Cluster, type ClusterOptions, Redis } from 'ioredis';
import type { RedisLayerOptions } from './options.js';

/**
 * The two connections of a layer, with single-node and cluster differences
 * hidden: plain pub/sub on one node, sharded pub/sub on a cluster (a message
 * travels only to the shard owning its channel).
 */
export interface PubSub {
  /** For logs and errors: `redis(127.0.0.1:6379)` or `redis-cluster(127.0.0.1:7000,...)`. */
  readonly name: string;
  readonly publisher: Redis | Cluster;
  readonly subscriber: Redis | Cluster;
  /** Whether the layer opened the publisher (and so closes it). */
  readonly ownsPublisher: boolean;
  /** Whether channels are shard channels (`SPUBLISH`, on a cluster) rather than classic ones. */
  readonly sharded: boolean;
  publish(channel: string, message: Buffer): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  onMessage(listener: (channel: Buffer, message: Buffer) => void): void;
}

// (The option objects below are cast: ioredis's types do not accept exactOptionalPropertyTypes.)
// Commands fail at once while disconnected (the layer decides what to do: fail fast or buffer),
// and are never retried behind the caller's back (that would reorder broadcasts).
const publisherDefaults = { enableOfflineQueue: false, maxRetriesPerRequest: 0 } as const;
// Under load, the PUBLISH commands issued in one event-loop turn go out in one write (one
// pipeline), in order: about twice the throughput, for less CPU. Yours to turn off in `redisOptions`.
const publisherBatching = { enableAutoPipelining: true } as const;
// The subscriber keeps its subscriptions across reconnections (ioredis resubscribes on ready).
const subscriberDefaults = { autoResubscribe: true, maxRetriesPerRequest: null } as const;

/**
 * Whether a client is an ioredis Cluster. By its `isCluster` flag (ioredis 5 and 6
 * set it on every client), not `instanceof`: the user's ioredis may be another copy
 * or major version than the one this package imports.
 */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/**
 * Whether a client can take commands now. For a cluster, every master's own
 * connection must be up too: ioredis opens those lazily, and commands sent
 * while one is still connecting can reach Redis out of order.
 */
export function isReady(client: Redis | Cluster): boolean {
  if (client.status !== 'ready') return false;
  if (!isCluster(client)) return true;
  return client.nodes('master').every((node) => node.status === 'ready');
}

const pendingReady = new WeakMap<Redis | Cluster, Promise<void>>();

/**
 * Resolves once {@link isReady}: connects a cluster's masters that are still
 * idle. One promise per client, however many callers wait (no listener pile-up).
 */
export function untilReady(client: Redis | Cluster): Promise<void> {
  if (isReady(client)) return Promise.resolve();
  let pending = pendingReady.get(client);
  if (pending === undefined) {
    pending = waitReady(client).finally(() => pendingReady.delete(client));
    pendingReady.set(client, pending);
  }
  return pending;
}

function waitReady(client: Redis | Cluster): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!isReady(client)) {
        if (isCluster(client) && client.status === 'ready') {
          for (const node of client.nodes('master')) {
            if (node.status === 'wait') node.connect().catch(() => undefined);
            if (node.status !== 'ready') {
              node.once('ready', check);
              return;
            }
          }
        }
        client.once('ready', check);
        return;
      }
      resolve();
    };
    check();
  });
}

export function openPubSub(options: RedisLayerOptions, commandTimeout: number): PubSub {
  const given = [options.url, options.redis, options.cluster].filter((value) => value !== undefined).length;
  if (given !== 1) {
    throw new TypeError(
      'redisLayer: give exactly one of `url`, `redis` (an ioredis client) or `cluster` (start nodes).',
    );
  }
  const retryStrategy = (times: number) => Math.min(50 * 2 ** times, 2_000);

  if (options.cluster !== undefined || (options.redis !== undefined && isCluster(options.redis))) {
    const clusterOptions = {
      clusterRetryStrategy: retryStrategy,
      ...options.clusterOptions,
      redisOptions: { commandTimeout, ...options.clusterOptions?.redisOptions },
    } as ClusterOptions;
    const given = options.redis as Cluster | undefined;
    const nodes = options.cluster ?? [];
    const publisher =
      given ??
      new Cluster(nodes, {
        ...publisherBatching,
        ...clusterOptions,
        enableOfflineQueue: false,
        redisOptions: { ...clusterOptions.redisOptions, ...publisherDefaults },
      } as never);
    // Sharded subscribers: one subscriber connection per master, SSUBSCRIBE sent to the owner of each channel.
    const subscriber = given
      ? given.duplicate([], { shardedSubscribers: true } as never)
      : new Cluster(nodes, { ...clusterOptions, shardedSubscribers: true } as never);
    const name = given
      ? 'redis-cluster'
      : `redis-cluster(${nodes.map((node) => (typeof node === 'object' ? `${node.host ?? '127.0.0.1'}:${node.port ?? 6379}` : String(node))).join(',')})`;
    return {
      name,
      publisher,
      subscriber,
      ownsPublisher: options.redis === undefined,
      sharded: true,
      publish: (channel, message) => publisher.spublish(channel, message),
      subscribe: (channel) => subscriber.ssubscribe(channel),
      unsubscribe: (channel) => subscriber.sunsubscribe(channel),
      onMessage: (listener) => void subscriber.on('smessageBuffer', listener),
    };
  }

  const publisher =
    (options.redis as Redis | undefined) ??
    new Redis(
      options.url as string,
      {
        retryStrategy,
        commandTimeout,
        ...publisherBatching,
        ...options.redisOptions,
        ...publisherDefaults,
      } as never,
    );
  const subscriber =
    options.redis !== undefined
      ? // Your client's retry and queue settings are for commands; the subscriber must always come back.
        (options.redis as Redis).duplicate({
          ...subscriberDefaults,
          commandTimeout,
          retryStrategy,
          enableOfflineQueue: true,
        } as never)
      : new Redis(
          options.url as string,
          {
            retryStrategy,
            commandTimeout,
            ...options.redisOptions,
            ...subscriberDefaults,
          } as never,
        );
  const { host, port } = publisher.options;
  return {
    name: `redis(${host ?? '127.0.0.1'}:${port ?? 6379})`,
    publisher,
    subscriber,
    ownsPublisher: options.redis === undefined,
    sharded: false,
    publish: (channel, message) => publisher.publish(channel, message),
    subscribe: (channel) => subscriber.subscribe(channel),
    unsubscribe: (channel) => subscriber.unsubscribe(channel),
    onMessage: (listener) => void subscriber.on('messageBuffer', listener),
  };
}

/** Says goodbye politely when connected (QUIT), else drops the connection; never waits more than `timeout`. */
export async function shutDown(client: Redis | Cluster, timeout: number): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeout);
  });
  await Promise.race([
    client.quit().then(
      () => undefined,
      () => undefined,
    ),
    expired,
  ]);
  clearTimeout(timer);
  client.disconnect();
}
