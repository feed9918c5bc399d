import type { RedisLayer, RedisLayerEvents } from '../../src/index.js';

/** Resolves with the next `event` of the layer (optionally for one role). No timers. */
export function nextEvent<E extends keyof RedisLayerEvents>(
  layer: RedisLayer,
  event: E,
  test: (details: RedisLayerEvents[E]) => boolean = () => true,
): Promise<RedisLayerEvents[E]> {
  return new Promise((resolve) => {
    const stop = layer.on(event, (details) => {
      if (!test(details)) return;
      stop();
      resolve(details);
    });
  });
}
