// `npm run start:cluster`: two chat servers (ports 4000 and 4001, or PORT and PORT+1) sharing Redis.
// Uses REDIS_URL, or starts a local redis-server when none is given and one is installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const base = Number(process.env.PORT ?? 4000);
const children: ChildProcess[] = [];

let redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  const port = base + 2379;
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  redis.on('error', () => {
    console.error(
      'No REDIS_URL and no redis-server found: install Redis (apt-get install redis-server) or set REDIS_URL.',
    );
    process.exit(1);
  });
  await new Promise<void>((resolve) => {
    redis.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
  children.push(redis);
  redisUrl = `redis://127.0.0.1:${port}`;
  console.log(`Started redis-server on ${redisUrl}.`);
}

for (const [index, port] of [base, base + 1].entries()) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    stdio: 'inherit',
    // Each server keeps its users in its own SQLite file (sql.js holds it in memory); messages,
    // live and history, are shared through Redis.
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: redisUrl,
      SERVER_NAME: `chat-${index + 1}`,
      DB_FILE: `${root}data/chat-${index + 1}.sqlite`,
    },
  });
  children.push(child);
}
console.log(
  `Open http://localhost:${base} and http://localhost:${base + 1}: a message sent on one arrives on the other.`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(0);
  });
}
