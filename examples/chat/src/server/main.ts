// `npm start`: the chat on http://localhost:4000 (PORT), memory layer or Redis (REDIS_URL);
// OpenTelemetry with OTEL_EXPORTER_OTLP_ENDPOINT or PROMETHEUS_METRICS=1 (telemetry.ts).
import { startChatServer } from './app.js';
import { startTelemetry } from './telemetry.js';

// First: the hub and the server make their instruments when they are created.
const telemetry = await startTelemetry();
if (telemetry?.metricsHandler) console.log('[chat] Prometheus metrics on /metrics.');

const server = await startChatServer({
  metrics: telemetry?.metricsHandler,
  port: Number(process.env.PORT ?? 4000),
  redisUrl: process.env.REDIS_URL || undefined,
  ...(process.env.DB_FILE ? { databaseFile: process.env.DB_FILE } : {}),
  ...(process.env.SERVER_NAME ? { name: process.env.SERVER_NAME } : {}),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    console.log(`[chat] ${signal}: closing.`);
    await server.close();
    await telemetry?.shutdown();
    process.exit(0);
  });
}
