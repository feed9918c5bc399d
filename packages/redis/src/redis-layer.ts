import {
  ErrorCode,
  escapingLogger,
  GqlcastError,
  type LayerHealth,
  type LayerSubscription,
  loggerFrom,
  type RetainPolicy,
} from '@gqlcast/core';
import type { Cluster, Redis } from 'ioredis';
import { isCluster, isReady, openPubSub, type PubSub, shutDown, untilReady } from './connections.js';
import { shown } from './drop-log.js';
import { Inbound } from './inbound.js';
import { observeLayer } from './metrics.js';
import type { DeliveryGap, RedisLayer, RedisLayerEvents, RedisLayerOptions } from './options.js';
import { Outbound } from './outbound.js';
import { defineScripts, historyOf, lastIdOf, publishRetained } from './retention.js';
import { Signer } from './signing.js';
import { streamKeyOf } from './stream-key.js';

type Handler = (message: Uint8Array, id?: string) => void;

const unavailable = (name: string, cause: unknown, outcome = 'Nothing was sent') =>
  new GqlcastError(
    ErrorCode.LayerUnavailable,
    `${name} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}. ${outcome}.`,
    { cause },
  );

const ignoreError = () => {};

/**
 * The layer for many processes: broadcasts travel through Redis (or Redis
 * Cluster, with sharded pub/sub), so a worker, a script or any server process
 * reaches the subscribers of every server.
 *
 * @example
 * ```ts
 * const hub = createHub({ layer: redisLayer({ url: 'redis://127.0.0.1:6379', keyPrefix: 'myapp:' }) });
 * ```
 */
