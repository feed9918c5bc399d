// The chat's schema, resolvers and persistence, through the real server and client, in-process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@gqlcast/client';
import { flush } from '@gqlcast/client/testing';
import { inProcessTransport } from '@gqlcast/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../src/server/app.js';
import { openDatabase } from '../src/server/database.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: { dir?: string } = {}) {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'gqlcast-chat-')));
  if (options.dir === undefined) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const server: ChatServer = await startChatServer({
    port: 0,
    databaseFile: join(dir, 'chat.sqlite'),
    log: (line) => lines.push(line),
    keepAlive: 0,
  });
  cleanups.push(() => server.close());
  const connect = () => {
    const client = createClient({ transport: inProcessTransport(server.gql), retry: false });
    cleanups.push(() => client.close());
    return client;
  };
  return { server, connect, lines, dir };
}

const history = 'query ($room: String!) { history(chatroom: $room) { chatroom text sender createdAt } }';
const send = 'mutation ($room: String!, $text: String!) { sendChatMessage(chatroom: $room, text: $text) { ok } }';
const subscription = 'subscription ($room: String) { onNewChatMessage(chatroom: $room) { chatroom text sender } }';

describe('DjangoChannelsGraphqlWs’s sample session', () => {
  it('sends as Anonymous, logs in as user, then sends as user; history keeps both', async () => {
    const { connect } = await start();
    const client = connect();
    expect(await client.execute({ query: history, variables: { room: 'kittens' } })).toEqual({ data: { history: [] } });
    expect(await client.execute({ query: send, variables: { room: 'kittens', text: 'Hi all!' } })).toEqual({
      data: { sendChatMessage: { ok: true } },
    });
    expect(await client.execute({ query: '{ me { username } }' })).toEqual({ data: { me: null } });
    expect(await client.execute({ query: 'mutation { login(username: "user", password: "wrong") { ok } }' })).toEqual({
      data: { login: { ok: false } },
    });
    expect(await client.execute({ query: 'mutation { login(username: "user", password: "pass") { ok } }' })).toEqual({
      data: { login: { ok: true } },
    });
    expect(await client.execute({ query: '{ me { id username } }' })).toEqual({
      data: { me: { id: '1', username: 'user' } },
    });
    await client.execute({ query: send, variables: { room: 'kittens', text: 'It is me!' } });
    const result = await client.execute<{ history: { text: string; sender: string; createdAt: string }[] }>({
      query: history,
      variables: { room: 'kittens' },
    });
    expect(result.data?.history.map(({ text, sender }) => ({ text, sender }))).toEqual([
      { text: 'Hi all!', sender: 'Anonymous' },
      { text: 'It is me!', sender: 'user' },
    ]);
    expect(new Date(result.data?.history[0]?.createdAt ?? '').toISOString()).toBe(result.data?.history[0]?.createdAt);
    await client.execute({ query: 'mutation { logout { ok } }' });
    expect(await client.execute({ query: '{ me { username } }' })).toEqual({ data: { me: null } });
  });
});

describe('refused messages', () => {
  it('neither stores nor sends a message its schema refuses, and says why', async () => {
    const { connect } = await start();
    const client = connect();
    const refused = await client.execute({ query: send, variables: { room: 'kittens', text: 'x'.repeat(2_001) } });
    expect(refused.errors?.[0]?.message).toMatch(/^text: Too big/);
    expect(await client.execute({ query: history, variables: { room: 'kittens' } })).toEqual({ data: { history: [] } });
  });
});

describe('subscriptions', () => {
  it('notify everyone in the room but the sender, anonymous senders told apart per connection', async () => {
    const { connect } = await start();
    const [first, second, elsewhere] = [connect(), connect(), connect()];
    const firstSub = first.subscribe({ query: subscription, variables: { room: 'kittens' } });
    const secondSub = second.subscribe({ query: subscription, variables: { room: 'kittens' } });
    const elsewhereSub = elsewhere.subscribe({ query: subscription, variables: { room: 'puppies' } });
    await Promise.all([firstSub.ready, secondSub.ready, elsewhereSub.ready]);

    await first.execute({ query: send, variables: { room: 'kittens', text: 'from the first' } });
    expect((await secondSub.next()).value).toEqual({
      data: { onNewChatMessage: { chatroom: 'kittens', text: 'from the first', sender: 'Anonymous' } },
    });
    await second.execute({ query: send, variables: { room: 'kittens', text: 'from the second' } });
    // Both are "Anonymous", yet each skips only its own message.
    expect((await firstSub.next()).value).toEqual({
      data: { onNewChatMessage: { chatroom: 'kittens', text: 'from the second', sender: 'Anonymous' } },
    });
    const seen: unknown[] = [];
    void (async () => {
      for await (const result of elsewhereSub) seen.push(result);
    })();
    await flush(elsewhere);
    expect(seen).toEqual([]);
  });

  it('without a chatroom, receive the messages of every room, once each', async () => {
    const { connect } = await start();
    const [listener, sender] = [connect(), connect()];
    const everything = listener.subscribe({ query: subscription });
    await everything.ready;
    await sender.execute({ query: send, variables: { room: 'kittens', text: 'meow' } });
    await sender.execute({ query: send, variables: { room: 'puppies', text: 'woof' } });
    expect((await everything.next()).value).toEqual({
      data: { onNewChatMessage: { chatroom: 'kittens', text: 'meow', sender: 'Anonymous' } },
    });
    expect((await everything.next()).value).toEqual({
      data: { onNewChatMessage: { chatroom: 'puppies', text: 'woof', sender: 'Anonymous' } },
    });
    const more: unknown[] = [];
    void (async () => {
      for await (const result of everything) more.push(result);
    })();
    await flush(listener);
    expect(more).toEqual([]);
  });

  it('logs each operation through the middleware, anonymous ones included', async () => {
    const { connect, lines } = await start();
    await connect().execute({ query: '{ me { username } }' });
    expect(lines).toContain('query (anonymous): me');
  });
});

describe('persistence', () => {
  it('creates the database with the user "user" on first start, and keeps messages across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gqlcast-chat-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await start({ dir });
    expect(first.lines[0]).toMatch(/^Created the database .*chat\.sqlite with the user "user" \(password "pass"\)\.$/);
    await first.connect().execute({ query: send, variables: { room: 'general', text: 'still here tomorrow' } });
    await first.server.close();

    const second = await start({ dir });
    expect(second.lines.some((line) => line.startsWith('Created the database'))).toBe(false);
    const result = await second
      .connect()
      .execute<{ history: { text: string }[] }>({ query: history, variables: { room: 'general' } });
    expect(result.data?.history.map((message) => message.text)).toEqual(['still here tomorrow']);
  });

  it('stores passwords salted and hashed, never in clear', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gqlcast-chat-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const db = await openDatabase(join(dir, 'chat.sqlite'), { log: () => undefined });
    expect(await db.login('user', 'pass')).toEqual({ id: '1', username: 'user' });
    expect(await db.login('user', 'Pass')).toBeNull();
    expect(await db.login('nobody', 'pass')).toBeNull();
    await db.close();
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(dir, 'chat.sqlite'));
    expect(bytes.includes(Buffer.from('scrypt$'))).toBe(true);
    expect(bytes.includes(Buffer.from('pass\u0000'))).toBe(false);
  });
});
