// Turns the rows of a run into the Markdown report: per scenario a contender × metric table
// (median over rounds, min–max when there are several), then the ratio lines, each computed
// inside one round (gqlcast ÷ best peer, gqlcast ÷ limit), as median and worst round, and the
// target lines where the method sets an absolute bound (S1b executes, S5 added p99).
import type { ContenderInfo } from './contenders.js';
import type { Failure, Row } from './results.js';

type Better = 'higher' | 'lower';
interface Column {
  key: string;
  label: string;
  better?: Better;
  /** A footnote: cells of rows whose metric `when` is 1 get `sign`, and `text` follows the table. */
  note?: { when: string; sign: string; text: string };
}

const fanout: Column[] = [
  { key: 'notifPerCpuS', label: 'notif / CPU-s', better: 'higher' },
  { key: 'usPerNotif', label: 'µs CPU / notif', better: 'lower' },
  { key: 'notifPerS', label: 'notif / s (wall)', better: 'higher' },
  { key: 'completionP50Ms', label: 'completion p50 ms', better: 'lower' },
  { key: 'completionP99Ms', label: 'completion p99 ms', better: 'lower' },
  { key: 'loopDelayP99Ms', label: 'loop delay p99 ms' },
  { key: 'loadgenCpuPct', label: 'loadgen CPU %' },
];
const steady: Column[] = [
  { key: 'offeredPerS', label: 'offered / s' },
  { key: 'p50Ms', label: 'p50 ms', better: 'lower' },
  { key: 'p99Ms', label: 'p99 ms', better: 'lower' },
  { key: 'p999Ms', label: 'p99.9 ms', better: 'lower' },
  { key: 'maxMs', label: 'max ms' },
  { key: 'loopDelayP99Ms', label: 'loop delay p99 ms' },
  { key: 'serverCpuPct', label: 'server CPU %' },
  { key: 'saturated', label: 'saturated' },
];

export const columns: Record<string, Column[]> = {
  S1: fanout,
  S1b: [
    ...fanout,
    {
      key: 'executesPerBroadcast',
      label: 'executes / broadcast',
      note: {
        when: 'executesByConstruction',
        sign: '†',
        text: 'by construction, not counted: graphql-ws and mercurius run graphql-js `execute` once per subscriber per event, so N per broadcast.',
      },
    },
  ],
  S2: [
    { key: 'deliveredPerCpuS', label: 'delivered / CPU-s', better: 'higher' },
    { key: 'deliveredPerS', label: 'delivered / s', better: 'higher' },
    { key: 'cpuUsPerEvent', label: 'µs CPU / event', better: 'lower' },
    { key: 'skipped', label: 'SKIPs' },
    { key: 'p50Ms', label: 'p50 ms' },
    { key: 'p99Ms', label: 'p99 ms', better: 'lower' },
    { key: 'serverCpuPct', label: 'server CPU %' },
    { key: 'saturated', label: 'saturated' },
  ],
  S3: steady,
  S4: [
    { key: 'rssPerConnKB', label: 'RSS / conn KB', better: 'lower' },
    { key: 'heapPerConnKB', label: 'heap / conn KB', better: 'lower' },
    { key: 'rssPerConnSubKB', label: 'RSS / conn+sub KB', better: 'lower' },
    { key: 'heapPerConnSubKB', label: 'heap / conn+sub KB', better: 'lower' },
    { key: 'rssPerExtraSubKB', label: 'RSS / extra sub KB' },
    { key: 'heapPerExtraSubKB', label: 'heap / extra sub KB' },
    { key: 'connectPerS', label: 'connections / s', better: 'higher' },
    { key: 'heapLeftPerConnB', label: 'heap left / conn B' },
  ],
  S5: [
    { key: 'deliveredPerS', label: 'delivered / s', better: 'higher' },
    { key: 'deliveredPerCpuS', label: 'delivered / CPU-s', better: 'higher' },
    { key: 'p50Ms', label: 'p50 ms', better: 'lower' },
    { key: 'p99Ms', label: 'p99 ms', better: 'lower' },
    { key: 'publishesPerEvent', label: 'PUBLISH / event', better: 'lower' },
    { key: 'redisBytesPerEvent', label: 'bytes into Redis / event' },
    { key: 'memoryP99Ms', label: 'memory-layer p99 ms' },
    { key: 'addedP99Ms', label: 'added p99 ms', better: 'lower' },
    { key: 'serverCpuPct', label: 'server CPU %' },
    { key: 'saturated', label: 'saturated' },
  ],
  'S5-mem': [
    { key: 'deliveredPerS', label: 'delivered / s', better: 'higher' },
    { key: 'deliveredPerCpuS', label: 'delivered / CPU-s', better: 'higher' },
    { key: 'p50Ms', label: 'p50 ms', better: 'lower' },
    { key: 'p99Ms', label: 'p99 ms', better: 'lower' },
    { key: 'serverCpuPct', label: 'server CPU %' },
    { key: 'saturated', label: 'saturated' },
  ],
  S6: [
    { key: 'subscribesPerS', label: 'subscribes / s', better: 'higher' },
    { key: 'offeredPerS', label: 'offered / s' },
    { key: 'cpuUsPerSubscribe', label: 'µs CPU / subscribe', better: 'lower' },
    { key: 'firstNextP50Ms', label: 'first next p50 ms', better: 'lower' },
    { key: 'firstNextP99Ms', label: 'first next p99 ms', better: 'lower' },
    { key: 'firstNextMaxMs', label: 'first next max ms' },
    { key: 'nextsAfterComplete', label: 'nexts after complete' },
    { key: 'serverCpuPct', label: 'server CPU %' },
    { key: 'loopDelayP99Ms', label: 'loop delay p99 ms' },
    { key: 'saturated', label: 'saturated' },
    { key: 'loadgenCpuPct', label: 'loadgen CPU %' },
  ],
  'S7-S1': fanout.filter((c) => c.key !== 'completionP50Ms' && c.key !== 'loopDelayP99Ms'),
};

