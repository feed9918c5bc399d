import { meterOf, Observations } from '@gqlcast/core/telemetry';
import type { RedisLayerStats } from './options.js';

/**
 * Reports a Redis layer's counters as OpenTelemetry instruments, read from `stats()` when
 * the SDK collects (nothing is recorded per message). Returns the function that stops
 * reporting (the layer's `close`). Without a MeterProvider registered, does nothing.
 */
export function observeLayer(layerName: string, stats: () => RedisLayerStats, enabled: boolean): () => void {
  const meter = enabled ? meterOf('@gqlcast/redis') : undefined;
  if (meter === undefined) return () => undefined;
  const layer = { 'gqlcast.layer': layerName };
  const observations = new Observations();
  observations.add(
    meter.createObservableCounter('gqlcast.redis.messages', {
      description:
        'Messages of this layer by kind: published, received, garbage (not ours), rejected (forged, replayed, out of range), missed (lost to an outage).',
      unit: '{message}',
    }),
    (result) => {
      const now = stats();
      for (const kind of ['published', 'received', 'garbage', 'rejected', 'missed'] as const) {
        result.observe(now[kind], { ...layer, 'gqlcast.redis.kind': kind });
      }
    },
  );
  observations.add(
    meter.createObservableCounter('gqlcast.redis.gaps', {
      description: 'Delivery gaps detected (a publisher’s messages missed while cut off from Redis).',
      unit: '{gap}',
    }),
    (result) => result.observe(stats().gaps, layer),
  );
  observations.add(
    meter.createObservableCounter('gqlcast.redis.reconnects', {
      description: 'Connections to Redis back after an outage.',
      unit: '{reconnect}',
    }),
    (result) => result.observe(stats().reconnects, layer),
  );
  observations.add(
    meter.createObservableGauge('gqlcast.redis.offline_buffer', {
      description: 'Broadcasts waiting in the offline buffer for Redis to come back.',
      unit: '{broadcast}',
    }),
    (result) => result.observe(stats().buffered, layer),
  );
  return () => observations.stop();
}
