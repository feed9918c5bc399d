// `pnpm bench` (quick) / `pnpm bench --full`: every contender in its own pinned process, taking
// turns in the same run, measured by one load generator; writes bench/results/bench-<time>.{json,md}
// and exits non-zero on loss, an invalid measure or a missing contender. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchDir, type Child, pinned, startChild } from './runner/child.js';
import { type ContenderInfo, loadContender, memoryIds, redisIds, scenariosOf } from './runner/contenders.js';
import { machine } from './runner/machine.js';
import type { Ctx } from './runner/measure.js';
import { churnPass, s6MaxClients } from './runner/pass-churn.js';
import { latencyPass } from './runner/pass-latency.js';
import { memoryPass } from './runner/pass-memory.js';
import { redisPass } from './runner/pass-redis.js';
import { type Profile, profiles, type ScenarioId, scenarioIds } from './runner/profile.js';
import type { HostReady } from './runner/protocol.js';
import { type RedisProcess, startRedis } from './runner/redis.js';
import { markdown, type Ratio, ratios, type Target, targets } from './runner/report.js';
import { Collector, type Failure, type Row } from './runner/results.js';

export interface BenchOptions {
  profile: Profile;
  /** Contender file ids to run (default: all). */
  only?: string[] | undefined;
  scenarios: ReadonlySet<ScenarioId>;
  outDir: string;
  log?: (line: string) => void;
}

export interface BenchResult {
  rows: Row[];
  failures: Failure[];
  ratios: Ratio[];
  /** The method's absolute targets (S1b executes per broadcast, S5 added p99). */
  targets: Target[];
  markdown: string;
  files: { json: string; md: string };
}

async function startHost(file: string, mode: 'server' | 'server-s5' | 'publisher', core: number, redis?: RedisProcess) {
  const child = startChild(
    `${file} ${mode}`,
    'contenders/host.ts',
    [file, mode, ...(redis ? [String(redis.port)] : [])],
    core,
  );
  try {
    return { child, ready: await child.wait<HostReady>('ready', 60_000) };
  } catch (error) {
    await child.stop(1_000);
    throw error;
  }
}

/** Runs `body` with a started server host; any failure is recorded, never thrown. */
async function withServer(
  base: Omit<Ctx, 'server' | 'contender' | 'connections'>,
  contender: ContenderInfo,
  scenario: string,
  redis: RedisProcess | undefined,
  body: (ctx: Ctx, ready: HostReady) => Promise<void>,
  mode: 'server' | 'server-s5' = 'server',
): Promise<void> {
  let host: { child: Child; ready: HostReady };
  try {
    host = await startHost(contender.file, mode, 0, redis);
  } catch (error) {
    base.collector.fail({
      kind: 'missing',
      contender: contender.id,
      scenario,
      message: `failed to start: ${String(error)}`,
    });
    return;
  }
  const ctx: Ctx = { ...base, server: host.child, contender, connections: 0 };
  try {
    await body(ctx, host.ready);
  } catch (error) {
    base.collector.fail({ kind: 'error', contender: contender.id, scenario, message: String(error) });
    await base.loadgen.ask({ type: 'close' }, 'closed', 60_000).catch(() => undefined);
  } finally {
    await host.child.stop();
  }
}

function fileLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -Hn']).stdout?.toString().trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { profile, scenarios } = options;
  const started = new Date();
  const collector = new Collector(options.log ?? console.log);
  const log = (line: string) => collector.log(line);
  const wanted = (ids: string[]) => ids.filter((id) => !options.only || options.only.includes(id));
  const needed = Math.max(profile.connections, profile.s5Subscribers) + 500;
  if (fileLimit() < needed) {
    throw new Error(`ulimit -Hn is ${fileLimit()}, below the ${needed} descriptors a process needs: raise it first`);
  }

  const contenders: ContenderInfo[] = [];
  for (const id of options.only ?? []) {
    if (!memoryIds.includes(id) && !redisIds.includes(id)) {
      collector.fail({
        kind: 'missing',
        contender: id,
        message: `unknown contender (${[...new Set([...memoryIds, ...redisIds])].join(', ')})`,
      });
    }
  }
  for (const file of [...new Set([...wanted(memoryIds), ...wanted(redisIds)])]) {
    if (!existsSync(`${benchDir}contenders/${file}.ts`)) {
      collector.fail({ kind: 'missing', contender: file, message: `bench/contenders/${file}.ts does not exist` });
      continue;
    }
    try {
      contenders.push(await loadContender(file));
    } catch (error) {
      collector.fail({ kind: 'missing', contender: file, message: `failed to load: ${String(error)}` });
    }
  }
  const memory = contenders.filter((c) => memoryIds.includes(c.file) && c.layers.includes('memory'));
  const remote = contenders.filter((c) => redisIds.includes(c.file) && c.layers.includes('redis'));
  const needRedis = scenarios.has('S5') && remote.length > 0;

  const loadgen = startChild('load generator', 'loadgen/main.ts', [], 1);
  await loadgen.wait('ready', 60_000);
  const redis = needRedis ? await startRedis() : undefined;
  try {
    for (let round = 1; round <= profile.rounds; round++) {
      const base = { loadgen, collector, profile, round };
      // Interleaved: every contender in each round, starting one later each round.
      const order = memory.map((_, i) => memory[(i + round - 1) % memory.length]!);
      const s1: Record<string, number> = {};
      if (['S1', 'S1b', 'S2', 'S3', 'S4', 'S7'].some((s) => scenarios.has(s as ScenarioId))) {
        log(`round ${round}: S4, S1, S1b, S2 (${profile.connections} connections)`);
        for (const contender of order) {
          const own = scenariosOf(contender, scenarios);
          if (!['S1', 'S1b', 'S2', 'S3', 'S4', 'S7'].some((s) => own.has(s as ScenarioId))) continue;
          await withServer(base, contender, 'S1-S4', undefined, async (ctx, ready) => {
            const result = await memoryPass(ctx, { port: ready.port!, path: ready.path! }, own);
            if (result.s1BroadcastsPerS !== undefined) s1[contender.id] = result.s1BroadcastsPerS;
          });
        }
      }
      if (scenarios.has('S3') || scenarios.has('S7')) {
        const peers = memory.filter((c) => c.role === 'peer' && s1[c.id] !== undefined).map((c) => s1[c.id]!);
        // The reference load: the best peer's S1 rate; with no peer in the run, the slowest contender's.
        const reference = peers.length > 0 ? Math.max(...peers) : Math.min(...Object.values(s1));
        if (!Number.isFinite(reference)) throw new Error('S3/S7 need an S1 rate: no contender completed S1');
        collector.note(
          `S3/S7 reference, round ${round}: ${reference.toFixed(1)} broadcasts/s (${peers.length > 0 ? "the best peer's S1" : 'no peer ran: the slowest S1'}).`,
        );
        for (const contender of order) {
          const own = scenariosOf(contender, scenarios);
          if (!own.has('S3') && !own.has('S7')) continue;
          await withServer(base, contender, 'S3/S7', undefined, (ctx, ready) =>
            latencyPass(
              ctx,
              { port: ready.port!, path: ready.path!, subprotocols: ready.subprotocols! },
              own,
              reference,
            ),
          );
        }
      }
      if (scenarios.has('S6')) {
        // L-frame keys its buckets by subscription id and never removes one: it is a fan-out
        // floor, not a server that churn could measure.
        const churners = order.filter((c) => c.file !== 'l-frame' && scenariosOf(c, scenarios).has('S6'));
        log(`round ${round}: S6 (${Math.min(profile.connections, s6MaxClients)} clients re-subscribing every 500 ms)`);
        for (const contender of churners) {
          await withServer(base, contender, 'S6', undefined, (ctx, ready) =>
            churnPass(ctx, { port: ready.port!, path: ready.path! }),
          );
        }
      }
      if (redis) {
        log(`round ${round}: S5 (${profile.s5Subscribers} subscribers in ${profile.s5Rooms} rooms through Redis)`);
        for (const contender of remote.map((_, i) => remote[(i + round - 1) % remote.length]!)) {
          // A contender under test that also has a memory layer runs S5's workload on it first:
          // the baseline of its added p99 (method 4.5: ≤ 5 ms at 5k events/s).
          let memoryP99Ms: Map<number, number> | undefined;
          if (contender.role === 'under-test' && contender.layers.includes('memory')) {
            await withServer(
              base,
              contender,
              'S5-mem',
              undefined,
              async (ctx, ready) => {
                memoryP99Ms = await redisPass(
                  ctx,
                  { port: ready.port!, path: ready.path! },
                  {
                    publisher: ctx.server,
                    prefix: 'S5-mem',
                  },
                );
              },
              'server-s5',
            );
          }
          await withServer(base, contender, 'S5', redis, async (ctx, ready) => {
            const publisher = await startHost(contender.file, 'publisher', 1, redis);
            try {
              await redisPass(
                ctx,
                { port: ready.port!, path: ready.path! },
                {
                  publisher: publisher.child,
                  redis,
                  prefix: 'S5',
                  memoryP99Ms,
                },
              );
            } finally {
              await publisher.child.stop();
            }
          });
        }
      }
    }
  } finally {
    await loadgen.stop();
    await redis?.stop();
  }

  const durationS = (Date.now() - started.getTime()) / 1000;
  const info = machine();
  const header = [
    `# gqlcast fan-out benchmark, ${profile.name} profile, ${started.toISOString()}`,
    '',
    `${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB, Node ${info.node}, NODE_ENV=production; pinned: ${info.pinned}. ` +
      `bufferutil ${info.bufferutil}; msgpackr-extract ${info.msgpackrExtract}. ${profile.connections} connections, ` +
      `${profile.rounds} round(s), ${profile.windowMs / 1000} s windows; took ${durationS.toFixed(0)} s.`,
    '',
    ...collector.notes.map((note) => `- ${note}`),
    '',
    '| contender | role | stack | versions |',
    '|---|---|---|---|',
    ...contenders.map(
      (c) =>
        `| ${c.id} | ${c.role} | ${c.description} | ${Object.entries(c.versions)
          .map(([name, version]) => `${name} ${version}`)
          .join(', ')} |`,
    ),
  ];
  const md = markdown(collector.rows, contenders, collector.failures, header);
  const computed = ratios(collector.rows, contenders);
  const bounds = targets(collector.rows, contenders);
  await mkdir(options.outDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const files = { json: `${options.outDir}/bench-${stamp}.json`, md: `${options.outDir}/bench-${stamp}.md` };
  const json = {
    startedAt: started.toISOString(),
    durationS,
    profile,
    scenarios: [...scenarios],
    machine: info,
    contenders,
    rows: collector.rows,
    ratios: computed,
    targets: bounds,
    notes: collector.notes,
    failures: collector.failures,
  };
  await writeFile(files.json, JSON.stringify(json, null, 2));
  await writeFile(files.md, `${md}\n`);
  return {
    rows: collector.rows,
    failures: collector.failures,
    ratios: computed,
    targets: bounds,
    markdown: md,
    files,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The runner itself stays off the servers' core (every thread of it, relays included).
  if (pinned) spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      scenarios: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const profile: Profile = { ...profiles[values.full ? 'full' : 'quick'] };
  if (values.rounds) profile.rounds = Number(values.rounds);
  if (values.connections) {
    profile.connections = Number(values.connections);
    profile.name = 'custom';
  }
  const scenarios = new Set(
    (values.scenarios ? values.scenarios.split(',') : [...scenarioIds]).map((s) => {
      if (!(scenarioIds as readonly string[]).includes(s))
        throw new Error(`unknown scenario ${s} (${scenarioIds.join(', ')})`);
      return s as ScenarioId;
    }),
  );
  const result = await runBench({
    profile,
    only: values.only?.split(','),
    scenarios,
    outDir: values.out ?? fileURLToPath(new URL('results', import.meta.url)),
  });
  console.log(`\n${result.markdown}\nWritten to ${result.files.md} and .json`);
  if (result.failures.length > 0) {
    console.error(`\nbench FAILED: ${result.failures.length} failure(s):`);
    for (const f of result.failures)
      console.error(`  ${f.kind} ${f.contender}${f.scenario ? ` ${f.scenario}` : ''}: ${f.message}`);
    process.exit(1);
  }
}