/** The metrics that get ratio lines, per scenario family. */
const primary: Record<string, string[]> = {
  S1: ['notifPerCpuS', 'completionP99Ms'],
  S1b: ['notifPerCpuS'],
  S2: ['deliveredPerCpuS', 'p99Ms'],
  S3: ['p99Ms'],
  S4: ['rssPerConnSubKB', 'heapPerConnSubKB'],
  S5: ['deliveredPerS', 'p99Ms'],
  S6: ['cpuUsPerSubscribe', 'firstNextP99Ms'],
  'S7-S1': ['notifPerCpuS'],
};

export const family = (scenario: string) =>
  scenario.startsWith('S7-S3') ? 'S3' : scenario.startsWith('S7-') ? scenario : scenario.split('@')[0]!;

export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function format(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100_000) return `${(value / 1000).toFixed(0)}k`;
  if (abs >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export interface Ratio {
  /** The contender under test this ratio is for (gqlcast, or a variant of it). */
  ours: string;
  scenario: string;
  metric: string;
  against: string;
  perRound: number[];
  median: number;
  worst: number;
}

/**
 * ours ÷ other inside each round, for each contender under test (gqlcast and its variants);
 * `other` is the best peer of that round or a fixed contender.
 */
export function ratios(rows: Row[], contenders: ContenderInfo[]): Ratio[] {
  const underTest = contenders.filter((c) => c.role === 'under-test').map((c) => c.id);
  return (underTest.length > 0 ? underTest : ['gqlcast']).flatMap((ours) => ratiosOf(ours, rows, contenders));
}

function ratiosOf(ours: string, rows: Row[], contenders: ContenderInfo[]): Ratio[] {
  const role = new Map(contenders.map((c) => [c.id, c.role]));
  const out: Ratio[] = [];
  const value = (r: Row | undefined, metric: string) => r?.metrics[metric] ?? Number.NaN;
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const fam = family(scenario);
    const limit = scenario.startsWith('S5') ? 'L-redis' : 'L-raw';
    const cols = columns[fam] ?? [];
    for (const metric of primary[fam] ?? []) {
      const better = cols.find((c) => c.key === metric)?.better ?? 'higher';
      const rounds = [...new Set(rows.filter((r) => r.scenario === scenario).map((r) => r.round))];
      const against: Record<string, number[]> = { 'best peer': [], [limit]: [] };
      if (scenario.startsWith('S7-')) against[`${ours} over graphql-transport-ws`] = [];
      for (const round of rounds) {
        const inRound = rows.filter((r) => r.scenario === scenario && r.round === round);
        const mine = value(
          inRound.find((r) => r.contender === ours),
          metric,
        );
        const peers = inRound.filter((r) => role.get(r.contender) === 'peer').map((r) => value(r, metric));
        const finite = peers.filter(Number.isFinite);
        if (finite.length > 0) {
          const best = better === 'higher' ? Math.max(...finite) : Math.min(...finite);
          against['best peer']!.push(mine / best);
        }
        const lim = value(
          inRound.find((r) => r.contender === limit),
          metric,
        );
        if (Number.isFinite(lim)) against[limit]!.push(mine / lim);
        if (scenario.startsWith('S7-')) {
          const plain = rows.find((r) => r.scenario === scenario.slice(3) && r.round === round && r.contender === ours);
          const base = value(plain, metric);
          if (Number.isFinite(base)) against[`${ours} over graphql-transport-ws`]!.push(mine / base);
        }
      }
      for (const [name, perRound] of Object.entries(against)) {
        const finite = perRound.filter(Number.isFinite);
        if (finite.length === 0) continue;
        const worst = better === 'higher' ? Math.min(...finite) : Math.max(...finite);
        out.push({ ours, scenario, metric, against: name, perRound, median: median(finite), worst });
      }
    }
  }
  return out;
}

export interface Target {
  /** The contender under test this line is for. */
  ours: string;
  scenario: string;
  metric: string;
  perRound: number[];
  median: number;
  /** The round farthest from the bound. */
  worst: number;
  /** The method's bound, in words (`≤ 5 ms at 5k events/s`). */
  target: string;
  /** Every round within the bound. */
  met: boolean;
}

