import type { ReceivedCheck } from './channel.js';
import { type Codec, decodeUnsubscribe, FrameKind, type NotificationHeaders, splitNotification } from './codec.js';
import { ErrorCode, formatPath } from './errors.js';
import type { HubTelemetry } from './hub-telemetry.js';
import type { Layer, LayerHistory, LayerSubscription } from './layer.js';
import type { Logger } from './logger.js';
import type { Subscription } from './subscription.js';
import { runInSpan } from './telemetry/index.js';

/** The local subscribers of one layer topic, and that topic's single layer subscription. */
interface TopicEntry {
  readonly topic: string;
  readonly channel: string;
  readonly group: string | undefined;
  readonly subscribers: Set<Subscription<unknown>>;
  /** Settles when the layer confirmed (or refused) the subscription. */
  confirmed: Promise<void>;
  layerSubscription: LayerSubscription | undefined;
  released: boolean;
  /** The event id of the last retained message received live (retaining channels). */
  lastId: string | undefined;
  /** The topic's last event id, read from the layer before it was subscribed (retaining channels). */
  initialId: string | undefined;
}

/**
 * Process-local fan-out: one layer subscription per topic, shared by every
 * local subscriber of it, reference-counted and released with the last one.
 * Each message is decoded once here, then handed to every subscriber.
 */
export class Fanout {
  readonly #layer: Layer;
  readonly #codec: Codec;
  readonly #logger: Logger;
  readonly #topics = new Map<string, TopicEntry>();
  /** The hub's identity in unsubscribe frames. */
  readonly #origin: string;
  /** Per channel, how received payloads are checked; `undefined` for a local layer (nothing to check). */
  readonly #checks: ReadonlyMap<string, (payload: unknown) => ReceivedCheck> | undefined;
  readonly #telemetry: HubTelemetry;
  delivered = 0;
  rejected = 0;

  constructor(
    layer: Layer,
    codec: Codec,
    logger: Logger,
    origin: string,
    checks: ReadonlyMap<string, (payload: unknown) => ReceivedCheck> | undefined,
    telemetry: HubTelemetry,
  ) {
    this.#telemetry = telemetry;
    this.#layer = layer;
    this.#codec = codec;
    this.#logger = logger;
    this.#origin = origin;
    this.#checks = checks;
  }

  get topicCount(): number {
    return this.#topics.size;
  }

  /**
   * Adds a subscriber to a topic; resolves when the topic is subscribed in the layer, with
   * (retaining channels) where the subscriber starts in the topic's history: every message
   * after that id reaches it live. It is the last id this process received live when the
   * subscriber joined, or else the layer's last id read before the topic was subscribed.
   * `undefined` when the layer cannot tell.
   */
  attach(
    topic: string,
    channel: string,
    group: string | undefined,
    subscriber: Subscription<unknown>,
    retains = false,
  ): Promise<string | undefined> {
    let entry = this.#topics.get(topic);
    if (entry === undefined) entry = this.#open(topic, channel, group, retains);
    entry.subscribers.add(subscriber);
    // Without retention there is no starting point to tell: no promise more per subscriber.
    if (!retains) return entry.confirmed as Promise<undefined>;
    // Taken now: a message received from now on is this subscriber's.
    const joinedAt = entry.lastId;
    const opened = entry;
    return entry.confirmed.then(() => joinedAt ?? opened.initialId);
  }

  /** Removes a subscriber; the last one out releases the layer subscription. */
  detach(topic: string, subscriber: Subscription<unknown>): void {
    const entry = this.#topics.get(topic);
    if (entry === undefined || !entry.subscribers.delete(subscriber) || entry.subscribers.size > 0) return;
    this.#topics.delete(topic);
    entry.released = true;
    // Not yet confirmed: the confirmation handler releases it when it arrives.
    if (entry.layerSubscription !== undefined) this.#release(entry, entry.layerSubscription);
  }

