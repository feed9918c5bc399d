import { describe, expect, it } from 'vitest';
import { OrderedRunner } from '../src/push/ordered-runner.js';
import { deferred } from '../src/testing/index.js';

describe('OrderedRunner.whenIdle', () => {
  it('runs every waiting callback once the async step finished, in the order they were given', async () => {
    const step = deferred<void>();
    const handled: string[] = [];
    const runner = new OrderedRunner<string>({
      runStep: (item) => {
        handled.push(item);
        return item === 'slow' ? step.promise : undefined;
      },
      waitLimit: 10,
      stepDropped: () => undefined,
    });
    runner.push('slow');
    runner.push('next');
    const idle: string[] = [];
    // Two callers (a source ending, a server shutting down) wait for the same runner.
    runner.whenIdle(() => idle.push(`first after ${handled.join(',')}`));
    runner.whenIdle(() => idle.push(`second after ${handled.join(',')}`));
    expect(idle).toEqual([]);
    step.resolve();
    await step.promise;
    await Promise.resolve();
    expect(idle).toEqual(['first after slow,next', 'second after slow,next']);
    runner.whenIdle(() => idle.push('at once'));
    expect(idle).toEqual(['first after slow,next', 'second after slow,next', 'at once']);
  });
});
