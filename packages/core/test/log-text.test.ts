import { describe, expect, it } from 'vitest';
import { createHub, escapingLogger, type Logger, logText, memoryLayer } from '../src/index.js';

function recording(): Logger & { lines: [string, Record<string, unknown> | undefined][] } {
  const lines: [string, Record<string, unknown> | undefined][] = [];
  const at = (message: string, details?: Record<string, unknown>) => {
    lines.push([message, details]);
  };
  return { lines, debug: at, info: at, warn: at, error: at };
}

describe('log lines cannot be forged', () => {
  it('logText escapes control characters and line separators, and cuts long text', () => {
    expect(logText('a\nb\r\tc\u001b[31m\u2028')).toBe('a\\nb\\r\\tc\\u001b[31m\\u2028');
    expect(logText('x'.repeat(10), 4)).toBe('xxxx… (6 more characters)');
  });

  it('escapingLogger escapes messages and string details, and wraps a logger once', () => {
    const inner = recording();
    const logger = escapingLogger(inner);
    logger.warn('group "a\nFORGED"', { group: 'a\nFORGED', count: 3 });
    logger.info('plain');
    expect(inner.lines).toEqual([
      ['group "a\\nFORGED"', { group: 'a\\nFORGED', count: 3 }],
      ['plain', undefined],
    ]);
    expect(escapingLogger(logger)).toBe(logger);
  });

  it('the hub reports through an escaping logger', async () => {
    const hub = createHub({ layer: memoryLayer(), logger: recording() });
    expect(escapingLogger(hub.logger)).toBe(hub.logger);
    await hub.close();
  });
});
