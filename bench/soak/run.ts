// `pnpm soak`: connections in a separate client process, each subscribed to one of the groups,
// ticks broadcast at a steady rate with 1% churn every 10 s, on the memory and Redis layers.
// Prints delivered/expected, connect time, memory per connection, event-loop delay, fan-out
// latency, and what is left once everyone is gone.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis } from '../../packages/redis/test/utils/redis-server.js';

export type Stack = 'gqlcast' | 'graphql-ws';

export interface SoakOptions {
  /** gqlcast, and the peers to run the same scenario on, in the same run. */
  stacks: Stack[];
  connections: number;
  seconds: number;
  rate: number;
  groups: number;
  churnEvery: number;
  layers: ('memory' | 'redis')[];
  log?: (line: string) => void;
}

export interface SoakResult {
  stack: Stack;
  layer: string;
  connections: number;
  sent: number;
  received: number;
  expected: number;
  holes: number;
  connectMs: number;
  rssPerConnection: number;
  heapPerConnection: number;
  loopDelayP99Ms: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  after: { connections: number; subscriptions: number; topics: number; redisChannels: number | undefined };
}

const here = fileURLToPath(new URL('.', import.meta.url));
// gqlcast runs from its built packages (dist), as users run it (see runner/child.ts).
const execArgv = ['--import', 'tsx'];

function child(script: string, args: string[] = []): ChildProcess {
  return fork(`${here}${script}`, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function reply<T>(process: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve(message as T);
    };
    process.on('message', onMessage);
  });
}

