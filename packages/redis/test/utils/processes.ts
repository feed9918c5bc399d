import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
// Child processes run the TypeScript fixtures against the workspace sources, as the tests do.
const execArgv = ['--conditions=@gqlcast/source', '--import', 'tsx'];

/** Starts a fixture script as a separate Node process with an IPC channel; its stdout is captured. */
export function startFixture(
  script: string,
  args: string[],
): ChildProcess & { output: Promise<string>; lines: string[] } {
  const child = fork(`${fixtures}${script}`, args, { execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines: string[] = [];
  const output = new Promise<string>((resolve) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      lines.push(...chunk.toString().split('\n').filter(Boolean));
    });
    child.once('exit', () => resolve(text));
  });
  return Object.assign(child, { output, lines });
}

/** Resolves with the first stdout line matching `pattern`. */
export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = text.match(pattern);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before printing ${pattern}: ${text}`)));
  });
}

/** Resolves with the next IPC message for which `test` is true. */
export function nextMessage<T>(child: ChildProcess, test: (message: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: T) => {
      if (!test(message)) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