  #open(topic: string, channel: string, group: string | undefined, retains: boolean): TopicEntry {
    const entry: TopicEntry = {
      topic,
      channel,
      group,
      subscribers: new Set(),
      confirmed: Promise.resolve(),
      layerSubscription: undefined,
      released: false,
      lastId: undefined,
      initialId: undefined,
    };
    this.#topics.set(topic, entry);
    // Through a promise, so that a layer throwing synchronously is a rejection like any other.
    const lastEventId = retains ? this.#layer.lastEventId?.bind(this.#layer) : undefined;
    entry.confirmed = Promise.resolve()
      // A retaining topic's last id is read first: what is published after it arrives live.
      .then(() => lastEventId?.(topic))
      .then((last) => {
        entry.initialId = last;
        return this.#layer.subscribe(topic, (message, id) => this.#receive(entry, message, id));
      })
      .then(
        (subscription) => {
          entry.layerSubscription = subscription;
          if (entry.released) this.#release(entry, subscription);
        },
        (error: unknown) => {
          // Forget the failed entry so the next subscriber tries the layer afresh.
          if (this.#topics.get(topic) === entry) this.#topics.delete(topic);
          entry.released = true;
          throw error;
        },
      );
    return entry;
  }

  #release(entry: TopicEntry, subscription: LayerSubscription): void {
    Promise.resolve()
      .then(() => subscription.unsubscribe())
      .catch((error: unknown) => {
        this.#logger.warn(`Could not release layer topic "${entry.topic}" on ${this.#layer.name}.`, {
          topic: entry.topic,
          error,
        });
      });
  }

  /** A topic's retained history after `afterId` (see `Layer.history`); the layer must retain. */
  history(topic: string, afterId: string): Promise<LayerHistory> {
    const history = this.#layer.history;
    if (history === undefined) return Promise.reject(new Error(`Layer ${this.#layer.name} keeps no history.`));
    return history.call(this.#layer, topic, afterId);
  }

  /**
   * Decodes a notification frame of `channel` and checks it like a live one (the resume
   * seam replays retained messages through here). `undefined`: dropped, and logged.
   */
  decodeNotification(
    channel: string,
    group: string | undefined,
    message: Uint8Array,
  ): { payload: unknown; headers: NotificationHeaders | undefined } | undefined {
    const split = splitNotification(this.#codec, message);
    if (split === undefined) return undefined;
    const headers = split.headers;
    let payload: unknown;
    try {
      payload = this.#codec.decode(split.body);
    } catch (error) {
      this.rejected++;
      this.#logger.error(`Dropped an undecodable message on channel "${channel}".`, {
        code: ErrorCode.MessageUndecodable,
        channel,
        group,
        bytes: message.length,
        error,
      });
      return undefined;
    }
    const check = this.#checks?.get(channel);
    if (check === undefined) return { payload, headers };
    const checked = check(payload);
    if (checked.ok) return { payload: checked.value, headers };
    this.rejected++;
    this.#logger.warn(
      `Dropped a message on channel "${channel}" that fails its schema: ` +
        checked.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; '),
      { code: ErrorCode.PayloadInvalid, channel, group },
    );
    return undefined;
  }

  #pushAll(entry: TopicEntry, payload: unknown, id: string | undefined): void {
    for (const subscriber of entry.subscribers) subscriber.push(payload, entry.group, id);
  }

  #receive(entry: TopicEntry, message: Uint8Array, id: string | undefined): void {
    if (entry.released || entry.subscribers.size === 0) return;
    switch (message[0]) {
      case FrameKind.Notification:
      case FrameKind.NotificationWithHeaders: {
        if (id !== undefined) entry.lastId = id;
        const decoded = this.decodeNotification(entry.channel, entry.group, message);
        if (decoded === undefined) return;
        const { payload, headers } = decoded;
        const telemetry = this.#telemetry;
        this.delivered += entry.subscribers.size;
        // One span per received broadcast, never per subscriber; what the subscribers do
        // synchronously (a shared execution, a socket write) happens inside it.
        const span = telemetry.processSpan(entry.channel, entry.group, entry.subscribers.size, headers);
        if (span === undefined) this.#pushAll(entry, payload, id);
        else {
          runInSpan(span, () => this.#pushAll(entry, payload, id));
          span.end();
        }
        if (headers !== undefined) telemetry.recordLatency(entry.channel, headers);
        return;
      }
      case FrameKind.Unsubscribe: {
        const sender = decodeUnsubscribe(this.#codec, message);
        // Copy: ending a subscriber detaches it from this very set.
        for (const subscriber of [...entry.subscribers]) {
          // A subscription this hub started after the unsubscribe call is not concerned by it.
          if (sender?.origin === this.#origin && subscriber.startedAfter >= sender.sequence) continue;
          subscriber.end('unsubscribe', true);
        }
        return;
      }
      default:
        this.#logger.error(`Dropped a message of unknown kind ${String(message[0])} on channel "${entry.channel}".`, {
          code: ErrorCode.MessageUndecodable,
          channel: entry.channel,
          group: entry.group,
          bytes: message.length,
        });
    }
  }
}
