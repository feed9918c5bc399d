import { Writable } from 'node:stream';
import { consoleLogger, loggerFrom } from '@gqlcast/core';
import { buildSchema } from 'graphql';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import winston from 'winston';
import { createGraphqlWsServer } from '../src/index.js';
import { startServer } from './utils/test-server.js';

/** A stream that keeps every JSON line written to it; `next()` resolves with the next one. */
function jsonLines() {
  const lines: Record<string, unknown>[] = [];
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        const line = JSON.parse(text) as Record<string, unknown>;
        const waiter = waiting.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
      done();
    },
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) => {
      const line = lines.shift();
      if (line) resolve(line);
      else waiting.push(resolve);
    });
  return { stream, next };
}

const details = () => ({ connection: 'c7', code: 'E_TEST', error: Object.assign(new Error('boom'), { code: 42 }) });

describe('pino, passed directly', () => {
  it('gets (details, message), and keeps every field of the details, errors included', async () => {
    const out = jsonLines();
    const logger = loggerFrom(pino({ level: 'debug' }, out.stream));
    logger.warn('Something was dropped.', details());
    const line = await out.next();
    expect(line).toMatchObject({ level: 40, msg: 'Something was dropped.', connection: 'c7', code: 'E_TEST' });
    expect(line.error).toMatchObject({ name: 'Error', message: 'boom', code: 42 });
    expect(String((line.error as { stack: unknown }).stack)).toContain('boom');
    logger.debug('No details.');
    expect(await out.next()).toMatchObject({ level: 20, msg: 'No details.' });
  });

  it('receives the server’s own reports with their details', async () => {
    const out = jsonLines();
    await using server = await startServer({
      logger: pino(out.stream) as never,
      // An ack payload that cannot be serialised: the server logs the failure.
      onConnect: () => ({ big: 10n }),
    });
    const client = await server.client('graphql-transport-ws');
    client.send({ type: 'connection_init' });
    expect(await client.closed).toEqual({ code: 4500, reason: 'Internal server error' });
    const line = await out.next();
    expect(line).toMatchObject({ level: 50, msg: 'Connection 1 failed on a message.', connection: '1' });
    expect(line.error).toMatchObject({ name: 'TypeError' });
  });
});

describe('winston, passed directly', () => {
  it('gets (message, meta), and keeps every field of the details, errors included', async () => {
    const out = jsonLines();
    const logger = loggerFrom(
      winston.createLogger({
        level: 'debug',
        format: winston.format.json(),
        transports: [new winston.transports.Stream({ stream: out.stream })],
      }),
    );
    logger.error('A hook failed.', details());
    const line = await out.next();
    expect(line).toMatchObject({ level: 'error', message: 'A hook failed.', connection: 'c7', code: 'E_TEST' });
    expect(line.error).toMatchObject({ name: 'Error', message: 'boom', code: 42 });
    logger.info('No details.');
    expect(await out.next()).toMatchObject({ level: 'info', message: 'No details.' });
  });

  it('maps warn to `warning` when the logger uses syslog levels', async () => {
    const out = jsonLines();
    const logger = loggerFrom(
      winston.createLogger({
        levels: winston.config.syslog.levels,
        level: 'debug',
        format: winston.format.json(),
        transports: [new winston.transports.Stream({ stream: out.stream })],
      }),
    );
    logger.warn('Behind.', { dropped: 3 });
    expect(await out.next()).toMatchObject({ level: 'warning', message: 'Behind.', dropped: 3 });
  });
});

describe('the logger option', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses what is not a logger with a TypeError naming `logger`', () => {
    const schema = buildSchema('type Query { a: Int }');
    for (const logger of [1, 'x', null, {}, { info() {} }]) {
      expect(() => createGraphqlWsServer({ schema, logger: logger as never })).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('`logger`') }),
      );
    }
  });

  it('keeps a console-like logger as it is, and the default logger shows info', () => {
    const console = { debug() {}, info() {}, warn() {}, error() {} };
    expect(loggerFrom(console)).toBe(console);
    expect(loggerFrom(undefined)).toBe(consoleLogger);
    const info = vi.spyOn(globalThis.console, 'info').mockImplementation(() => {});
    consoleLogger.info('Refused a WebSocket upgrade.', { origin: 'https://evil.example' });
    expect(info).toHaveBeenCalledWith('[gqlcast] Refused a WebSocket upgrade.', { origin: 'https://evil.example' });
  });
});
