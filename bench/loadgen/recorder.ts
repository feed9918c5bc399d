// What one measured phase records: notifications per connection and subscription (the
// connections keep their own counters), a latency histogram of receive − intended send time,
// the completion of each event (last arrival − t) when asked, and one sampled frame per kind.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../runner/protocol.js';
import { slotCount } from './frames.js';

const ringBits = 14;
const ringMask = (1 << ringBits) - 1;

export function histogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => us / 1000;
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    encoded: hdr.encodeIntoCompressedBase64(h),
  };
}

export interface Sample {
  connection: number;
  slot: number;
  text: string;
}

export class Recorder {
  name = 'idle';
  received = 0;
  lastArrival = 0;
  latency = histogram();
  completion: hdr.Histogram | undefined;
  /** Every event is expected this many times (completion phases), else 0. */
  perEvent = 0;
  completed = 0;
  samples: (Sample | undefined)[] = new Array(slotCount).fill(undefined);
  cpuMark = process.cpuUsage();
  wallMark = performance.now();
  readonly #ringSeq = new Int32Array(1 << ringBits).fill(-1);
  readonly #ringCount = new Int32Array(1 << ringBits);
  readonly #ringLast = new Float64Array(1 << ringBits);
  readonly #ringT = new Float64Array(1 << ringBits);
  #creditQueued = false;

  start(name: string, perEvent: number): void {
    this.name = name;
    this.received = 0;
    this.lastArrival = 0;
    this.latency = histogram();
    this.perEvent = perEvent;
    this.completion = perEvent > 0 ? histogram() : undefined;
    this.completed = 0;
    this.samples.fill(undefined);
    this.#ringSeq.fill(-1);
    this.cpuMark = process.cpuUsage();
    this.wallMark = performance.now();
  }

  /** One notification: `t` its intended send time, `now` the receive time (ms since epoch). */
  record(t: number, now: number): void {
    this.received++;
    this.lastArrival = now;
    const us = Math.round((now - t) * 1000);
    this.latency.recordValue(Math.max(0, us));
  }

  /** Completion phases: the notification of event `seq` (sent at `t`) arrived at `now`. */
  arrive(seq: number, t: number, now: number): void {
    const slot = seq & ringMask;
    if (this.#ringSeq[slot] !== seq) {
      this.#ringSeq[slot] = seq;
      this.#ringCount[slot] = 0;
      this.#ringLast[slot] = now;
      this.#ringT[slot] = t;
    }
    this.#ringLast[slot] = now;
    if (++this.#ringCount[slot]! !== this.perEvent) return;
    const us = Math.round((now - this.#ringT[slot]!) * 1000);
    this.completion?.recordValue(Math.max(0, us));
    this.completed++;
    if (this.#creditQueued) return;
    // One credit message per I/O turn, however many events completed in it.
    this.#creditQueued = true;
    setImmediate(() => {
      this.#creditQueued = false;
      process.send?.({ type: 'credit', completed: this.completed });
    });
  }

  /** Load generator CPU since the phase started, % of one core. */
  cpuPct(): number {
    const cpu = process.cpuUsage(this.cpuMark);
    return ((cpu.user + cpu.system) / 1000 / Math.max(1, performance.now() - this.wallMark)) * 100;
  }
}
