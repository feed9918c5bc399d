// Broadcasts a system message to a room from outside any server, as DjangoChannelsGraphqlWs's users did from a shell:
//   REDIS_URL=redis://127.0.0.1:6379 npm run announce -- kittens "The server restarts at noon"
// It needs the Redis layer: a memory layer in this process would reach no server.
import { randomUUID } from 'node:crypto';
import { allRoomsGroup, createChatHub, roomGroup } from '../src/server/channels.js';

const [chatroom, ...words] = process.argv.slice(2);
const redisUrl = process.env.REDIS_URL;
if (!chatroom || words.length === 0 || !redisUrl) {
  console.error('Usage: REDIS_URL=redis://host:port tsx scripts/announce.ts <chatroom> <text...>');
  process.exit(2);
}
const { hub, chatMessages } = createChatHub({ redisUrl });
const payload = {
  chatroom,
  text: words.join(' '),
  sender: 'system',
  senderIdentity: `script-${randomUUID()}`,
  createdAt: new Date(),
};
await Promise.all([
  chatMessages.broadcast({ group: roomGroup(chatroom), payload }),
  chatMessages.broadcast({ group: allRoomsGroup, payload }),
]);
await hub.close();
console.log(`Announced to #${chatroom}: ${payload.text}`);
