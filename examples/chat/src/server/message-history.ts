// Where the chat keeps its messages. One server keeps them in its SQLite file
// (database.ts); servers sharing Redis (`npm run start:cluster`) keep them in
// Redis, so every server shows the same history: a message sent through one
// server is in the history the other serves.
import { Redis } from 'ioredis';

export interface StoredMessage {
  readonly chatroom: string;
  readonly text: string;
  readonly sender: string;
  readonly createdAt: Date;
}

/** The messages of every room, oldest first. */
export interface MessageHistory {
  /** The latest `limit` messages of a room, oldest first. */
  history(chatroom: string, limit?: number): Promise<StoredMessage[]>;
  addMessage(message: StoredMessage): Promise<void>;
  close(): Promise<void>;
}

/** How many messages each room keeps in Redis; older ones are trimmed as new ones arrive. */
export const redisHistoryLength = 1_000;

/**
 * Messages in Redis: one list per room (`chat:history:<room>`), appended with
 * RPUSH and trimmed to the last {@link redisHistoryLength} in the same
 * transaction, so every server reads the same, bounded history.
 */
export function redisMessageHistory(url: string): MessageHistory {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const key = (chatroom: string) => `chat:history:${chatroom}`;
  return {
    async history(chatroom, limit = 100) {
      const entries = await redis.lrange(key(chatroom), -limit, -1);
      return entries.map((entry) => {
        const { chatroom: room, text, sender, createdAt } = JSON.parse(entry) as Record<string, string>;
        return {
          chatroom: String(room),
          text: String(text),
          sender: String(sender),
          createdAt: new Date(String(createdAt)),
        };
      });
    },
    async addMessage(message) {
      const entry = JSON.stringify({ ...message, createdAt: message.createdAt.toISOString() });
      await redis
        .multi()
        .rpush(key(message.chatroom), entry)
        .ltrim(key(message.chatroom), -redisHistoryLength, -1)
        .exec();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
