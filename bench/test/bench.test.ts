// A tiny benchmark run, so the harness cannot rot: a few dozen connections, S1 + S2 + S4, the
// contender under test against the limit (and graphql-ws + Yoga when present). Asserts
// correctness and a complete report, never timings.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runBench } from '../run.js';
import { profiles } from '../runner/profile.js';

it('runs S1, S2 and S4 without loss and reports finite ratios', async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'gqlcast-bench-'));
  const only = ['gqlcast', 'l-raw'];
  if (existsSync(new URL('../contenders/gws-yoga.ts', import.meta.url))) only.push('gws-yoga');
  try {
    const result = await runBench({
      profile: { ...profiles.quick, name: 'custom', connections: 50, windowMs: 500, s2Rate: 500, s4Extra: 50 },
      only,
      scenarios: new Set(['S1', 'S2', 'S4']),
      outDir,
      log: () => undefined,
    });
    expect(result.failures).toEqual([]);
    const contenders = new Set(result.rows.map((r) => r.contender));
    expect(contenders).toEqual(new Set(only.map((id) => (id === 'l-raw' ? 'L-raw' : id))));
    for (const scenario of ['S1', 'S2', 'S4']) {
      expect(result.rows.filter((r) => r.scenario === scenario)).toHaveLength(only.length);
    }
    const limitRatios = result.ratios.filter((r) => r.against === 'L-raw');
    expect(limitRatios.map((r) => r.scenario).sort()).toEqual(['S1', 'S1', 'S2', 'S2', 'S4', 'S4']);
    for (const ratio of result.ratios)
      expect(Number.isFinite(ratio.median), `${ratio.scenario} ${ratio.metric}`).toBe(true);
    expect(await readFile(result.files.md, 'utf8')).toContain('### S1');
    const json = JSON.parse(await readFile(result.files.json, 'utf8')) as { rows: { histograms: object }[] };
    expect(json.rows.some((r) => 'latency' in r.histograms)).toBe(true);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}, 120_000);