async function ask<T>(process: ChildProcess, message: object, type: string): Promise<T> {
  const answer = reply<T>(process, type);
  process.send(message);
  return answer;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ServerStats {
  rss: number;
  heapUsed: number;
  connections: number;
  hub: { subscriptions: number; topics: number };
  loopDelayP99: number;
  redisChannels: number | undefined;
}

async function soakOne(stack: Stack, layer: 'memory' | 'redis', options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? console.log;
  const redis = layer === 'redis' ? await startRedis() : undefined;
  const server = child(stack === 'gqlcast' ? 'server.ts' : 'peer-server.ts', redis ? [redis.url] : []);
  const clients = child('clients.ts');
  try {
    const { port } = await reply<{ port: number }>(server, 'listening');
    await reply(clients, 'ready');
    const baseline = await ask<ServerStats>(server, { type: 'stats' }, 'stats');
    const { ms: connectMs } = await ask<{ ms: number }>(
      clients,
      { type: 'connect', port, count: options.connections, groups: options.groups, confirmations: stack === 'gqlcast' },
      'connected',
    );
    const loaded = await ask<ServerStats>(server, { type: 'stats' }, 'stats');
    log(
      `[${stack} ${layer}] ${options.connections} connections in ${Math.round(connectMs)} ms; ticking ${options.rate}/s for ${options.seconds} s`,
    );
    server.send({ type: 'start', rate: options.rate, groups: options.groups });
    const churn = Math.max(1, Math.round(options.connections / 100));
    for (let elapsed = 0; elapsed < options.seconds; ) {
      const step = Math.min(options.churnEvery, options.seconds - elapsed);
      await sleep(step * 1000);
      elapsed += step;
      if (elapsed < options.seconds) await ask(clients, { type: 'churn', count: churn }, 'churned');
    }
    const running = await ask<ServerStats>(server, { type: 'stats' }, 'stats');
    const { sent } = await ask<{ sent: number }>(server, { type: 'stop' }, 'stopped');
    // Let the last ticks arrive: a tick in flight at the end is counted neither way.
    await sleep(500);
    const finished = await ask<{
      received: number;
      expected: number;
      holes: number;
      latencyP50: number;
      latencyP99: number;
    }>(clients, { type: 'finish' }, 'finished');
    let after = await ask<ServerStats>(server, { type: 'stats' }, 'stats');
    for (
      let tries = 0;
      tries < 50 && (after.connections > 0 || after.hub.subscriptions > 0 || (after.redisChannels ?? 0) > 0);
      tries++
    ) {
      await sleep(100);
      after = await ask<ServerStats>(server, { type: 'stats' }, 'stats');
    }
    return {
      stack,
      layer,
      connections: options.connections,
      sent,
      received: finished.received,
      expected: finished.expected,
      holes: finished.holes,
      connectMs,
      rssPerConnection: (loaded.rss - baseline.rss) / options.connections,
      heapPerConnection: (loaded.heapUsed - baseline.heapUsed) / options.connections,
      loopDelayP99Ms: running.loopDelayP99,
      latencyP50Ms: finished.latencyP50,
      latencyP99Ms: finished.latencyP99,
      after: {
        connections: after.connections,
        subscriptions: after.hub.subscriptions,
        topics: after.hub.topics,
        redisChannels: after.redisChannels,
      },
    };
  } finally {
    server.send({ type: 'exit' });
    clients.send({ type: 'exit' });
    await Promise.all(
      [server, clients].map(
        (process) =>
          new Promise((resolve) => (process.exitCode === null ? process.once('exit', resolve) : resolve(undefined))),
      ),
    );
    await redis?.stop();
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult[]> {
  const results: SoakResult[] = [];
  for (const layer of options.layers) {
    for (const stack of options.stacks) results.push(await soakOne(stack, layer, options));
  }
  return results;
}

export function report(results: SoakResult[]): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const rows = results.map(
    (r) =>
      `| ${r.stack} | ${r.layer} | ${r.connections} | ${r.received}/${r.expected} (${((100 * r.received) / Math.max(1, r.expected)).toFixed(2)} %) | ${Math.round(r.connectMs)} ms | ${kb(r.rssPerConnection)} / ${kb(r.heapPerConnection)} | ${r.loopDelayP99Ms.toFixed(1)} ms | ${r.latencyP50Ms.toFixed(1)} / ${r.latencyP99Ms.toFixed(1)} ms | ${r.after.connections} / ${r.after.subscriptions} / ${r.after.topics} / ${r.after.redisChannels ?? '–'} |`,
  );
  return [
    '| stack | layer | connections | delivered / expected | connect all | RSS / heap per connection | event-loop delay p99 | fan-out latency p50 / p99 | left after: connections / subscriptions / topics / Redis channels |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...ratios(results),
  ].join('\n');
}

/** gqlcast divided by the peer on each layer, for costs: below 1 means gqlcast is cheaper or faster. */
function ratios(results: SoakResult[]): string[] {
  const lines: string[] = [];
  for (const layer of new Set(results.map((r) => r.layer))) {
    const ours = results.find((r) => r.layer === layer && r.stack === 'gqlcast');
    const peer = results.find((r) => r.layer === layer && r.stack === 'graphql-ws');
    if (ours === undefined || peer === undefined) continue;
    const ratio = (a: number, b: number) => (a / Math.max(b, 1e-9)).toFixed(2);
    const peerName =
      layer === 'redis' ? 'graphql-ws + graphql-redis-subscriptions' : 'graphql-ws + graphql-subscriptions';
    lines.push(
      `- ${layer}, gqlcast ÷ ${peerName} (below 1: gqlcast costs less): ` +
        `RSS per connection ${ratio(ours.rssPerConnection, peer.rssPerConnection)}, ` +
        `heap per connection ${ratio(ours.heapPerConnection, peer.heapPerConnection)}, ` +
        `fan-out latency p99 ${ratio(ours.latencyP99Ms, peer.latencyP99Ms)}, ` +
        `event-loop delay p99 ${ratio(ours.loopDelayP99Ms, peer.loopDelayP99Ms)}, ` +
        `connect time ${ratio(ours.connectMs, peer.connectMs)}.`,
    );
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '120' },
      rate: { type: 'string', default: '100' },
      groups: { type: 'string', default: '100' },
      layers: { type: 'string', default: 'memory,redis' },
      stacks: { type: 'string', default: 'gqlcast,graphql-ws' },
    },
  });
  const options: SoakOptions = {
    connections: Number(values.connections),
    seconds: Number(values.seconds),
    rate: Number(values.rate),
    groups: Number(values.groups),
    churnEvery: 10,
    layers: String(values.layers).split(',') as SoakOptions['layers'],
    stacks: String(values.stacks).split(',') as SoakOptions['stacks'],
  };
  const results = await runSoak(options);
  const table = report(results);
  console.log(`\n${table}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(out, { recursive: true });
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memory: totalmem() };
  await writeFile(`${out}soak-${stamp}.json`, JSON.stringify({ options, machine, results }, null, 2));
  await writeFile(`${out}soak-${stamp}.md`, `# Soak ${stamp}\n\n${JSON.stringify(machine)}\n\n${table}\n`);
  console.log(`Written to bench/results/soak-${stamp}.{json,md}`);
}
