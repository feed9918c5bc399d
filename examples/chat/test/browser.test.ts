// The chat in a real browser: Debian's chromium, driven by playwright-core.
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGraphqlWsServer } from '@gqlcast/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../scripts/build-web.js';
import { type ChatServer, startChatServer } from '../src/server/app.js';
import { createChatHub } from '../src/server/channels.js';
import { buildSchema } from '../src/server/schema.js';

const screenshots = fileURLToPath(new URL('../test-output/', import.meta.url));
let browser: Browser;
let server: ChatServer;
let dataDir: string;

beforeAll(async () => {
  await buildWeb();
  await mkdir(screenshots, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'gqlcast-chat-'));
  server = await startChatServer({ port: 0, databaseFile: join(dataDir, 'chat.sqlite'), log: () => undefined });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function openChat(room: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?room=${room}`);
  // The page marks the room ready once its subscription is confirmed and the history shown.
  await page.waitForSelector(`body[data-ready="${room}"]`);
  return page;
}

describe('the chat page', () => {
  it('delivers a message live to the other member of the room, and once to its sender', async () => {
    const alice = await openChat('kittens');
    const bob = await openChat('kittens');

    await alice.fill('input[name="username"]', 'user');
    await alice.fill('input[name="password"]', 'pass');
    await alice.click('#login-form button');
    await alice.waitForSelector('#signed-in:not([hidden])');
    expect(await alice.textContent('#username-label')).toBe('user');

    await alice.fill('#text', 'Hello from the browser');
    await alice.click('#send-form button');

    const received = bob.locator('[data-testid="message"]', { hasText: 'Hello from the browser' });
    await received.waitFor();
    expect(await received.locator('strong').textContent()).toBe('user');

    // Bob answers; when Alice sees it, everything before has arrived: her own message appears exactly once.
    await bob.fill('#text', 'Hi user, from Anonymous');
    await bob.click('#send-form button');
    await alice.locator('[data-testid="message"]', { hasText: 'Hi user, from Anonymous' }).waitFor();
    expect(await alice.locator('[data-testid="message"]', { hasText: 'Hello from the browser' }).count()).toBe(1);
    // The same for Bob: once Alice's next message reached him, any echo of his own would have too.
    await bob.locator('[data-testid="message"]', { hasText: 'Hi user, from Anonymous' }).waitFor();
    await alice.fill('#text', 'Sentinel from user');
    await alice.click('#send-form button');
    await bob.locator('[data-testid="message"]', { hasText: 'Sentinel from user' }).waitFor();
    expect(await bob.locator('[data-testid="message"]', { hasText: 'Hi user, from Anonymous' }).count()).toBe(1);

    await alice.screenshot({ path: `${screenshots}chat-sender.png`, fullPage: true });
    await bob.screenshot({ path: `${screenshots}chat-receiver.png`, fullPage: true });
  }, 60_000);
});

describe('GraphiQL', () => {
  it('runs a subscription over the WebSocket and shows a message sent from the chat page', async () => {
    const context = await browser.newContext();
    const graphiql = await context.newPage();
    const query = 'subscription s { onNewChatMessage(chatroom: "puppies") { text sender } }';
    await graphiql.goto(`${server.url}/graphiql?query=${encodeURIComponent(query)}`);
    await graphiql.locator('.graphiql-execute-button').click();
    // The page marks the subscription once the server confirmed it: then send.
    await graphiql.waitForSelector('body[data-subscriptions-ready="1"]');
    const chat = await openChat('puppies');
    await chat.fill('#text', 'Woof from the chat');
    await chat.click('#send-form button');
    await graphiql.locator('.result-window', { hasText: 'Woof from the chat' }).waitFor();
    expect(await graphiql.locator('.result-window').textContent()).toContain('"sender": "Anonymous"');
    await graphiql.screenshot({ path: `${screenshots}graphiql-subscription.png`, fullPage: true });
  }, 60_000);
});

describe('cross-site WebSocket hijacking', () => {
  it('lets a page of an allowed origin connect, and refuses one from another origin before the upgrade', async () => {
    const { hub, chatMessages } = createChatHub();
    // Two origins: the API server only accepts pages served by itself.
    const page =
      '<!doctype html><script>window.probe = (url) => new Promise((resolve) => {' +
      "const ws = new WebSocket(url, 'graphql-transport-ws');" +
      "ws.onopen = () => { ws.close(); resolve('open'); };" +
      "ws.onerror = () => resolve('refused'); });</script>";
    const api = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(page),
    );
    api.listen(0, '127.0.0.1');
    await once(api, 'listening');
    const apiPort = (api.address() as import('node:net').AddressInfo).port;
    const gql = createGraphqlWsServer({
      schema: buildSchema(chatMessages),
      allowedOrigins: [`http://127.0.0.1:${apiPort}`],
      heartbeatInterval: false,
    });
    gql.attach(api, { path: '/graphql' });
    const other = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end(page),
    );
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const otherPort = (other.address() as import('node:net').AddressInfo).port;
    try {
      const context = await browser.newContext();
      const same = await context.newPage();
      await same.goto(`http://127.0.0.1:${apiPort}/`);
      expect(
        await same.evaluate(
          (url) => (window as unknown as { probe(u: string): Promise<string> }).probe(url),
          `ws://127.0.0.1:${apiPort}/graphql`,
        ),
      ).toBe('open');
      const foreign = await context.newPage();
      await foreign.goto(`http://127.0.0.1:${otherPort}/`);
      expect(
        await foreign.evaluate(
          (url) => (window as unknown as { probe(u: string): Promise<string> }).probe(url),
          `ws://127.0.0.1:${apiPort}/graphql`,
        ),
      ).toBe('refused');
      await context.close();
    } finally {
      await gql.close();
      await new Promise((resolve) => api.close(resolve));
      await new Promise((resolve) => other.close(resolve));
      await hub.close();
    }
  }, 60_000);
});
