import { type Channel, type ChannelOptions, createChannel, type PayloadSchema, type ReceivedCheck } from './channel.js';
import { type Codec, msgpackCodec } from './codec.js';
import { ErrorCode, GqlcastError } from './errors.js';
import { Fanout } from './fanout.js';
import { HubTelemetry } from './hub-telemetry.js';
import type { Layer } from './layer.js';
import { escapingLogger } from './log-text.js';
import { type Logger, loggerFrom } from './logger.js';
import { memoryLayer } from './memory-layer.js';
import { assertChannelName, topicOf } from './names.js';
import { checkQueueLimit, defaultQueueLimit } from './queue-limit.js';
import { checkRetain, type RetainPolicy } from './retain.js';
import type { Subscription, SubscriptionHost } from './subscription.js';

/** Options of {@link createHub}. */
export interface HubOptions {
  /**
   * Carries broadcasts between subscribers. The hub owns it: `hub.close()` closes it.
   * @defaultValue `memoryLayer()` — one process only
   */
  layer?: Layer | undefined;
  /** Where warnings (dropped notifications) and errors (undecodable messages) go. @defaultValue `consoleLogger` */
  logger?: Logger | undefined;
  /**
   * How many notifications may wait for a slow subscriber before the oldest is
   * dropped (and a warning logged). `1` keeps only the latest; `Infinity` never drops.
   * Each subscription may set its own.
   * @defaultValue `1024`
   */
  queueLimit?: number | undefined;
  /**
   * OpenTelemetry (docs/observability.md): a PRODUCER span `publish <channel>` per
   * broadcast, a child of the span active at the call, whose trace context travels
   * with the broadcast; a CONSUMER span `process <channel>` per broadcast received,
   * continuing that trace; and the `gqlcast.notification.latency` histogram. Only with
   * `@opentelemetry/api` installed and an SDK registered (before the hub is created);
   * `false` turns all of it off.
   * @defaultValue `true`
   */
  telemetry?: boolean | undefined;
}

/** Counters for metrics; cheap to read. */
export interface HubStats {
  /** Channels declared on this hub. */
  readonly channels: number;
  /** Live subscriptions. */
  readonly subscriptions: number;
  /** Layer topics this process is subscribed to (one per channel and group in use). */
  readonly topics: number;
  /** Notifications handed to subscribers since the hub was created. */
  readonly delivered: number;
  /** Notifications dropped by full subscriber queues since the hub was created. */
  readonly dropped: number;
  /** Received messages dropped because they could not be decoded or failed their channel's schema. */
  readonly rejected: number;
}

/** Declares channels and carries their broadcasts through one layer. */
export interface Hub {
  /**
   * Declares a typed channel. `payload` is a zod schema (classic or mini):
   * `broadcast` takes its input type and validates at run time; subscribers
   * receive its output type. Names are unique per hub.
   *
   * @throws GqlcastError `GQLCAST_CHANNEL_EXISTS` for a name already declared,
   *   `GQLCAST_INVALID_CHANNEL_NAME` for a name breaking the naming rule.
   */
  channel<const Name extends string, Schema extends PayloadSchema>(
    name: Name,
    options: ChannelOptions<Schema>,
  ): Channel<Name, Schema>;
  /** The layer this hub publishes to. */
  readonly layer: Layer;
  /** The logger this hub reports to. */
  readonly logger: Logger;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** Counters for metrics. */
  stats(): HubStats;
  /**
   * Ends every subscription (reason `shutdown`) and closes the layer.
   * Afterwards `broadcast` rejects and `subscribe` throws `GQLCAST_HUB_CLOSED`. Idempotent.
   */
  close(): Promise<void>;
}

/** @internal What a channel needs from its hub. */
export interface HubCore extends SubscriptionHost {
  /** What this hub records for OpenTelemetry (`HubOptions.telemetry`). */
  readonly telemetry: HubTelemetry;
  readonly codec: Codec;
  /** This hub's identity in unsubscribe frames. */
  readonly origin: string;
  /** The sequence number of the last unsubscribe call. */
  readonly unsubscribeSequence: number;
  /** Numbers a new unsubscribe call. */
  nextUnsubscribeSequence(): number;
  /** How a channel's received payloads are checked (remote layers only). */
  registerReceivedCheck(channel: string, check: (payload: unknown) => ReceivedCheck): void;
  readonly fanout: Fanout;
  readonly queueLimit: number;
  assertOpen(action: string): void;
  /** Hands a frame to the layer, keeping call order even behind async-validated payloads. */
  handOver(topic: string, frame: Uint8Array | Promise<Uint8Array>, retain?: RetainPolicy): Promise<void>;
  track(subscription: Subscription<unknown>): void;
}

