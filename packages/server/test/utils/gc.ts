import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Runs full garbage collections until `collected()` holds, at most 20 times. Each runs on a later
 * turn of the event loop: a WeakRef's target survives the job that created or read it.
 */
export async function collectUntil(collected: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 20 && !collected(); attempt++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}
