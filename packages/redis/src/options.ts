import type { Layer, LayerHistory, Logger } from '@gqlcast/core';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { SigningKeyOption } from './signing.js';

/** Options of {@link redisLayer}: give exactly one of `url`, `redis` or `cluster`. */
export interface RedisLayerOptions {
  /** A Redis URL, e.g. `redis://:password@127.0.0.1:6379/0` or `rediss://` for TLS. */
  url?: string | undefined;
  /**
   * An ioredis client (or Cluster) of yours. The layer publishes with it and
   * opens its subscriber with `duplicate()`. It is not closed by the layer.
   */
  redis?: Redis | Cluster | undefined;
  /** Redis Cluster start nodes: broadcasts use sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis 7+). */
  cluster?: ClusterNode[] | undefined;
  /** Extra ioredis options for the connections the layer opens (`url` mode). */
  redisOptions?: RedisOptions | undefined;
  /** Extra ioredis Cluster options (`cluster` mode). */
  clusterOptions?: ClusterOptions | undefined;
  /**
   * Prepended to every Redis channel, so several applications can share one Redis.
   * @defaultValue `'gqlcast:'`
   */
  keyPrefix?: string | undefined;
  /**
   * How many broadcasts to hold while Redis is unreachable, sent in order once
   * it is back. `0`: a broadcast during an outage rejects at once with
   * `GQLCAST_LAYER_UNAVAILABLE`. When the buffer is full, new broadcasts reject.
   * @defaultValue `0`
   */
  offlineBuffer?: number | undefined;
  /**
   * How long a `PUBLISH` or `SUBSCRIBE` may take (ms) before it fails with
   * `GQLCAST_LAYER_UNAVAILABLE`; also how long the very first connection may take.
   * @defaultValue `5_000`
   */
  commandTimeout?: number | undefined;
  /**
   * A secret shared by every process of the application (at least 16 bytes),
   * or a list of them: the first signs, any verifies (to rotate a key without a
   * flag day). With it every message is signed (HMAC-SHA256 over the channel,
   * the publisher's numbering and the frame), and a message that is unsigned,
   * badly signed or replayed is dropped: someone who can write to Redis but does
   * not hold the key can no longer inject broadcasts, end a group's
   * subscriptions or fake delivery gaps. Without it they can; see docs/redis.md,
   * "What Redis write access allows".
   *
   * Every process must have it: a process without a key reads signed messages
   * (without checking them), but a process with one drops unsigned messages.
   * @defaultValue `undefined` — unsigned
   */
  signingKey?: SigningKeyOption | undefined;
  /** Where outages, recoveries, gaps and garbage are reported. @defaultValue `consoleLogger` */
  logger?: Logger | undefined;
  /**
   * OpenTelemetry metrics of this layer (`gqlcast.redis.*`, docs/observability.md), when
   * `@opentelemetry/api` is installed and a MeterProvider was registered before the layer
   * was created; `false` turns them off.
   * @defaultValue `true`
   */
  telemetry?: boolean | undefined;
}

/** Reported when a subscriber finds it missed messages (pub/sub is at-most-once). */
export interface DeliveryGap {
  /** The gqlcast channel. */
  readonly channel: string;
  /** The group, or `undefined` for channel-wide broadcasts. */
  readonly group: string | undefined;
  /** How many messages of one publisher were missed. */
  readonly missed: number;
  /** The publishing layer instance (hex id), for logs. */
  readonly publisher: string;
}

/** Counters of a Redis layer. */
export interface RedisLayerStats {
  readonly published: number;
  readonly received: number;
  /** Messages on our channels that were not gqlcast envelopes, dropped. */
  readonly garbage: number;
  /**
   * Envelopes dropped because they cannot be right: unknown version, a
   * sequence number out of range or jumping further than its publisher could
   * have sent, and with a `signingKey` unsigned, badly signed or replayed ones.
   */
  readonly rejected: number;
  /** Messages detected as missed (sum of every gap). */
  readonly missed: number;
  /** Delivery gaps detected (each `deliveryGap` event). */
  readonly gaps: number;
  /** Connections to Redis that came back after an outage (each `up` event). */
  readonly reconnects: number;
  /** Broadcasts waiting in the offline buffer. */
  readonly buffered: number;
}

/** A {@link Layer} on Redis, with the Redis-specific parts: events and counters. */
export interface RedisLayer extends Layer {
  /** Messages come from other processes: the hub checks them against their schemas. */
  readonly remote: true;
  /**
   * - `deliveryGap`: pub/sub is at-most-once, so what was broadcast while this
   *   process was cut off from Redis is lost. A gap is found when the next
   *   message of the same publisher arrives; tell your clients to resync.
   * - `down`: a connection to Redis was lost (`role` is `publisher` or `subscriber`).
   * - `up`: it is back; for the subscriber, once its channels are subscribed again.
   *
   * Returns a function that stops listening.
   */
  on<E extends keyof RedisLayerEvents>(event: E, listener: (details: RedisLayerEvents[E]) => void): () => void;
  /** Counters, for metrics. */
  stats(): RedisLayerStats;
  /**
   * The retained broadcasts of `topic` after `afterId` (`"0"`: all), from the
   * topic's Redis stream, and whether `afterId` was still within retention
   * (`missed` is never counted on Redis). See docs/redis.md, "Retention (resume)".
   *
   * @throws GqlcastError `GQLCAST_LAYER_UNAVAILABLE` during an outage (at once,
   * nothing waits), `GQLCAST_LAYER_CLOSED` after `close`.
   */
  history(topic: string, afterId: string): Promise<LayerHistory>;
}

/** What `layer.on` reports. */
export interface RedisLayerEvents {
  deliveryGap: DeliveryGap;
  down: { role: 'publisher' | 'subscriber'; error: unknown };
  up: { role: 'publisher' | 'subscriber' };
}