/** S5 added p99 vs the memory layer: the method's bound at 5k events/s. */
export const addedP99TargetMs = 5;
/** S1b executes per broadcast within this fraction of the distinct results count as ≈. */
const executesTolerance = 0.05;

/**
 * The method's absolute targets (4.3, 4.5) for each contender under test: S1b executes per
 * broadcast ≈ the distinct results (100), S5 added p99 vs the memory layer ≤ 5 ms at 5k/s.
 */
export function targets(rows: Row[], contenders: ContenderInfo[]): Target[] {
  const underTest = contenders.filter((c) => c.role === 'under-test').map((c) => c.id);
  const out: Target[] = [];
  for (const ours of underTest.length > 0 ? underTest : ['gqlcast']) {
    const mine = (scenario: string, metric: string) =>
      rows.filter((r) => r.scenario === scenario && r.contender === ours && Number.isFinite(r.metrics[metric]));
    const executes = mine('S1b', 'executesPerBroadcast').filter((r) => !r.metrics.executesByConstruction);
    if (executes.length > 0) {
      const distinct = executes[0]!.metrics.distinctResults!;
      const perRound = executes.map((r) => r.metrics.executesPerBroadcast!);
      const off = (v: number) => Math.abs(v - distinct);
      out.push({
        ours,
        scenario: 'S1b',
        metric: 'executesPerBroadcast',
        perRound,
        median: median(perRound),
        worst: perRound.reduce((a, b) => (off(b) > off(a) ? b : a)),
        target: `≈ ${distinct}, one per distinct result`,
        met: perRound.every((v) => off(v) <= executesTolerance * distinct),
      });
    }
    const added = mine('S5@5k', 'addedP99Ms');
    if (added.length > 0) {
      const perRound = added.map((r) => r.metrics.addedP99Ms!);
      out.push({
        ours,
        scenario: 'S5@5k',
        metric: 'addedP99Ms',
        perRound,
        median: median(perRound),
        worst: Math.max(...perRound),
        target: `≤ ${addedP99TargetMs} ms at 5k events/s`,
        met: perRound.every((v) => v <= addedP99TargetMs),
      });
    }
  }
  return out;
}

export function markdown(rows: Row[], contenders: ContenderInfo[], failures: Failure[], header: string[]): string {
  const lines = [...header, ''];
  const order = contenders.map((c) => c.id);
  const allRatios = ratios(rows, contenders);
  const allTargets = targets(rows, contenders);
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const cols = columns[family(scenario)] ?? [];
    const here = rows.filter((r) => r.scenario === scenario);
    lines.push(`### ${scenario}`, '', `| contender | ${cols.map((c) => c.label).join(' | ')} | flags |`);
    lines.push(`|---|${cols.map(() => '---:').join('|')}|---|`);
    const ids = [...new Set(here.map((r) => r.contender))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    for (const id of ids) {
      const mine = here.filter((r) => r.contender === id);
      const cells = cols.map((c) => {
        const values = mine.map((r) => r.metrics[c.key] ?? Number.NaN).filter(Number.isFinite);
        const sign = c.note && values.length > 0 && mine.some((r) => r.metrics[c.note!.when] === 1) ? c.note.sign : '';
        if (c.key === 'saturated') {
          const behind = values.filter((v) => v > 0).length;
          return values.length === 0 ? '–' : behind === 0 ? 'no' : `yes (${behind}/${values.length})`;
        }
        if (values.length <= 1) return format(values[0] ?? Number.NaN) + sign;
        return `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})${sign}`;
      });
      const flags = [...new Set(mine.flatMap((r) => r.flags))].join(', ');
      lines.push(`| ${id} | ${cells.join(' | ')} | ${flags} |`);
    }
    lines.push('');
    for (const c of cols) {
      if (c.note && here.some((r) => r.metrics[c.note!.when] === 1))
        lines.push(`${c.note.sign} ${c.label}: ${c.note.text}`, '');
    }
    for (const r of allRatios.filter((x) => x.scenario === scenario)) {
      const label = cols.find((c) => c.key === r.metric)?.label ?? r.metric;
      const rounds = r.perRound.length > 1 ? `, worst round ${format(r.worst)}×` : '';
      lines.push(`- ${label}: ${r.ours} ÷ ${r.against} = **${format(r.median)}×**${rounds}`);
    }
    for (const t of allTargets.filter((x) => x.scenario === scenario)) {
      const label = cols.find((c) => c.key === t.metric)?.label ?? t.metric;
      const rounds = t.perRound.length > 1 ? `, worst round ${format(t.worst)}` : '';
      lines.push(
        `- ${label}: ${t.ours} = **${format(t.median)}**${rounds} (target ${t.target}: ${t.met ? 'met' : 'NOT met'})`,
      );
    }
    lines.push('');
  }
  if (failures.length > 0) {
    lines.push('## Failures', '');
    for (const f of failures)
      lines.push(`- ${f.kind}: ${f.contender}${f.scenario ? ` ${f.scenario}` : ''}: ${f.message}`);
    lines.push('');
  }
  return lines.join('\n');
}
