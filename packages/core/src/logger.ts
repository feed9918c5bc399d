/**
 * Where gqlcast reports what it does not throw: dropped notifications,
 * undecodable messages, layer trouble. Each call gets a one-line message and
 * a details object with machine-readable fields (`channel`, `group`, `code`...).
 *
 * @remarks
 * pino and winston loggers can be passed as they are: every `logger` option
 * goes through {@link loggerFrom}, which recognises them and calls each with
 * its own argument order, so no detail is lost.
 */
export interface Logger {
  /** Details useful when investigating (slow operations' queries...). */
  debug(message: string, details?: Record<string, unknown>): void;
  /** Normal events worth a line (a refused connection, a terminated peer...). */
  info(message: string, details?: Record<string, unknown>): void;
  /** Something was dropped or refused that the application may want to know about. */
  warn(message: string, details?: Record<string, unknown>): void;
  /** A failure: a hook threw, a message could not be decoded. */
  error(message: string, details?: Record<string, unknown>): void;
}

/** The levels gqlcast logs at. */
export type LogLevel = keyof Logger;

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const noop = (): void => {};

/**
 * The default logger: info, warnings and errors to the console, prefixed
 * `[gqlcast]`, with the details object; debug is dropped.
 */
export const consoleLogger: Logger = {
  debug: noop,
  // biome-ignore lint/suspicious/noConsole: the default logger writes to the console by design.
  info: (message, details) => console.info(`[gqlcast] ${message}`, ...(details ? [details] : [])),
  warn: (message, details) => console.warn(`[gqlcast] ${message}`, ...(details ? [details] : [])),
  error: (message, details) => console.error(`[gqlcast] ${message}`, ...(details ? [details] : [])),
};

/** A logger that drops everything; useful in tests that assert on other outputs. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Details with every `Error` value turned into a plain object (`name`,
 * `message`, `stack`, `cause` and its own fields such as `code`): JSON
 * serialisers (pino's, winston's `json()`) print an `Error` as `{}`.
 */
export function serializeDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) out[key] = value instanceof Error ? serializeError(value) : value;
  return out;
}

function serializeError(error: Error): Record<string, unknown> {
  const plain: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) plain[key] = value instanceof Error ? serializeError(value) : value;
  if (error.cause !== undefined) plain.cause = error.cause instanceof Error ? serializeError(error.cause) : error.cause;
  return plain;
}

type Method = (...args: unknown[]) => void;
type Loose = Record<string, unknown>;

/** pino: `bindings()` and `levels.values`; its methods take `(object, message)`. */
function isPino(value: Loose): boolean {
  const levelsOf = value.levels as { values?: unknown } | undefined;
  return typeof value.bindings === 'function' && typeof levelsOf?.values === 'object';
}

/** winston: `log(level, message, meta)`, a `levels` table and transports (`add`). */
function isWinston(value: Loose): boolean {
  return typeof value.log === 'function' && typeof value.levels === 'object' && typeof value.add === 'function';
}

function fromPino(pino: Loose): Logger {
  const at = (level: LogLevel) => (message: string, details?: Record<string, unknown>) => {
    const method = pino[level] as Method;
    if (details === undefined) method.call(pino, message);
    else method.call(pino, serializeDetails(details), message);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function fromWinston(winston: Loose): Logger {
  const known = winston.levels as Record<string, number>;
  const at = (level: LogLevel) => {
    // syslog levels call it `warning`.
    const name = level in known ? level : level === 'warn' && 'warning' in known ? 'warning' : 'info';
    return (message: string, details?: Record<string, unknown>) =>
      (winston.log as Method).call(winston, name, message, details === undefined ? {} : serializeDetails(details));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Turns what a user passed as `logger` into a {@link Logger}:
 * - `undefined`: {@link consoleLogger};
 * - a pino logger (recognised by `bindings()` and `levels.values`): called as
 *   `pino.warn(details, message)`;
 * - a winston logger (recognised by `log`, `levels` and `add`): called as
 *   `winston.log(level, message, details)` (`warning` for syslog levels);
 * - anything else with `debug`, `info`, `warn` and `error` methods (`console`
 *   too): called as `logger.warn(message, details)`.
 *
 * `Error` values in the details of pino and winston are turned into plain
 * objects ({@link serializeDetails}), since their JSON output drops them.
 *
 * @param logger - what the user passed.
 * @param caller - the function whose option it is, to prefix the error message.
 * @throws TypeError naming `logger` when it is none of these.
 */
export function loggerFrom(logger: unknown, caller?: string): Logger {
  if (logger === undefined) return consoleLogger;
  if ((typeof logger === 'object' || typeof logger === 'function') && logger !== null) {
    const value = logger as Loose;
    if (isPino(value)) return fromPino(value);
    if (isWinston(value)) return fromWinston(value);
    if (levels.every((level) => typeof value[level] === 'function')) return logger as Logger;
  }
  throw new TypeError(
    `${caller ? `${caller}: ` : ''}\`logger\` must be a logger with debug, info, warn and error methods (console-like, pino or winston), got ${
      logger === null ? 'null' : typeof logger
    }.`,
  );
}
