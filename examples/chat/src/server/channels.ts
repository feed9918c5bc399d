// The broadcast side of the chat: one typed channel, carried in memory or through Redis.
import { createHub, type Hub, type Logger } from '@gqlcast/core';
import { redisLayer } from '@gqlcast/redis';
import { z } from 'zod';

export const chatMessagePayload = z.object({
  chatroom: z.string().min(1),
  text: z.string().min(1).max(2_000),
  /** The username, or "Anonymous". */
  sender: z.string(),
  /** Who sent it, per connection: tells two anonymous senders apart, and lets a sender skip its own message. */
  senderIdentity: z.string(),
  createdAt: z.coerce.date(),
});

/** Subscribers of every room join this group; each message is broadcast to its room's group and to it. */
export const allRoomsGroup = 'rooms:all';
export const roomGroup = (chatroom: string) => `room:${chatroom}`;

export function createChatHub(options: { redisUrl?: string | undefined; logger?: Logger | undefined } = {}) {
  const layer = options.redisUrl
    ? redisLayer({ url: options.redisUrl, keyPrefix: 'chat:', logger: options.logger })
    : undefined;
  const hub: Hub = createHub({ layer, logger: options.logger });
  const chatMessages = hub.channel('chatMessages', { payload: chatMessagePayload });
  return { hub, chatMessages };
}

export type ChatMessages = ReturnType<typeof createChatHub>['chatMessages'];
