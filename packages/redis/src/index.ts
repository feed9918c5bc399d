export type { DeliveryGap, RedisLayer, RedisLayerEvents, RedisLayerOptions, RedisLayerStats } from './options.js';
export { redisLayer } from './redis-layer.js';
export type { SigningKeyOption } from './signing.js';
