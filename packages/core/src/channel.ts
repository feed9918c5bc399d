import { $ZodAsyncError, type $ZodType, type input, type output, safeParse, safeParseAsync } from 'zod/v4/core';
import { encodeNotification, encodeUnsubscribe } from './codec.js';
import { type PayloadIssue, PayloadValidationError } from './errors.js';
import type { HubCore } from './hub.js';
import { assertGroup, type GroupSelection, normalizeGroups, topicOf } from './names.js';
import { checkQueueLimit } from './queue-limit.js';
import { type ResumePoint, startRetained, topicsOf } from './resume.js';
import { checkRetain, type RetainOptions, type RetainPolicy } from './retain.js';
import { type ChannelSubscription, type NotificationListener, Subscription } from './subscription.js';
import { endWhenSettled, recordFailure, SpanKind, startSpan, type TelemetrySpan } from './telemetry/index.js';

/** Any zod 4 schema, classic (`zod`) or mini (`zod/mini`). */
export type PayloadSchema = $ZodType;

/** Options of `hub.channel`. */
export interface ChannelOptions<Schema extends PayloadSchema> {
  /** The zod schema every broadcast payload must pass. */
  payload: Schema;
  /**
   * With a remote layer (Redis), check each received payload against the schema
   * (once per process) and drop what fails: another program, or an older
   * version of yours, may publish on the same channel. The payload sent is the
   * schema's parsed output, so this needs a schema that accepts its own output:
   * true of objects, defaults, coercions and refinements, not of a `.transform()`
   * that changes the type. Turn it off for those. Schemas with async
   * refinements are not checked on receipt.
   * @defaultValue `true` (it applies only with a remote layer)
   */
  validateReceived?: boolean | undefined;
  /**
   * Keep the last broadcasts of each group, so subscribers can resume after a
   * reconnection with nothing lost or repeated (docs/resume.md). Give `count`,
   * `maxAgeMs` or both (positive integers); a broadcast leaves the history once
   * beyond either. The layer stores the history (the memory layer in a ring per
   * group, Redis in a stream per group). Without `retain`, nothing is stored
   * and nothing extra is sent.
   * @throws GqlcastError `GQLCAST_INVALID_RETAIN` from `hub.channel` when invalid.
   * @defaultValue no retention
   */
  retain?: RetainOptions | undefined;
}

/** What a received payload check says: the payload to deliver, or why it is dropped. */
export type ReceivedCheck = { ok: true; value: unknown } | { ok: false; issues: readonly PayloadIssue[] };

/** What `channel.broadcast` takes. */
export interface BroadcastMessage<Input> {
  /** The group to notify; omit it to notify every subscriber of the channel. */
  group?: string | undefined;
  /** The payload, of the schema's input type; it is validated and parsed before it is sent. */
  payload: Input;
}

/** Options of `channel.subscribe`. */
export interface SubscribeOptions<T = unknown> {
  /** Overrides the hub's `queueLimit` for this subscription. */
  queueLimit?: number | undefined;
  /** Ends the subscription (reason `abort`) when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * Push delivery, for engines that fan out further (the gqlcast server drives
   * `@gqlcast/pothos` fields this way). Each notification is handed to this
   * function synchronously, in broadcast order, as it arrives; nothing is queued,
   * so `queueLimit` does not apply and the iterator yields nothing: it only ends
   * (`ended`, `endReason`). The function must not throw; a throw is logged and
   * the fan-out goes on.
   */
  onNotification?: NotificationListener<T> | undefined;
  /**
   * Resume after a cursor (`decodeCursor` of what `subscription.cursor()` gave an
   * earlier subscription): every retained notification after it is delivered first,
   * in order, then live ones, with nothing repeated. When the history no longer
   * reaches back that far, or names other groups, `resumeGap` says so before the
   * first replayed notification (docs/resume.md). On a channel without `retain`
   * nothing can be replayed: `resumeGap` is `{}` and delivery is live only.
   */
  resumeFrom?: ResumePoint | undefined;
}

/**
 * A typed broadcast channel, declared with `hub.channel(name, { payload })`.
 *
 * @typeParam Name - the channel's name, as a literal type.
 * @typeParam Schema - the zod schema of its payloads.
 */
