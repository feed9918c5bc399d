// What the report says about the machine: cores, CPU, memory, Node, and whether the native
// add-ons that change the numbers are active (bufferutil for ws masking, msgpackr-extract).
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { benchDir, pinned } from './child.js';

const require = createRequire(`${benchDir}package.json`);

function nativeState(load: () => unknown): string {
  try {
    load();
    return 'active';
  } catch (error) {
    return `not active (${String(error).split('\n')[0]})`;
  }
}

export function machine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    pinned: pinned
      ? 'servers taskset -c 0; load generator, publishers and Redis taskset -c 1'
      : 'no (taskset unavailable)',
    bufferutil: nativeState(() => require('bufferutil')),
    msgpackrExtract: nativeState(() => createRequire(require.resolve('msgpackr'))('msgpackr-extract')),
    nodeEnv: 'production',
  };
}
