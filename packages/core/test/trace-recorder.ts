// The real OpenTelemetry SDK for the telemetry tests (core's, the server's and Redis's): an
// in-memory span exporter behind the global tracer provider, with async-hooks context and the
// W3C trace-context propagator (as the Node SDK registers them), for one test file; and an
// in-memory metric reader behind the global meter provider.
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** Registers the tracing SDK for the calling test file; each test starts with no finished span. */
export function recordSpans(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());
  return exporter;
}

/**
 * Resolves with the finished span that `test` picks, once there is one (a span may end after the
 * answer the test awaited was sent), waiting one event-loop turn at a time, no timer.
 */
export async function finishedSpan(
  exporter: InMemorySpanExporter,
  test: (span: ReadableSpan) => boolean,
): Promise<ReadableSpan> {
  for (;;) {
    const span = exporter.getFinishedSpans().find(test);
    if (span !== undefined) return span;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The metrics SDK: `collect()` reads every instrument now (cumulative values). */
export interface MetricRecorder {
  collect(): Promise<MetricData[]>;
  /** One metric's data points, by name, after a collection. */
  points(name: string): Promise<{ attributes: Record<string, unknown>; value: unknown }[]>;
}

/**
 * Registers the metrics SDK for the calling test file (`beforeAll`): create hubs and
 * servers inside tests, after it, as an application creates them after registering the SDK.
 */
export function recordMetrics(): MetricRecorder {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The export interval is never reached: tests collect explicitly.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  beforeAll(() => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(async () => {
    await reader.shutdown();
    metrics.disable();
  });
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  return {
    collect,
    async points(name) {
      const metric = (await collect()).find((candidate) => candidate.descriptor.name === name);
      return (metric?.dataPoints ?? []).map((point) => ({
        attributes: { ...point.attributes },
        value: point.value,
      }));
    },
  };
}