export interface Channel<Name extends string = string, Schema extends PayloadSchema = PayloadSchema> {
  readonly name: Name;
  readonly schema: Schema;
  /** The channel's checked `retain` option, or `undefined` when it keeps no history. */
  readonly retain: RetainPolicy | undefined;

  /**
   * Validates `payload` with the channel's schema, encodes its parsed output once
   * and hands it to the layer, in call order (awaiting is not needed for order).
   * Never throws synchronously: every failure is a rejected promise.
   *
   * @returns resolves once the layer has taken the message.
   * @throws PayloadValidationError `GQLCAST_PAYLOAD_INVALID` naming each zod issue;
   *   GqlcastError `GQLCAST_PAYLOAD_UNENCODABLE`, `GQLCAST_INVALID_GROUP`,
   *   `GQLCAST_HUB_CLOSED`, or the layer's error. In each case nothing was sent.
   */
  broadcast(message: BroadcastMessage<input<Schema>>): Promise<void>;

  /**
   * Stops every subscription of `group` (or, without a group, every subscription
   * of the channel) in every process sharing the layer. Notifications broadcast
   * before it are still delivered; then the iterators end with reason `unsubscribe`.
   */
  unsubscribe(options?: { group?: string | undefined }): Promise<void>;

  /**
   * Subscribes to the channel-wide topic and to each given group.
   * Await `ready` before relying on delivery.
   *
   * @throws GqlcastError `GQLCAST_INVALID_GROUP` or `GQLCAST_HUB_CLOSED`, synchronously.
   */
  subscribe(groups?: GroupSelection, options?: SubscribeOptions<output<Schema>>): ChannelSubscription<output<Schema>>;
}

/** The type `broadcast` accepts as payload for a channel. */
export type ChannelInput<C extends Channel> = C extends Channel<string, infer Schema> ? input<Schema> : never;
/** The type subscribers (and `publish`) receive from a channel. */
export type ChannelPayload<C extends Channel> = C extends Channel<string, infer Schema> ? output<Schema> : never;
/** The literal name of a channel. */
export type ChannelName<C extends Channel> = C['name'];

