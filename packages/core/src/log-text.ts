import type { Logger } from './logger.js';

/**
 * Log lines carry strings a client chose: operation ids, operation names, an
 * `Origin` header, a query, a group built from a subscription's arguments. A
 * newline in one of them would let a client write a line of its own into a
 * text log ("forged" lines), and a long one would fill the disk. Every string
 * gqlcast logs passes through here once, in the logger the hub, the layer, the
 * plugin or the server is given, so no call site can forget it.
 */

/** The longest message logged, in UTF-16 code units; a longer one is cut and says how much was left out. */
export const maxLoggedMessage = 1_024;

/** The longest string value in a log line's details (a query text, a variable). */
export const maxLoggedDetail = 1_024;

// C0 and C1 controls, DEL, and the two JavaScript line separators: all of them can end or rewrite a
// line in some terminal or log viewer.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeOne(character: string): string {
  switch (character) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/**
 * A client-chosen string made safe for one log line: control characters
 * escaped (`\n`, `\u001b`), cut to `max` characters with a note of what was
 * left out. Exported so user hooks that log client input can do the same.
 */
export function logText(value: string, max = maxLoggedMessage): string {
  const cut = value.length > max ? `${value.slice(0, max)}… (${value.length - max} more characters)` : value;
  return cut.replace(unsafe, escapeOne);
}

/** String values of a details object made safe, one level deep (nested objects such as errors are left as they are). */
function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (details === undefined) return undefined;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(details)) {
    const value = details[key];
    if (typeof value !== 'string') continue;
    const safe = logText(value, maxLoggedDetail);
    if (safe === value) continue;
    copy ??= { ...details };
    copy[key] = safe;
  }
  return copy ?? details;
}

/** Loggers already wrapped: wrapping twice (a hub's logger passed on to a server) would escape twice. */
const wrapped = new WeakSet<Logger>();

/**
 * Wraps the user's logger so every message and every string detail is
 * escaped and cut (see {@link logText}). The wrapped logger's own methods are
 * called with the same arguments otherwise. A logger this returned is
 * returned as it is.
 */
export function escapingLogger(logger: Logger): Logger {
  if (wrapped.has(logger)) return logger;
  const wrap =
    (level: keyof Logger) =>
    (message: string, details?: Record<string, unknown>): void => {
      // Called as the user's logger would be called directly: no `undefined` second argument.
      if (details === undefined) logger[level](logText(message));
      else logger[level](logText(message), safeDetails(details));
    };
  const escaping: Logger = { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
  wrapped.add(escaping);
  return escaping;
}
