// Two chat server processes sharing Redis: a message sent on one arrives on the other,
// and the announce script reaches both.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient, webSocketTransport } from '@gqlcast/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stopProcess, waitForLine } from '../../../packages/redis/test/utils/processes.js';
import { type RedisNode, startRedis } from '../../../packages/redis/test/utils/redis-server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let node: RedisNode;
let dir: string;

beforeAll(async () => {
  node = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'gqlcast-chat-'));
});
afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('delivers across two server processes on Redis, shares one history, and delivers from the announce script', async () => {
  const { fork } = await import('node:child_process');
  const servers = ['one', 'two'].map((name) =>
    fork(`${root}src/server/main.ts`, [], {
      execArgv: ['--conditions=@gqlcast/source', '--import', 'tsx'],
      env: { ...process.env, PORT: '0', REDIS_URL: node.url, DB_FILE: join(dir, `${name}.sqlite`), SERVER_NAME: name },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    }),
  );
  try {
    const ports = await Promise.all(
      servers.map(async (server) => Number((await waitForLine(server, /localhost:(\d+) \(GraphiQL/))[1])),
    );
    const [one, two] = ports.map((port) =>
      createClient({ transport: webSocketTransport(`ws://127.0.0.1:${port}/graphql`) }),
    );
    if (one === undefined || two === undefined) throw new Error('no clients');
    try {
      const query = 'subscription { onNewChatMessage(chatroom: "kittens") { text sender } }';
      const onTwo = two.subscribe({ query });
      const onOne = one.subscribe({ query });
      await Promise.all([onOne.ready, onTwo.ready]);
      await one.execute({ query: 'mutation { login(username: "user", password: "pass") { ok } }' });
      await one.execute({ query: 'mutation { sendChatMessage(chatroom: "kittens", text: "across servers") { ok } }' });
      expect((await onTwo.next()).value).toEqual({
        data: { onNewChatMessage: { text: 'across servers', sender: 'user' } },
      });
      // One history: the message sent through the first server is in the second server's history.
      const history = 'query { history(chatroom: "kittens") { text sender } }';
      expect((await two.execute({ query: history })).data).toEqual({
        history: [{ text: 'across servers', sender: 'user' }],
      });

      const { stdout } = await run(
        process.execPath,
        [
          '--conditions=@gqlcast/source',
          '--import',
          'tsx',
          'scripts/announce.ts',
          'kittens',
          'Maintenance',
          'at',
          'noon',
        ],
        {
          cwd: root,
          env: { ...process.env, REDIS_URL: node.url },
        },
      );
      expect(stdout).toContain('Announced to #kittens: Maintenance at noon');
      for (const sub of [onOne, onTwo]) {
        expect((await sub.next()).value).toEqual({
          data: { onNewChatMessage: { text: 'Maintenance at noon', sender: 'system' } },
        });
      }
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  } finally {
    await Promise.all(servers.map(stopProcess));
  }
}, 60_000);