/** @internal */
export function createChannel<const Name extends string, Schema extends PayloadSchema>(
  hub: HubCore,
  name: Name,
  options: ChannelOptions<Schema>,
): Channel<Name, Schema> {
  const schema = options?.payload;
  if (schema === null || typeof schema !== 'object' || !('_zod' in schema)) {
    throw new TypeError(`hub.channel("${name}"): options.payload must be a zod 4 schema, e.g. z.object({ ... }).`);
  }
  const retain = checkRetain(options.retain, name);

  function encodeParsed(
    result: { success: true; data: unknown } | { success: false; error: { issues: readonly PayloadIssue[] } },
    group: string | undefined,
    span: TelemetrySpan | undefined,
  ): Uint8Array {
    if (!result.success) throw new PayloadValidationError(name, group, result.error.issues.map(toIssue));
    return encodeNotification(hub.codec, result.data, name, group, hub.telemetry.headersFor(span));
  }

  function prepare(
    payload: unknown,
    group: string | undefined,
    span: TelemetrySpan | undefined,
  ): Uint8Array | Promise<Uint8Array> {
    try {
      return encodeParsed(safeParse(schema, payload), group, span);
    } catch (error) {
      // Schemas with async refinements cannot parse synchronously; the hub keeps their place in line.
      if (!(error instanceof $ZodAsyncError)) throw error;
      return safeParseAsync(schema, payload).then((result) => encodeParsed(result, group, span));
    }
  }

  if (options.validateReceived !== false) {
    hub.registerReceivedCheck(name, (payload) => {
      try {
        const result = safeParse(schema, payload);
        return result.success
          ? { ok: true, value: result.data }
          : { ok: false, issues: result.error.issues.map(toIssue) };
      } catch (error) {
        // Async refinements cannot run here without reordering: deliver as sent.
        if (error instanceof $ZodAsyncError) return { ok: true, value: payload };
        throw error;
      }
    });
  }

  return {
    name,
    schema,
    retain,

    broadcast(message) {
      // Checked first: without the API, no span name or attributes are built per broadcast.
      const span = hub.telemetry.tracing ? publishSpan(name, message?.group) : undefined;
      try {
        hub.assertOpen(`broadcast on channel "${name}"`);
        const group = message?.group;
        if (group !== undefined) assertGroup(group, name);
        const frame = prepare(message?.payload, group, span);
        if (span === undefined) return hub.handOver(topicOf(name, group), frame, retain);
        if (frame instanceof Uint8Array) span.setAttribute('messaging.message.body.size', frame.length);
        return endWhenSettled(span, hub.handOver(topicOf(name, group), frame, retain));
      } catch (error) {
        if (span !== undefined) {
          recordFailure(span, error);
          span.end();
        }
        return Promise.reject(error);
      }
    },

    unsubscribe(unsubscribeOptions) {
      try {
        hub.assertOpen(`unsubscribe on channel "${name}"`);
        const group = unsubscribeOptions?.group;
        if (group !== undefined) assertGroup(group, name);
        return hub.handOver(
          topicOf(name, group),
          encodeUnsubscribe(hub.codec, hub.origin, hub.nextUnsubscribeSequence()),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    },

    subscribe(selection, subscribeOptions = {}) {
      hub.assertOpen(`subscribe to channel "${name}"`);
      const groups = normalizeGroups(selection, name);
      const limit =
        subscribeOptions.queueLimit === undefined
          ? hub.queueLimit
          : checkQueueLimit(subscribeOptions.queueLimit, `channel("${name}").subscribe: queueLimit`);
      const subscription = new Subscription<output<Schema>>(hub, name, groups, limit, subscribeOptions.onNotification);
      subscription.startedAfter = hub.unsubscribeSequence;
      const self = subscription as Subscription<unknown>;
      hub.track(self);
      const retains = retain !== undefined;
      const resumeFrom = subscribeOptions.resumeFrom;
      // Nothing is retained to resume from: say so, and deliver live.
      if (!retains && resumeFrom !== undefined) subscription.resumeGap = {};
      // Made before any topic is attached: a live notification must not slip past a resume's replay.
      const seam = retains ? self.trackHistory(resumeFrom?.position ?? new Map()) : undefined;
      let confirmations: Promise<string | undefined>[];
      try {
        confirmations = [hub.fanout.attach(name, name, undefined, self, retains)];
        for (const group of groups) {
          confirmations.push(hub.fanout.attach(topicOf(name, group), name, group, self, retains));
        }
      } catch (error) {
        confirmations = [Promise.reject(error)];
      }
      const confirmed = Promise.all(confirmations);
      subscription.ready = (
        seam === undefined
          ? confirmed
          : confirmed.then((starts) =>
              startRetained(self, seam, hub.fanout, topicsOf(name, groups), starts, resumeFrom),
            )
      ).then(
        () => undefined,
        (error: unknown) => {
          // Ended meanwhile (hub closed, returned): the layer's refusal no longer matters.
          if (subscription.endReason !== undefined && subscription.endReason !== 'error') return;
          subscription.fail(error);
          throw error;
        },
      );
      // `ready` may be ignored by the caller: its rejection also reaches `next()`, so it is not "unhandled".
      subscription.ready.catch(() => undefined);

      const signal = subscribeOptions.signal;
      if (signal !== undefined) {
        if (signal.aborted) subscription.end('abort', false);
        else {
          const onAbort = () => subscription.end('abort', false);
          signal.addEventListener('abort', onAbort, { once: true });
          void subscription.ended.then(() => signal.removeEventListener('abort', onAbort));
        }
      }
      return subscription;
    },
  };
}

/** The PRODUCER span of one broadcast (OpenTelemetry messaging conventions), when tracing is on. */
function publishSpan(channel: string, group: string | undefined) {
  const attributes: Record<string, string> = {
    'messaging.system': 'gqlcast',
    'messaging.operation.type': 'publish',
    'messaging.destination.name': channel,
  };
  if (group !== undefined) attributes['gqlcast.group'] = group;
  return startSpan('@gqlcast/core', `publish ${channel}`, SpanKind.Producer, attributes);
}

function toIssue(issue: PayloadIssue): PayloadIssue {
  return { path: issue.path, message: issue.message, code: issue.code };
}
