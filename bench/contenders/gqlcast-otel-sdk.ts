// gqlcast with the OpenTelemetry SDK registered in its process, as an application traces it: a
// tracer provider (async-hooks context, W3C propagation, a batch span processor) and a meter
// provider collecting every second. Both exporters discard what they get: the cost measured is
// gqlcast's and the SDK's, not a network's. Against `gqlcast-otel-off` in the same run: what
// tracing and metrics cost (docs/observability.md).
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { gqlcastContender } from './gqlcast.js';

/** An exporter that takes everything and keeps nothing. */
const discard = {
  export: (_items: unknown, done: (result: { code: ExportResultCode }) => void) =>
    done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};

function registerSdk(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }));
  metrics.setGlobalMeterProvider(
    new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: { ...discard, selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE },
          exportIntervalMillis: 1_000,
        }),
      ],
    }),
  );
}

export default gqlcastContender({
  id: 'gqlcast-otel-sdk',
  description: 'gqlcast with the OpenTelemetry SDK registered (traces and metrics, discarding exporters; S1, S2)',
  packages: ['@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-metrics'],
  setup: registerSdk,
  scenarios: ['S1', 'S2'],
});
