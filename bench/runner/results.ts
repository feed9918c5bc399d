// What a run collects: one row per scenario × contender × round, and the failures that make
// the run exit non-zero (loss, an invalid measure, a missing contender).
export interface Row {
  scenario: string;
  /** The contender's report id (`L-raw`). */
  contender: string;
  round: number;
  metrics: Record<string, number>;
  /** e.g. `saturated`, `invalid: …`, `skipped: …`. */
  flags: string[];
  /** hdr-histogram-js compressed base64 (µs) of the latency distributions. */
  histograms: Record<string, string>;
}

export interface Failure {
  kind: 'loss' | 'invalid' | 'missing' | 'error';
  contender: string;
  scenario?: string;
  message: string;
}

export class Collector {
  readonly rows: Row[] = [];
  readonly failures: Failure[] = [];
  /** Lines for the report's header (e.g. the S3 reference rate). */
  readonly notes: string[] = [];
  readonly #started = performance.now();
  constructor(private readonly out: (line: string) => void) {}

  /** Logs with the seconds since the run started. */
  log(line: string): void {
    this.out(`${((performance.now() - this.#started) / 1000).toFixed(0).padStart(4)}s ${line}`);
  }

  add(row: Row): Row {
    this.rows.push(row);
    const m = row.metrics;
    const brief = Object.entries(m)
      .slice(0, 4)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
      .join(' ');
    this.log(
      `  ${row.scenario.padEnd(9)} ${row.contender.padEnd(16)} ${brief}${row.flags.length ? ` [${row.flags.join(', ')}]` : ''}`,
    );
    return row;
  }

  note(line: string): void {
    this.notes.push(line);
    this.log(line);
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
    this.log(
      `  FAIL ${failure.kind} ${failure.contender}${failure.scenario ? ` ${failure.scenario}` : ''}: ${failure.message}`,
    );
  }
}
