export type { DeliveryGap, RedisLayerOptions, RedisLayerStats } from './options.js';
export { type RedisLayer, type RedisLayerEvents, redisLayer } from './redis-layer.js';
export type { SigningKeyOption } from './signing.js';
