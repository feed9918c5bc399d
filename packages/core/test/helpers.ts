import type { Layer, LayerSubscription, Logger } from '../src/index.js';
import { memoryLayer, silentLogger } from '../src/index.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  details: Record<string, unknown> | undefined;
}

/** A logger that records every line, for assertions; `next()` waits for the next line (no timers). */
export function recordingLogger(): Logger & { lines: LogLine[]; next(): Promise<LogLine> } {
  const lines: LogLine[] = [];
  let read = 0;
  let wake: (() => void) | undefined;
  const at =
    (level: LogLine['level']) =>
    (message: string, details?: Record<string, unknown>): void => {
      lines.push({ level, message, details });
      wake?.();
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    async next() {
      while (lines.length <= read) await new Promise<void>((resolve) => (wake = resolve));
      return lines[read++] as LogLine;
    },
  };
}

/** A memory layer that counts what the hub asks of it. */
export function countingLayer(): Layer & { subscribes: string[]; unsubscribes: string[]; published: string[] } {
  const inner = memoryLayer({ logger: silentLogger });
  const subscribes: string[] = [];
  const unsubscribes: string[] = [];
  const published: string[] = [];
  return {
    name: 'counting',
    subscribes,
    unsubscribes,
    published,
    publish(topic, message) {
      published.push(topic);
      return inner.publish(topic, message);
    },
    async subscribe(topic, onMessage): Promise<LayerSubscription> {
      subscribes.push(topic);
      const subscription = await inner.subscribe(topic, onMessage);
      return {
        unsubscribe() {
          unsubscribes.push(topic);
          return subscription.unsubscribe();
        },
      };
    },
    health: () => inner.health(),
    close: () => inner.close(),
  };
}

/** Reads `count` items from an async iterator. */
export async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < count) {
    const result = await iterator.next();
    if (result.done) throw new Error(`iterator ended after ${out.length} of ${count} items`);
    out.push(result.value);
  }
  return out;
}