/**
 * Creates a hub: the place where channels are declared and broadcasts travel.
 *
 * @example
 * ```ts
 * const hub = createHub();
 * const messages = hub.channel('messages', { payload: z.object({ room: z.string(), text: z.string() }) });
 * await messages.broadcast({ group: 'room:1', payload: { room: '1', text: 'hi' } });
 * ```
 */
export function createHub(options: HubOptions = {}): Hub {
  const layer = options.layer ?? memoryLayer();
  const logger = escapingLogger(loggerFrom(options.logger, 'createHub'));
  const queueLimit = checkQueueLimit(options.queueLimit ?? defaultQueueLimit, 'createHub: queueLimit');
  const codec = msgpackCodec();
  // Names this hub in unsubscribe frames (see Fanout).
  const origin = globalThis.crypto.randomUUID();
  let unsubscribeSequence = 0;
  const receivedChecks = new Map<string, (payload: unknown) => ReceivedCheck>();
  const telemetry = new HubTelemetry(options.telemetry !== false);
  const fanout = new Fanout(
    layer,
    codec,
    logger,
    origin,
    layer.remote === true ? receivedChecks : undefined,
    telemetry,
  );
  const channels = new Map<string, Channel>();
  const live = new Set<Subscription<unknown>>();
  let dropped = 0;
  let closed = false;
  let closing: Promise<void> | undefined;

  // Hand-over order: while an async-validated broadcast is pending, later ones queue behind it.
  let waiting = 0;
  let tail: Promise<unknown> = Promise.resolve();

  const core: HubCore = {
    telemetry,
    codec,
    origin,
    get unsubscribeSequence() {
      return unsubscribeSequence;
    },
    nextUnsubscribeSequence() {
      return ++unsubscribeSequence;
    },
    registerReceivedCheck(channel, check) {
      receivedChecks.set(channel, check);
    },
    fanout,
    logger,
    queueLimit,
    assertOpen(action) {
      if (closed) throw new GqlcastError(ErrorCode.HubClosed, `Cannot ${action}: the hub is closed.`);
    },
    handOver(topic, frame, retain) {
      // Without retain the layer is called exactly as before (no third argument).
      const publish = (message: Uint8Array) =>
        retain === undefined ? layer.publish(topic, message) : layer.publish(topic, message, retain);
      if (waiting === 0 && frame instanceof Uint8Array) return publish(frame);
      waiting++;
      // Settle the frame's outcome now, so a rejection is handled even while it waits its turn.
      const outcome = Promise.resolve(frame).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      // Wait for every earlier hand-over first, then for this frame: call order is hand-over order.
      const handed = tail
        .then(() => outcome)
        .then((result) => {
          waiting--;
          if (!result.ok) throw result.error;
          if (closed) throw new GqlcastError(ErrorCode.HubClosed, `Cannot publish to "${topic}": the hub is closed.`);
          // Wrapped so the chain waits for the hand-over, not for the layer's answer.
          return { published: publish(result.value) };
        });
      tail = handed.then(
        () => undefined,
        () => undefined,
      );
      return handed.then((step) => step.published);
    },
    track(subscription) {
      live.add(subscription);
    },
    detach(subscription) {
      live.delete(subscription);
      fanout.detach(subscription.channel, subscription);
      for (const group of subscription.groups) fanout.detach(topicOf(subscription.channel, group), subscription);
    },
    countDropped(count) {
      dropped += count;
    },
  };

  return {
    layer,
    logger,
    get closed() {
      return closed;
    },
    channel(name, channelOptions) {
      core.assertOpen(`declare channel ${JSON.stringify(name)}`);
      assertChannelName(name);
      if (channels.has(name)) {
        throw new GqlcastError(
          ErrorCode.ChannelExists,
          `Channel "${name}" is already declared on this hub. Declare each channel once and import it where needed.`,
        );
      }
      if (checkRetain(channelOptions?.retain, name) !== undefined && layer.history === undefined) {
        // Refused rather than silently keeping nothing: a resume would then always report a gap.
        throw new GqlcastError(
          ErrorCode.InvalidRetain,
          `hub.channel("${name}"): retain needs a layer that keeps history, and layer ${layer.name} does not.`,
        );
      }
      const channel = createChannel(core, name, channelOptions);
      channels.set(name, channel as unknown as Channel);
      return channel;
    },
    stats() {
      return {
        channels: channels.size,
        subscriptions: live.size,
        topics: fanout.topicCount,
        delivered: fanout.delivered,
        dropped,
        rejected: fanout.rejected,
      };
    },
    close() {
      if (closing !== undefined) return closing;
      closed = true;
      for (const subscription of [...live]) subscription.end('shutdown', false);
      closing = layer.close();
      return closing;
    },
  };
}
