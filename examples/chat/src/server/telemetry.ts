// OpenTelemetry for the chat, from the environment (docs/observability.md):
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318  traces and metrics over OTLP/HTTP (the
//                                                       exporters read the other OTEL_* variables)
//   PROMETHEUS_METRICS=1                                metrics on the chat's own /metrics
// It must run before the hub and the server are created: they make their instruments once,
// at creation, from the MeterProvider registered then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface ChatTelemetry {
  /** Serves the Prometheus text format (with `PROMETHEUS_METRICS`). */
  readonly metricsHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/** Registers the SDK as the environment asks; `undefined` when it asks for nothing. */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): ChatTelemetry | undefined {
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const prometheus = env.PROMETHEUS_METRICS === '1' || env.PROMETHEUS_METRICS === 'true';
  if (!otlp && !prometheus) return undefined;
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'gqlcast-chat' });

  // register(): AsyncLocalStorage context and the W3C trace-context propagator, so a broadcast's
  // trace context travels through Redis to the other servers.
  const tracing = otlp
    ? new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] })
    : undefined;
  tracing?.register();

  const readers: MetricReader[] = [];
  if (otlp) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000,
      }),
    );
  }
  // Served on the chat's own HTTP server, not on a second port.
  const exporter = prometheus ? new PrometheusExporter({ preventServerStart: true }) : undefined;
  if (exporter !== undefined) readers.push(exporter);
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    metricsHandler:
      exporter === undefined ? undefined : (request, response) => exporter.getMetricsRequestHandler(request, response),
    async shutdown() {
      await Promise.all([tracing?.shutdown(), meterProvider.shutdown()]);
    },
  };
}
