// Two chat servers sharing Redis, in a real browser: one history for both.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisNode, startRedis } from '../../../packages/redis/test/utils/redis-server.js';
import { buildWeb } from '../scripts/build-web.js';
import { type ChatServer, startChatServer } from '../src/server/app.js';

let browser: Browser;
let redis: RedisNode;
let dataDir: string;
const servers: ChatServer[] = [];

beforeAll(async () => {
  await buildWeb();
  redis = await startRedis();
  dataDir = await mkdtemp(join(tmpdir(), 'gqlcast-chat-cluster-'));
  for (const name of ['one', 'two']) {
    servers.push(
      await startChatServer({
        port: 0,
        name,
        redisUrl: redis.url,
        databaseFile: join(dataDir, `${name}.sqlite`),
        log: () => undefined,
      }),
    );
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => server.close()));
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function openChat(server: ChatServer, room: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/?room=${room}`);
  // The page marks the room ready once its subscription is confirmed and the history shown.
  await page.waitForSelector(`body[data-ready="${room}"]`);
  return page;
}

const texts = (page: Page) => page.locator('[data-testid="message"]').allTextContents();

it('shows, on each server, the history written through the other', async () => {
  const [one, two] = servers;
  if (one === undefined || two === undefined) throw new Error('two servers expected');

  const alice = await openChat(one, 'ferrets');
  await alice.fill('#text', 'Written through server one');
  await alice.click('#send-form button');
  await alice.locator('[data-testid="message"]', { hasText: 'Written through server one' }).waitFor();

  // A page opened later on the other server reads the history from Redis.
  const bob = await openChat(two, 'ferrets');
  expect((await texts(bob)).filter((text) => text.includes('Written through server one'))).toHaveLength(1);

  await bob.fill('#text', 'Written through server two');
  await bob.click('#send-form button');
  await alice.locator('[data-testid="message"]', { hasText: 'Written through server two' }).waitFor();

  // And the other way: a fresh page on server one shows both, in the order they were sent.
  const carol = await openChat(one, 'ferrets');
  const seen = (await texts(carol)).filter((text) => text.includes('Written through server'));
  expect(seen).toHaveLength(2);
  expect(seen[0]).toContain('server one');
  expect(seen[1]).toContain('server two');
});
