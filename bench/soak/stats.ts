import { Redis } from 'ioredis';

/** Memory of this process, and how many soak channels Redis still holds (when on Redis). */
export async function processStats(redisUrl: string | undefined) {
  const memory = process.memoryUsage();
  let redisChannels: number | undefined;
  if (redisUrl) {
    const redis = new Redis(redisUrl);
    redisChannels = ((await redis.pubsub('CHANNELS', 'soak:*')) as string[]).length;
    redis.disconnect();
  }
  return { rss: memory.rss, heapUsed: memory.heapUsed, redisChannels };
}
