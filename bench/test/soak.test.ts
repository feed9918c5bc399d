// A reduced soak, so the harness cannot rot: a few hundred connections for a few seconds.
import { expect, it } from 'vitest';
import { report, runSoak } from '../soak/run.js';

it('delivers every tick to every connection and leaves nothing behind, on both layers', async () => {
  const results = await runSoak({
    stacks: ['gqlcast'],
    connections: 300,
    seconds: 3,
    rate: 100,
    groups: 20,
    churnEvery: 1,
    layers: ['memory', 'redis'],
    log: () => undefined,
  });
  for (const result of results) {
    expect([result.layer, result.holes]).toEqual([result.layer, 0]);
    expect(result.received).toBe(result.expected);
    expect(result.received).toBeGreaterThan(0);
    expect(result.after).toEqual({
      connections: 0,
      subscriptions: 0,
      topics: 0,
      redisChannels: result.layer === 'redis' ? 0 : undefined,
    });
  }
  expect(report(results)).toContain('| gqlcast | memory | 300 |');
}, 90_000);
