// The child-process entry of every contender: loads `<id>.ts`, starts its server (or its S5
// publisher) and answers the runner's IPC requests (runner/protocol.ts). Publishing loops run in
// here, so a broadcast costs the server process what it would cost an application, and every
// payload is stamped with its *intended* send time (no coordinated omission).
//   node --import tsx --expose-gc contenders/host.ts <id> server|server-s5|publisher [redisPort]
// (`server-s5`: a server configured for S5's workload, on the memory layer unless given a port.)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HostDone, HostReady, HostRequest, HostStats, Target } from '../runner/protocol.js';
import type { ContenderModule } from './api.js';
import { layersOf } from './layers.js';
import { makePayload, type Topic } from './schema.js';

const [id, mode = 'server', redisPort] = process.argv.slice(2);
if (!id || !/^[a-z0-9-]+$/.test(id)) throw new Error(`host: bad contender id ${String(id)}`);
const contender = ((await import(`./${id}.ts`)) as { default: ContenderModule }).default;
const redis = redisPort ? { host: '127.0.0.1', port: Number(redisPort) } : undefined;

type Publish = (topic: Topic, payload: ReturnType<typeof makePayload>) => void | Promise<void>;
let publishFn: Publish;
let close: () => Promise<void>;
let counters: (() => Record<string, number>) | undefined;
const ready: HostReady = {
  type: 'ready',
  id: contender.id,
  description: contender.description,
  role: contender.role,
  packages: [...contender.packages],
  layers: layersOf(contender),
};
if (mode === 'publisher') {
  if (!contender.startPublisher || !redis) throw new Error(`host: ${id} has no publisher, or no Redis port given`);
  const publisher = await contender.startPublisher({ redis });
  publishFn = (topic, payload) => publisher.publish(topic, payload);
  close = () => publisher.close();
} else {
  const server = await contender.startServer({
    ...(redis ? { redis } : {}),
    ...(mode === 'server-s5' ? { workload: 'S5' as const } : {}),
  });
  publishFn = (topic, payload) => server.publish(topic, payload);
  close = () => server.close();
  counters = server.counters?.bind(server);
  Object.assign(ready, { port: server.port, path: server.path, subprotocols: [...server.subprotocols] });
}

const now = () => performance.timeOrigin + performance.now();
const send = (message: object) => process.send?.(message);
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let cpuMark = process.cpuUsage();
let wallMark = performance.now();
let countersMark: Record<string, number> = {};
let seq = 0;
let publishErrors = 0;
let lastError: string | undefined;
const onError = (error: unknown) => {
  publishErrors++;
  lastError = String(error);
};

/** Publishes one event to `topic` stamped `t`; a rejected promise counts as a publish error. */
function publish(topic: Topic, t: number, room?: string): number {
  const s = ++seq;
  try {
    const result = publishFn(topic, makePayload(s, t, room));
    if (result instanceof Promise) result.catch(onError);
  } catch (error) {
    onError(error);
  }
  return s;
}

/** A small deterministic generator, so every contender gets the same room sequence. */
function rooms(count: number): () => number {
  let state = 0x2545f491;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % count;
  };
}

/** Chooses the next event's topic; room events are counted per room and parity. */
function chooser(target: Target, matrix: number[] | undefined): (t: number) => void {
  if (target.kind !== 'rooms') return (t) => void publish(target.kind, t);
  const next = rooms(target.rooms);
  return (t) => {
    const room = next();
    const s = publish(`room:r${room}`, t, `r${room}`);
    matrix![room * 2 + (s % 2)]!++;
  };
}

/** Ends the running `rate` loop at its next tick (the `stop` request). */
let stopRate: (() => void) | undefined;

function runRate(target: Target, rate: number, durationMs: number, sleep = false): Promise<HostDone> {
  const matrix = target.kind === 'rooms' ? new Array<number>(target.rooms * 2).fill(0) : undefined;
  const emit = chooser(target, matrix);
  const total = Math.max(1, Math.floor((rate * durationMs) / 1000));
  const interval = 1000 / rate;
  const start = now();
  let k = 0;
  let lagMaxMs = 0;
  let stopped = false;
  stopRate = () => {
    stopped = true;
  };
  return new Promise((resolve) => {
    const tick = () => {
      const current = now();
      if (stopped) {
        stopRate = undefined;
        return resolve({ type: 'done', sent: k, ...(matrix ? { matrix } : {}), lagMaxMs, elapsedMs: current - start });
      }
      // Every event whose intended time has come goes out now, stamped with that intended time.
      while (k < total && start + k * interval <= current) {
        const intended = start + k * interval;
        lagMaxMs = Math.max(lagMaxMs, current - intended);
        emit(intended);
        k++;
      }
      const due = start + k * interval - now();
      if (k < total) setTimeout(tick, Math.max(0, sleep ? due : Math.min(1, due)));
      else {
        stopRate = undefined;
        resolve({ type: 'done', sent: total, ...(matrix ? { matrix } : {}), lagMaxMs, elapsedMs: now() - start });
      }
    };
    tick();
  });
}

let credit: ((completed: number) => void) | undefined;

function runWindow(target: Target, window: number, durationMs: number): Promise<HostDone> {
  const emit = chooser(target, undefined);
  const start = now();
  let sent = 0;
  let completed = 0;
  return new Promise((resolve) => {
    const pump = () => {
      // Back-to-back: t is the actual send time; the window bounds what is in flight.
      while (sent - completed < window && now() - start < durationMs) {
        emit(now());
        sent++;
      }
    };
    credit = (done) => {
      completed = Math.max(completed, done);
      pump();
    };
    setTimeout(() => {
      credit = undefined;
      resolve({ type: 'done', sent, lagMaxMs: 0, elapsedMs: now() - start });
    }, durationMs);
    pump();
  });
}

async function stats(gc: boolean): Promise<HostStats> {
  if (gc && globalThis.gc) {
    for (let i = 0; i < 2; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const cpu = process.cpuUsage(cpuMark);
  const memory = process.memoryUsage();
  const current = counters?.();
  return {
    type: 'stats',
    cpuUs: cpu.user + cpu.system,
    elapsedMs: performance.now() - wallMark,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    publishErrors,
    ...(lastError ? { lastError } : {}),
    ...(current
      ? { counters: Object.fromEntries(Object.entries(current).map(([k, v]) => [k, v - (countersMark[k] ?? 0)])) }
      : {}),
  };
}

process.on('message', async (message: HostRequest) => {
  switch (message.type) {
    case 'mark':
      cpuMark = process.cpuUsage();
      wallMark = performance.now();
      countersMark = counters?.() ?? {};
      loopDelay.reset();
      return send({ type: 'marked' });
    case 'stats':
      return send(await stats(message.gc));
    case 'burst': {
      const t = now();
      for (const topic of message.topics)
        publish(topic as Topic, t, topic.startsWith('room:') ? topic.slice(5) : undefined);
      return send({ type: 'done', sent: message.topics.length, lagMaxMs: 0, elapsedMs: 0 } satisfies HostDone);
    }
    case 'rate':
      return send(await runRate(message.target, message.rate, message.durationMs, message.sleep));
    case 'window':
      return send(await runWindow(message.target, message.window, message.durationMs));
    case 'credit':
      return credit?.(message.completed);
    case 'stop':
      return stopRate?.();
    case 'exit':
      await close().catch(() => undefined);
      process.exit(0);
  }
});
send(ready);
