import type { NotificationHeaders } from './codec.js';
import { injectTrace, meterOf, SpanKind, startSpan, type TelemetrySpan, tracingAvailable } from './telemetry/index.js';

/**
 * What a hub records for OpenTelemetry (docs/observability.md), decided once when the hub is
 * created: whether it traces (the `telemetry` option, and `@opentelemetry/api` installed) and,
 * with a MeterProvider registered, the delivery latency histogram.
 */
export class HubTelemetry {
  /** Whether spans are made (`publish <channel>` per broadcast, `process <channel>` per received one). */
  readonly tracing: boolean;
  readonly #latency: { record(value: number, attributes?: Record<string, string>): void } | undefined;

  constructor(enabled: boolean) {
    this.tracing = enabled && tracingAvailable();
    const meter = enabled ? meterOf('@gqlcast/core') : undefined;
    this.#latency = meter?.createHistogram('gqlcast.notification.latency', {
      description:
        'From channel.broadcast to the end of the receiving process’s synchronous fan-out to its subscribers.',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] },
    });
  }

  /** The headers a broadcast carries: its trace context and, with metrics, its send time. */
  headersFor(span: TelemetrySpan | undefined): NotificationHeaders | undefined {
    const trace = span === undefined ? undefined : injectTrace(span);
    const sentAt = this.#latency === undefined ? undefined : now();
    return trace === undefined && sentAt === undefined ? undefined : { trace, sentAt };
  }

  /**
   * The CONSUMER span of one received broadcast (`process <channel>`), continuing the
   * broadcaster's trace when its context came along; `undefined` when not tracing.
   */
  processSpan(
    channel: string,
    group: string | undefined,
    subscribers: number,
    headers: NotificationHeaders | undefined,
  ): TelemetrySpan | undefined {
    if (!this.tracing) return undefined;
    const attributes: Record<string, string | number> = {
      'messaging.system': 'gqlcast',
      'messaging.operation.type': 'process',
      'messaging.destination.name': channel,
      'gqlcast.subscribers': subscribers,
    };
    if (group !== undefined) attributes['gqlcast.group'] = group;
    return startSpan('@gqlcast/core', `process ${channel}`, SpanKind.Consumer, attributes, headers?.trace);
  }

  /** Records how long a broadcast took to be fanned out here (clocks of two machines allowing). */
  recordLatency(channel: string, headers: NotificationHeaders | undefined): void {
    const sentAt = headers?.sentAt;
    if (this.#latency === undefined || sentAt === undefined) return;
    // Another machine's clock may be ahead: a negative latency is recorded as 0, never dropped.
    this.#latency.record(Math.max(0, now() - sentAt) / 1000, { 'messaging.destination.name': channel });
  }
}

/** Milliseconds since the epoch, with sub-millisecond precision. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
