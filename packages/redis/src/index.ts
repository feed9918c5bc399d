export type { DeliveryGap, RedisLayerOptions, RedisLayerStats } from './options.js';
export { type RedisLayer, redisLayer } from './redis-layer.js';
