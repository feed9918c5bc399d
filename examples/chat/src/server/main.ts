// `npm start`: the chat on http://localhost:4000 (PORT), memory layer or Redis (REDIS_URL).
import { startChatServer } from './app.js';

const server = await startChatServer({
  port: Number(process.env.PORT ?? 4000),
  redisUrl: process.env.REDIS_URL || undefined,
  ...(process.env.DB_FILE ? { databaseFile: process.env.DB_FILE } : {}),
  ...(process.env.SERVER_NAME ? { name: process.env.SERVER_NAME } : {}),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    console.log(`[chat] ${signal}: closing.`);
    await server.close();
    process.exit(0);
  });
}
