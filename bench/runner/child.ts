// Child processes of the runner: spawned pinned to a core with `taskset` (when it works here),
// with an IPC channel, and asked questions that have exactly one answer.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const benchDir = fileURLToPath(new URL('..', import.meta.url));
// BENCH_CHILD_FLAGS: extra Node flags for every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
// gqlcast runs from its built packages (dist), as users run it and as the peers run from
// node_modules: the TypeScript sources through tsx would pay for esbuild's helpers on hot paths.
const nodeFlags = [
  '--import',
  'tsx',
  '--expose-gc',
  ...(process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []),
];
const pinning = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Whether children are pinned (taskset present and allowed). */
export const pinned = pinning;

export interface Child {
  readonly process: ChildProcess;
  readonly name: string;
  send(message: object): void;
  /** Sends `message` and resolves with the first message of type `reply`. */
  ask<T = Record<string, unknown>>(message: object, reply: string, timeoutMs?: number): Promise<T>;
  /** The first message of type `reply` (e.g. `ready`). */
  wait<T = Record<string, unknown>>(reply: string, timeoutMs?: number): Promise<T>;
  /** Asks the child to exit, and kills it if it has not after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs `command` (a program and its arguments) pinned to `core`, with IPC. */
export function spawnPinned(core: number, command: string[], quiet = false): ChildProcess {
  // Raise the soft descriptor limit to the hard one (10,000 sockets need it), then exec.
  const raised = ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...command];
  const argv = pinning ? ['taskset', '-c', String(core), ...raised] : raised;
  return spawn(argv[0]!, argv.slice(1), {
    cwd: benchDir,
    stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/** A Node child running `script` (relative to bench/) pinned to `core`. */
export function startChild(name: string, script: string, args: string[], core: number): Child {
  const child = spawnPinned(core, [process.execPath, ...nodeFlags, script, ...args]);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `${name} exited (${signal ?? code})`;
  });

  const wait = <T>(reply: string, timeoutMs = 120_000): Promise<T> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      const timer = setTimeout(() => done(new Error(`${name}: no '${reply}' within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { type?: string }) => {
        if (message.type === reply) done(undefined, message as T);
      };
      const onExit = () => done(new Error(exited ?? `${name} exited`));
      const done = (error: Error | undefined, value?: T) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(value as T);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });

  return {
    process: child,
    name,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    wait,
    ask(message, reply, timeoutMs) {
      const answer = wait<never>(reply, timeoutMs);
      if (child.connected) child.send(message);
      return answer;
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) child.send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
