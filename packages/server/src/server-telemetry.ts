import { CloseCode } from '@gqlcast/core/protocol';
import {
  type AddingInstrument,
  meterOf,
  Observations,
  SpanKind,
  startSpan,
  type TelemetrySpan,
  tracingAvailable,
} from '@gqlcast/core/telemetry';

/** Why a connection was refused or cut off before it could be used (`gqlcast.connections.refused`). */
export type RefusalReason =
  | 'origin'
  | 'connections_per_address'
  | 'shutting_down'
  | 'on_connect'
  | 'init_timeout'
  | 'message_rate';

/**
 * What the notifications of one channel became on this server's sockets: written to a
 * socket, skipped by `publish` (SKIP), or dropped by a bound (a slow socket's outbox, an
 * async `publish` or execution falling behind). Plain counters: the metric reads them.
 */
export interface NotificationTally {
  delivered: number;
  skipped: number;
  dropped: number;
}

/**
 * The codes the close metric names: the protocols' own and WebSocket's usual ones. A client may
 * close with any code from 3000 to 4999; those are counted as `other`, so a client cannot grow
 * the metric's series without bound.
 */
const namedCloseCodes = new Set([
  ...Object.values(CloseCode),
  1002,
  1003,
  1005,
  1006,
  1007,
  1010,
  1011,
  1013,
  1014,
  1015,
]);

function closeCodeOf(code: number): number | 'other' {
  return namedCloseCodes.has(code) ? code : 'other';
}

/**
 * Everything the server records for OpenTelemetry (docs/observability.md), decided once
 * when the server is created: spans when tracing is on, instruments when a MeterProvider is
 * registered. Without either, each call here returns at its first check.
 */
export class ServerTelemetry {
  /** Whether spans are made (the `telemetry` option, and `@opentelemetry/api` installed). */
  readonly tracing: boolean;
  readonly #connections: AddingInstrument | undefined;
  readonly #closes: AddingInstrument | undefined;
  readonly #refusals: AddingInstrument | undefined;
  readonly #operationsRefused: AddingInstrument | undefined;
  readonly #subscriptions: AddingInstrument | undefined;
  /** Per channel; only kept while metrics are on. */
  readonly #tallies = new Map<string, NotificationTally>();
  readonly #observations = new Observations();
  readonly #meter;

  constructor(enabled: boolean) {
    this.tracing = enabled && tracingAvailable();
    const meter = enabled ? meterOf('@gqlcast/server') : undefined;
    this.#meter = meter;
    this.#connections = meter?.createUpDownCounter('gqlcast.connections.open', {
      description: 'WebSocket connections open (subprotocol negotiated).',
      unit: '{connection}',
    });
    this.#closes = meter?.createCounter('gqlcast.connections.closed', {
      description: 'WebSocket connections closed, by close code.',
      unit: '{connection}',
    });
    this.#refusals = meter?.createCounter('gqlcast.connections.refused', {
      description: 'Connections refused or cut off before use, by reason.',
      unit: '{connection}',
    });
    this.#operationsRefused = meter?.createCounter('gqlcast.operations.refused', {
      description: 'Operations refused (invalid, over a limit, declined by a hook), by error code.',
      unit: '{operation}',
    });
    this.#subscriptions = meter?.createUpDownCounter('gqlcast.subscriptions.active', {
      description: 'Subscriptions running, by root field.',
      unit: '{subscription}',
    });
    this.#observations.add(
      meter?.createObservableCounter('gqlcast.notifications', {
        description: 'Notifications by channel and outcome: delivered (written to a socket), skipped, dropped.',
        unit: '{notification}',
      }),
      (result) => {
        for (const [channel, tally] of this.#tallies) {
          result.observe(tally.delivered, { 'messaging.destination.name': channel, 'gqlcast.outcome': 'delivered' });
          result.observe(tally.skipped, { 'messaging.destination.name': channel, 'gqlcast.outcome': 'skipped' });
          result.observe(tally.dropped, { 'messaging.destination.name': channel, 'gqlcast.outcome': 'dropped' });
        }
      },
    );
  }

  /** The bytes waiting for sockets (outboxes and socket buffers), read when metrics are collected. */
  observeWaitingBytes(read: () => number): void {
    this.#observations.add(
      this.#meter?.createObservableGauge('gqlcast.outbox.bytes', {
        description: 'Bytes waiting to be written to sockets (outboxes and socket buffers).',
        unit: 'By',
      }),
      (result) => result.observe(read()),
    );
  }

  /** The tally of a channel's notifications, or `undefined` when nothing is metered. */
  tallyOf(channel: string | undefined): NotificationTally | undefined {
    if (this.#meter === undefined) return undefined;
    const name = channel ?? '';
    let tally = this.#tallies.get(name);
    if (tally === undefined) {
      tally = { delivered: 0, skipped: 0, dropped: 0 };
      this.#tallies.set(name, tally);
    }
    return tally;
  }

  connectionOpened(subprotocol: string): void {
    this.#connections?.add(1, { 'gqlcast.subprotocol': subprotocol });
  }

  connectionClosed(subprotocol: string, code: number): void {
    this.#connections?.add(-1, { 'gqlcast.subprotocol': subprotocol });
    this.#closes?.add(1, { 'gqlcast.close_code': closeCodeOf(code) });
  }

  refused(reason: RefusalReason): void {
    this.#refusals?.add(1, { 'gqlcast.refusal_reason': reason });
  }

  operationRefused(code: string): void {
    this.#operationsRefused?.add(1, { 'error.type': code });
  }

  /** A subscription started (`+1`) or ended (`-1`). */
  subscriptionCount(field: string, change: 1 | -1): void {
    this.#subscriptions?.add(change, { 'graphql.field.name': field });
  }

  /**
   * The CONSUMER span of one notification's shared execution (`process <channel>`): one per
   * notification for every subscriber sharing it, never one per subscriber. A child of the
   * received broadcast's span, which is active while it is fanned out.
   */
  sharedExecutionSpan(channel: string | undefined, subscribers: number): TelemetrySpan | undefined {
    if (!this.tracing) return undefined;
    const attributes: Record<string, string | number> = {
      'messaging.system': 'gqlcast',
      'messaging.operation.type': 'process',
      'gqlcast.execution': 'shared',
      'gqlcast.subscribers': subscribers,
    };
    if (channel !== undefined) attributes['messaging.destination.name'] = channel;
    return startSpan('@gqlcast/server', `process ${channel ?? 'notification'}`, SpanKind.Consumer, attributes);
  }

  /** The server closed: asynchronous instruments stop reporting it. */
  close(): void {
    this.#observations.stop();
  }
}