export function redisLayer(options: RedisLayerOptions): RedisLayer {
  const commandTimeout = options.commandTimeout ?? 5_000;
  const offlineBuffer = options.offlineBuffer ?? 0;
  if (!Number.isInteger(offlineBuffer) || offlineBuffer < 0) {
    throw new TypeError(`redisLayer: offlineBuffer must be a whole number ≥ 0, got ${String(options.offlineBuffer)}.`);
  }
  const signer = options.signingKey === undefined ? undefined : new Signer(options.signingKey);
  const logger = escapingLogger(loggerFrom(options.logger, 'redisLayer'));
  const prefix = options.keyPrefix ?? 'gqlcast:';
  const pubsub: PubSub = openPubSub(options, commandTimeout);
  const { name } = pubsub;
  defineScripts(pubsub.publisher);
  const outbound = new Outbound(signer);
  // Every message from Redis is checked there first: see inbound.ts for what is dropped and why.
  const inbound = new Inbound(logger, name, signer);
  const listeners: { [E in keyof RedisLayerEvents]: Set<(details: RedisLayerEvents[E]) => void> } = {
    deliveryGap: new Set(),
    down: new Set(),
    up: new Set(),
  };
  function emit<E extends keyof RedisLayerEvents>(event: E, details: RedisLayerEvents[E]): void {
    for (const listener of listeners[event]) {
      try {
        listener(details);
      } catch (error) {
        logger.error(`A "${event}" listener of ${name} threw.`, { error });
      }
    }
  }
  const handlers = new Map<string, Set<Handler>>();
  /** Channels Redis acknowledged as subscribed on the subscriber connection. */
  const subscribed = new Set<string>();
  /** Per channel, the SUBSCRIBE/UNSUBSCRIBE commands in flight, one after another. */
  const channelQueues = new Map<string, Promise<unknown>>();
  const buffer: {
    channel: string;
    frame: Uint8Array;
    retain: RetainPolicy | undefined;
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];
  const counters = { published: 0, received: 0, missed: 0, gaps: 0, reconnects: 0 };
  let closed = false;
  let lastError: unknown;
  let flushing = false;

  const connected = isReady;
  const everReady = new WeakSet<Redis | Cluster>();
  // A client of yours may be connected already: it will emit no 'ready' to learn it from.
  for (const client of [pubsub.publisher, pubsub.subscriber]) if (isReady(client)) everReady.add(client);

  /** Every listener put on a client, to take them off a client of yours at close. */
  // biome-ignore lint/suspicious/noExplicitAny: event listeners of any signature, as EventEmitter takes them.
  type Listener = (...args: any[]) => void;
  const attached: [Redis | Cluster, string, Listener][] = [];
  function on(client: Redis | Cluster, event: string, listener: Listener): void {
    client.on(event, listener);
    attached.push([client, event, listener]);
  }

  for (const [role, client] of [
    ['publisher', pubsub.publisher],
    ['subscriber', pubsub.subscriber],
  ] as const) {
    let down = false;
    on(client, 'error', (error: Error) => {
      lastError = error;
      // ioredis retries by itself; one line per failure keeps the outage visible without flooding.
      logger.warn(`${name} ${role}: ${error.message}`, { layer: name, role, error });
    });
    on(client, 'close', () => {
      if (down || closed || !everReady.has(client)) return;
      down = true;
      emit('down', { role, error: lastError });
    });
    on(client, 'ready', () => {
      void untilReady(client)
        .then(async () => {
          // ioredis re-sends SUBSCRIBE on reconnect; a PING answered after them proves they are acknowledged.
          if (role === 'subscriber' && !isCluster(client)) await client.ping();
        })
        .then(
          () => {
            const recovered = everReady.has(client);
            everReady.add(client);
            if (role === 'publisher') void flush();
            if (!recovered) return;
            down = false;
            logger.info(`${name} ${role} is back.`, { layer: name, role });
            counters.reconnects++;
            emit('up', { role });
          },
          (error: unknown) => {
            lastError = error;
          },
        );
    });
  }

  function whenReady(client: Redis | Cluster): Promise<void> {
    if (connected(client)) return Promise.resolve();
    // After an outage began, fail fast; only the very first connection is waited for.
    if (everReady.has(client)) return Promise.reject(unavailable(name, lastError ?? `status ${client.status}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(unavailable(name, lastError ?? `not connected within ${commandTimeout} ms`));
      }, commandTimeout);
      timer.unref?.();
      void untilReady(client).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Numbers the frame and sends it, in one synchronous step: numbers follow the
   * order of what really went out, so a broadcast refused before it was sent
   * never shows up as a gap at the receivers.
   *
   * A retained broadcast goes out as one script (XADD, then PUBLISH with the
   * new id: retention.ts) instead of the PUBLISH, on the same connection and so
   * in the same pipeline and order as the others. Without `retain` nothing
   * changes: one PUBLISH, no key.
   */
  function send(channel: string, frame: Uint8Array, retain: RetainPolicy | undefined): Promise<unknown> {
    const envelope = outbound.wrap(channel, frame);
    if (retain === undefined) return pubsub.publish(channel, envelope);
    const key = streamKeyOf(prefix, channel.slice(prefix.length));
    return publishRetained(pubsub.publisher, pubsub.sharded, key, channel, envelope, retain);
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (buffer.length > 0 && connected(pubsub.publisher) && !closed) {
        const next = buffer[0];
        if (next === undefined) break;
        try {
          await send(next.channel, next.frame, next.retain);
          buffer.shift();
          counters.published++;
          next.resolve();
        } catch (error) {
          lastError = error;
          // Down again: keep the rest, in order, for the next 'ready'.
          if (!connected(pubsub.publisher)) break;
          // Refused while connected (an ACL, say): this one fails alone, the rest go on.
          buffer.shift();
          next.reject(unavailable(name, error));
        }
      }
    } finally {
      flushing = false;
    }
  }

  pubsub.onMessage((channelBytes, message) => {
    const channel = channelBytes.toString();
    const receivers = handlers.get(channel);
    if (receivers === undefined || receivers.size === 0) return;
    const envelope = inbound.accept(channel, message);
    if (envelope === undefined) return;
    counters.received++;
    if (envelope.missed > 0) reportGap(channel, envelope.missed, envelope.publisher);
    for (const handler of receivers) {
      try {
        handler(envelope.frame, envelope.id);
      } catch (error) {
        logger.error(`A handler of ${shown(channel)} threw; the others still received the message.`, {
          layer: name,
          error,
        });
      }
    }
  });

  function stats() {
    return { ...counters, garbage: inbound.garbage, rejected: inbound.rejected, buffered: buffer.length };
  }
  const stopMetrics = observeLayer(name, stats, options.telemetry !== false);

  function reportGap(channel: string, missed: number, publisher: string): void {
    counters.missed += missed;
    const topic = channel.slice(prefix.length);
    const split = topic.indexOf(':');
    const gap: DeliveryGap = {
      channel: split === -1 ? topic : topic.slice(0, split),
      group: split === -1 ? undefined : topic.slice(split + 1),
      missed,
      publisher,
    };
    logger.warn(
      // Group names come from subscribers' arguments: quoted and cut, so they cannot forge log lines.
      `Missed ${missed} message(s) on channel ${shown(gap.channel)}${gap.group ? ` group ${shown(gap.group)}` : ''} while cut off from ${name}.`,
      {
        layer: name,
        ...gap,
      },
    );
    counters.gaps++;
    emit('deliveryGap', gap);
  }

  /** Runs one SUBSCRIBE/UNSUBSCRIBE for `channel` after the previous one. */
  function queued<T>(channel: string, command: () => Promise<T>): Promise<T> {
    const previous = channelQueues.get(channel) ?? Promise.resolve();
    const run = previous.then(command, command);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    channelQueues.set(channel, tail);
    void tail.then(() => {
      if (channelQueues.get(channel) === tail) channelQueues.delete(channel);
    });
    return run;
  }

  const closedError = (action: string) =>
    new GqlcastError(ErrorCode.LayerClosed, `Cannot ${action}: the layer ${name} is closed.`);

  /** A read of the retained history: fails fast once Redis was lost, like a broadcast during an outage. */
  async function read<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (closed) throw closedError(what);
    try {
      await whenReady(pubsub.publisher).catch((error: { cause?: unknown }) => {
        throw unavailable(name, error.cause ?? error, 'Nothing was read');
      });
      return await run();
    } catch (error) {
      lastError = error;
      throw error instanceof GqlcastError ? error : unavailable(name, error, 'Nothing was read');
    }
  }

  return {
    name,
    remote: true,

    publish(topic, message, retain) {
      if (closed) return Promise.reject(closedError(`publish to "${topic}"`));
      const channel = prefix + topic;
      const publisher = pubsub.publisher;
      // Behind buffered broadcasts, or while down with a buffer: wait in line, in order.
      if (buffer.length > 0 || (offlineBuffer > 0 && everReady.has(publisher) && !connected(publisher))) {
        if (buffer.length >= offlineBuffer) {
          return Promise.reject(
            unavailable(name, `${lastError ?? 'disconnected'}; the offline buffer is full (${offlineBuffer})`),
          );
        }
        return new Promise<void>((resolve, reject) => {
          buffer.push({ channel, frame: message, retain, resolve, reject });
          void flush();
        });
      }
      const sent = connected(publisher)
        ? send(channel, message, retain)
        : whenReady(publisher).then(() => send(channel, message, retain));
      return sent.then(
        () => {
          counters.published++;
        },
        (error: unknown) => {
          lastError = error;
          throw error instanceof GqlcastError ? error : unavailable(name, error);
        },
      );
    },

    async subscribe(topic, onMessage): Promise<LayerSubscription> {
      if (closed) throw closedError(`subscribe to "${topic}"`);
      const channel = prefix + topic;
      const handler: Handler = (message, id) => onMessage(message, id);
      let receivers = handlers.get(channel);
      if (receivers === undefined) {
        receivers = new Set();
        handlers.set(channel, receivers);
      }
      receivers.add(handler);
      const release = () => {
        const current = handlers.get(channel);
        if (!current?.delete(handler) || current.size > 0) return Promise.resolve();
        handlers.delete(channel);
        inbound.forget(channel);
        if (closed) return Promise.resolve();
        return queued(channel, async () => {
          if (handlers.has(channel)) return;
          await pubsub.unsubscribe(channel);
          subscribed.delete(channel);
        }).catch((error: unknown) => {
          // Once the layer is closed its connections are gone, and with them every subscription.
          if (closed) return;
          logger.warn(`Could not unsubscribe ${shown(channel)} on ${name}.`, { layer: name, error });
        });
      };
      try {
        // Confirmation means delivery: SUBSCRIBE is sent on a connection that passed its ready
        // check, and this resolves only once Redis acknowledged it.
        await queued(channel, async () => {
          await whenReady(pubsub.subscriber);
          // Later handlers of the channel wait behind the first one's SUBSCRIBE, in this queue; if that
          // one failed, the next sends its own.
          if (!subscribed.has(channel)) {
            await pubsub.subscribe(channel);
            subscribed.add(channel);
          }
        });
      } catch (error) {
        await release();
        throw error instanceof GqlcastError ? error : unavailable(name, error);
      }
      let released = false;
      return {
        unsubscribe() {
          if (released) return Promise.resolve();
          released = true;
          return release();
        },
      };
    },

    lastEventId(topic) {
      return read(`read the last id of "${topic}"`, () => lastIdOf(pubsub.publisher, streamKeyOf(prefix, topic)));
    },

    history(topic, afterId) {
      const channel = prefix + topic;
      return read(`read the history of "${topic}"`, () =>
        historyOf(pubsub.publisher, streamKeyOf(prefix, topic), afterId, (envelope) =>
          inbound.stored(channel, envelope),
        ),
      );
    },

    health(): LayerHealth {
      if (closed) return { status: 'closed', detail: 'close() was called' };
      if (connected(pubsub.publisher) && connected(pubsub.subscriber)) return { status: 'up' };
      const detail =
        lastError instanceof Error
          ? lastError.message
          : `publisher ${pubsub.publisher.status}, subscriber ${pubsub.subscriber.status}`;
      return { status: 'down', detail };
    },

    on(event, listener) {
      const set = listeners[event] as Set<typeof listener> | undefined;
      if (set === undefined) throw new TypeError(`redisLayer: unknown event "${String(event)}".`);
      set.add(listener);
      return () => set.delete(listener);
    },

    stats,

    async close() {
      if (closed) return;
      closed = true;
      stopMetrics();
      for (const waiting of buffer.splice(0)) waiting.reject(closedError('publish'));
      handlers.clear();
      for (const [client, event, listener] of attached) client.off(event, listener);
      const clients = pubsub.ownsPublisher ? [pubsub.subscriber, pubsub.publisher] : [pubsub.subscriber];
      // A command already on its way (an UNSUBSCRIBE) may still fail on a connection being shut
      // down (EPIPE, "Connection is closed"): expected, and nothing to report. Without a listener
      // ioredis would print it as an unhandled error event.
      for (const client of clients) client.on('error', ignoreError);
      await Promise.all(clients.map((client) => shutDown(client, commandTimeout)));
    },
  };
}
