// OpenTelemetry for the chat, from the environment (docs/observability.md):
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318  traces and metrics over OTLP/HTTP (the
//                                                       exporters read the other OTEL_* variables)
//   PROMETHEUS_METRICS=1                                metrics on the chat's own /metrics
// It must run before the hub and the server are created: they make their instruments once,
// at creation, from the MeterProvider registered then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricReader } from '@opentelemetry/sdk-metrics';

export interface ChatTelemetry {
  /** Serves the Prometheus text format (with `PROMETHEUS_METRICS`). */
  readonly metricsHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers the SDK as the environment asks; `undefined` when it asks for nothing. The SDK's
 * packages are loaded only then: a chat without telemetry never loads them.
 */
export async function startTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<ChatTelemetry | undefined> {
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const prometheus = env.PROMETHEUS_METRICS === '1' || env.PROMETHEUS_METRICS === 'true';
  if (!otlp && !prometheus) return undefined;
  const [{ metrics }, { resourceFromAttributes }, metricsSdk, tracingSdk] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'gqlcast-chat' });

  // register(): AsyncLocalStorage context and the W3C trace-context propagator, so a broadcast's
  // trace context travels through Redis to the other servers.
  let tracing: InstanceType<typeof tracingSdk.NodeTracerProvider> | undefined;
  const readers: MetricReader[] = [];
  if (otlp) {
    const [{ OTLPTraceExporter }, { OTLPMetricExporter }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/exporter-metrics-otlp-http'),
    ]);
    tracing = new tracingSdk.NodeTracerProvider({
      resource,
      spanProcessors: [new tracingSdk.BatchSpanProcessor(new OTLPTraceExporter())],
    });
    tracing.register();
    readers.push(
      new metricsSdk.PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000,
      }),
    );
  }
  // Served on the chat's own HTTP server, not on a second port.
  const exporter = prometheus
    ? new (await import('@opentelemetry/exporter-prometheus')).PrometheusExporter({ preventServerStart: true })
    : undefined;
  if (exporter !== undefined) readers.push(exporter);
  const meterProvider = new metricsSdk.MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    metricsHandler:
      exporter === undefined ? undefined : (request, response) => exporter.getMetricsRequestHandler(request, response),
    async shutdown() {
      await Promise.all([tracing?.shutdown(), meterProvider.shutdown()]);
    },
  };
}
