/**
 * Every error gqlcast raises carries a stable `code` from this table, so code
 * can branch on it without matching messages. `docs/errors.md` lists them all.
 */
export const ErrorCode = {
  /** A broadcast payload failed its channel's zod schema. Nothing was sent. */
  PayloadInvalid: 'GQLCAST_PAYLOAD_INVALID',
  /** The parsed payload holds a value msgpack cannot carry (a function, a symbol). Nothing was sent. */
  PayloadUnencodable: 'GQLCAST_PAYLOAD_UNENCODABLE',
  /** `hub.channel(name)` was called twice with the same name on one hub. */
  ChannelExists: 'GQLCAST_CHANNEL_EXISTS',
  /** A channel name breaks the naming rule. */
  InvalidChannelName: 'GQLCAST_INVALID_CHANNEL_NAME',
  /** A group is not a non-empty string within the length limit. */
  InvalidGroup: 'GQLCAST_INVALID_GROUP',
  /** The hub was closed: no broadcast or subscription is possible any more. */
  HubClosed: 'GQLCAST_HUB_CLOSED',
  /** The layer was closed: it publishes and subscribes no more. */
  LayerClosed: 'GQLCAST_LAYER_CLOSED',
  /** The layer cannot reach its backend (for example Redis is down). */
  LayerUnavailable: 'GQLCAST_LAYER_UNAVAILABLE',
  /** A message arrived from the layer that this process cannot decode. It was dropped and logged. */
  MessageUndecodable: 'GQLCAST_MESSAGE_UNDECODABLE',
  /** A channel's `retain` option is not `{ count?, maxAgeMs? }` with at least one positive integer. */
  InvalidRetain: 'GQLCAST_INVALID_RETAIN',
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const knownCodes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * The base class of every error gqlcast raises.
 *
 * @remarks
 * Use {@link isGqlcastError} rather than `instanceof` to recognise one: two
 * copies of `@gqlcast/core` in one dependency tree have two classes.
 */
export class GqlcastError extends Error {
  /** A stable, documented identifier of what went wrong. */
  readonly code: ErrorCode;

  /** An error with its `code`; `cause` keeps the underlying failure. */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GqlcastError';
    this.code = code;
  }
}

/** One problem zod found in a payload, reduced to what a user needs to fix it. */
export interface PayloadIssue {
  /** Where in the payload, e.g. `['author', 'name']`; empty for the payload itself. */
  readonly path: readonly PropertyKey[];
  /** zod's message, e.g. `Invalid input: expected string, received number`. */
  readonly message: string;
  /** zod's issue code, e.g. `invalid_type`. */
  readonly code: string;
}

/** Thrown (as a rejection) by `channel.broadcast` when the payload fails the channel's schema. */
export class PayloadValidationError extends GqlcastError {
  /** The channel whose schema refused the payload. */
  readonly channel: string;
  /** The group of the refused broadcast, or `undefined` for a channel-wide one. */
  readonly group: string | undefined;
  /** Every issue zod reported, each with its path. */
  readonly issues: readonly PayloadIssue[];

  /** A refused payload of `channel` (and `group`, if any) and what was wrong with it. */
  constructor(channel: string, group: string | undefined, issues: readonly PayloadIssue[]) {
    const where = group === undefined ? 'channel-wide' : `group "${group}"`;
    const list = issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`).join('\n');
    super(ErrorCode.PayloadInvalid, `Invalid payload for channel "${channel}" (${where}); nothing was sent:\n${list}`);
    this.name = 'PayloadValidationError';
    this.channel = channel;
    this.group = group;
    this.issues = issues;
  }
}

/** Renders a payload path the way a user writes it: `author.tags[2]`, or `(payload)` for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(payload)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Tells whether `value` is an error raised by gqlcast, optionally with a given code.
 * Works across duplicate copies of the package (it checks the shape, not the class).
 */
export function isGqlcastError(value: unknown, code?: ErrorCode): value is GqlcastError {
  if (!(value instanceof Error)) return false;
  const actual = (value as { code?: unknown }).code;
  if (typeof actual !== 'string' || !knownCodes.has(actual)) return false;
  return code === undefined || actual === code;
}
