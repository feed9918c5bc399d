import { ErrorCode, GqlcastError } from './errors.js';

/**
 * Channel names are identifiers: a letter or `_`, then letters, digits, `_`,
 * `.` or `-`. No `:` is allowed, so `channel:group` topics are unambiguous.
 */
const channelNamePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const maxChannelNameLength = 128;

/** The longest group name, in UTF-16 code units. Long enough for ids and compound keys, short enough to bound memory. */
export const maxGroupLength = 1024;

/** What `subscribe` accepts as groups: one group, several, or none (channel-wide only). */
export type GroupSelection = string | readonly string[] | null | undefined;

export function assertChannelName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length > maxChannelNameLength || !channelNamePattern.test(name)) {
    throw new GqlcastError(
      ErrorCode.InvalidChannelName,
      `Invalid channel name ${JSON.stringify(name)}: use 1-${maxChannelNameLength} characters, ` +
        'starting with a letter or "_", then letters, digits, "_", "." or "-" (no ":").',
    );
  }
}

export function assertGroup(group: unknown, channel: string): asserts group is string {
  if (typeof group !== 'string' || group.length === 0 || group.length > maxGroupLength) {
    const got = typeof group === 'string' ? `a string of length ${group.length}` : describe(group);
    throw new GqlcastError(
      ErrorCode.InvalidGroup,
      `Invalid group for channel "${channel}": expected a non-empty string of at most ${maxGroupLength} characters, got ${got}.`,
    );
  }
}

/** Validates a group selection and returns the distinct groups, in first-seen order. */
export function normalizeGroups(selection: GroupSelection, channel: string): string[] {
  if (selection === undefined || selection === null) return [];
  if (typeof selection === 'string') {
    assertGroup(selection, channel);
    return [selection];
  }
  if (!Array.isArray(selection)) {
    throw new GqlcastError(
      ErrorCode.InvalidGroup,
      `Invalid groups for channel "${channel}": expected a string, an array of strings or nothing, got ${describe(selection)}.`,
    );
  }
  const distinct = new Set<string>();
  for (const group of selection) {
    assertGroup(group, channel);
    distinct.add(group);
  }
  return [...distinct];
}

/** The layer topic of a channel's group; the channel's name alone is its channel-wide topic. */
export function topicOf(channel: string, group: string | undefined): string {
  return group === undefined ? channel : `${channel}:${group}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
