/**
 * Where gqlcast reports what it does not throw: dropped notifications,
 * undecodable messages, layer trouble. Each call gets a one-line message and
 * a details object with machine-readable fields (`channel`, `group`, `code`...).
 *
 * @remarks
 * To use pino, swap the arguments: `{ warn: (msg, details) => pino.warn(details, msg), ... }`.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** The default logger: warnings and errors to the console, prefixed `[gqlcast]`; debug and info are dropped. */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, details) => console.warn(`[gqlcast] ${message}`, ...(details ? [details] : [])),
  error: (message, details) => console.error(`[gqlcast] ${message}`, ...(details ? [details] : [])),
};

/** A logger that drops everything; useful in tests that assert on other outputs. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
