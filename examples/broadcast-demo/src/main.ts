/**
 * A tour of @gqlcast/core in one process: a typed channel, two subscribers in
 * different groups, and broadcasts that reach exactly the right ones.
 *
 *   npm start              broadcasts every second until Ctrl+C
 *   npm start -- --once    broadcasts three messages, prints them, exits
 */
import { type ChannelPayload, type ChannelSubscription, createHub } from '@gqlcast/core';
import { z } from 'zod';

const once = process.argv.includes('--once');

const hub = createHub();
const chatMessages = hub.channel('chatMessages', {
  payload: z.object({
    chatroom: z.string(),
    text: z.string().min(1),
    sender: z.string(),
    sentAt: z.date().default(() => new Date()),
  }),
});
type ChatMessage = ChannelPayload<typeof chatMessages>;

// Each subscriber joins one room (a group); every subscription also gets
// channel-wide broadcasts (sent without a group).
const alice = chatMessages.subscribe('room:kittens');
const bob = chatMessages.subscribe('room:puppies');
// `ready` resolves once the groups are subscribed in the layer: from then on nothing is missed.
await Promise.all([alice.ready, bob.ready]);
console.log('alice joined room:kittens, bob joined room:puppies');

async function print(name: string, subscription: ChannelSubscription<ChatMessage>) {
  for await (const message of subscription) {
    console.log(
      `${name} <- [${message.chatroom}] ${message.sender}: ${message.text} (${message.sentAt.toISOString()})`,
    );
  }
  console.log(`${name}'s subscription ended (${subscription.endReason})`);
}
const printing = Promise.all([print('alice', alice), print('bob', bob)]);

const script = [
  { group: 'room:kittens', payload: { chatroom: 'kittens', text: 'Hi all!', sender: 'Anonymous' } },
  { group: 'room:puppies', payload: { chatroom: 'puppies', text: 'Woof', sender: 'user' } },
  { payload: { chatroom: '*', text: 'Server restarts at noon', sender: 'system' } },
];

// A bad payload never leaves the process: the error says what to fix.
await chatMessages
  .broadcast({ group: 'room:kittens', payload: { chatroom: 'kittens', text: '', sender: 'Anonymous' } })
  .catch((error: Error) => console.log(`refused: ${error.message}`));

if (once) {
  for (const message of script) await chatMessages.broadcast(message);
  // Unsubscribing delivers what was sent before, then ends the iterators.
  await chatMessages.unsubscribe();
  await printing;
  await hub.close();
} else {
  let tick = 0;
  const timer = setInterval(() => {
    const message = script[tick++ % script.length];
    if (message) void chatMessages.broadcast(message);
  }, 1000);
  process.once('SIGINT', () => {
    clearInterval(timer);
    void hub.close().then(() => printing);
  });
  console.log('broadcasting every second; press Ctrl+C to stop');
}
