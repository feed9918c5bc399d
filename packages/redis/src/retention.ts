import { compareEventIds, type LayerEvent, type LayerHistory, type RetainPolicy } from '@gqlcast/core';
import type { Cluster, Redis } from 'ioredis';
import { isStreamId } from './envelope.js';

/**
 * The Redis side of retention: a stream per topic (key from stream-key.ts) and
 * two Lua scripts, so that what a subscriber receives live and what `history`
 * reads later agree on ids and order.
 *
 * A retained broadcast runs one script: XADD the envelope to the stream (exact
 * trimming to `count`), XTRIM by age (`MINID`, from the new id's own time),
 * PEXPIRE the stream by `maxAgeMs`, then PUBLISH (SPUBLISH on a cluster) the
 * envelope prefixed with the new id. A script runs atomically, so no other
 * broadcast of the topic can come between the XADD and the PUBLISH: live order
 * is stream order.
 *
 * Trimming is exact (`MAXLEN n`, not `MAXLEN ~ n`): `~` keeps up to a whole
 * stream node (100 entries) more than asked, which `history` would then return,
 * beyond the retention the channel promises. One trimmed entry per XADD only
 * marks it deleted in its node (Redis frees the node once all its entries are
 * gone), so the exact form costs about the same memory and time here.
 */
const publishScript = `
local key = KEYS[1]
local id
if ARGV[3] ~= '' then
  id = redis.call('XADD', key, 'MAXLEN', ARGV[3], '*', 'm', ARGV[2])
else
  id = redis.call('XADD', key, '*', 'm', ARGV[2])
end
if ARGV[4] ~= '' then
  local ms = tonumber(string.match(id, '^(%d+)'))
  redis.call('XTRIM', key, 'MINID', string.format('%.0f', ms - tonumber(ARGV[4])))
  redis.call('PEXPIRE', key, ARGV[4])
end
local message = 'GI' .. string.char(#id) .. id .. ARGV[2]
if ARGV[5] == '1' then
  redis.call('SPUBLISH', ARGV[1], message)
else
  redis.call('PUBLISH', ARGV[1], message)
end
return id
`;

/**
 * Reads, in one atomic step, the stream's bounds and the entries after `ARGV[1]`
 * (`'0'`: all): its first entry's id (`''` when every entry was trimmed), the last
 * id it generated, the entries, how many entries were ever added and how many it
 * holds (Redis 7's XINFO STREAM). An empty reply: no stream (never written, expired,
 * or lost with a Redis restart).
 */
const historyScript = `
local key = KEYS[1]
local ok, info = pcall(redis.call, 'XINFO', 'STREAM', key)
if not ok then return {} end
local fields = {}
for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
local from = '-'
if ARGV[1] ~= '0' then from = '(' .. ARGV[1] end
-- An id Redis cannot read as an exclusive start (the largest id of all): nothing after it.
local okRange, entries = pcall(redis.call, 'XRANGE', key, from, '+')
if not okRange then entries = {} end
local first = fields['first-entry']
local firstId = ''
if first then firstId = first[1] end
return {firstId, fields['last-generated-id'], entries, fields['entries-added'], fields['length']}
`;

/** The last id the stream generated (`'0'` when there is no stream): where a new subscriber starts. */
const lastIdScript = `
local ok, info = pcall(redis.call, 'XINFO', 'STREAM', KEYS[1])
if not ok then return '0' end
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then return info[i + 1] end
end
return '0'
`;

// Names on the ioredis client: defineCommand adds them as methods, so they must not clash with yours.
const publishCommand = 'gqlcastRetainedPublish';
const historyCommand = 'gqlcastHistory';
const lastIdCommand = 'gqlcastLastId';

type ScriptMethod = (...args: (string | Buffer)[]) => Promise<unknown>;

/**
 * Defines the scripts on a client as ioredis commands, which run the way `defineCommand` does: EVAL the first time on
 * each connection (which loads it), EVALSHA after, EVAL again on NOSCRIPT. So
 * after a reconnection (a restarted Redis has no scripts) the first broadcast
 * loads the script before any EVALSHA can fail: no broadcast is retried behind
 * later ones. The one case left is a script cache flushed under a live
 * connection (`SCRIPT FLUSH`), where broadcasts in flight are retried with EVAL
 * and may land after later ones.
 */
export function defineScripts(client: Redis | Cluster): void {
  // Before any command: ioredis's auto-pipelines copy the scripts a client has when they start a batch.
  for (const [name, lua] of [
    [publishCommand, publishScript],
    [historyCommand, historyScript],
    [lastIdCommand, lastIdScript],
  ] as const) {
    if (typeof (client as unknown as Record<string, unknown>)[`${name}Buffer`] !== 'function') {
      client.defineCommand(name, { numberOfKeys: 1, lua });
    }
  }
}

function command(client: Redis | Cluster, name: string): ScriptMethod {
  const method = (client as unknown as Record<string, ScriptMethod | undefined>)[`${name}Buffer`];
  if (method === undefined) throw new Error(`the ${name} script was not defined on this client`);
  return method.bind(client);
}

/**
 * Stores `envelope` in the stream `key` and publishes it with its new id on
 * `channel`, in one script; resolves with the id.
 */
export async function publishRetained(
  client: Redis | Cluster,
  sharded: boolean,
  key: string,
  channel: string,
  envelope: Buffer,
  retain: RetainPolicy,
): Promise<string> {
  const id = await command(client, publishCommand)(
    key,
    channel,
    envelope,
    retain.count === undefined ? '' : String(retain.count),
    retain.maxAgeMs === undefined ? '' : String(retain.maxAgeMs),
    sharded ? '1' : '0',
  );
  return String(id);
}

/** What the history script read: nothing (no stream), or its bounds and the entries after the id. */
export type StreamRead =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** The first retained entry's id; `''` when every entry was trimmed. */
      readonly first: string;
      /** The last id the stream generated (its last entry, or one trimmed since). */
      readonly last: string;
      readonly entries: readonly { readonly id: string; readonly envelope: Buffer | undefined }[];
      /** Entries ever added, and entries held: their difference was trimmed (gqlcast never XDELs). */
      readonly added: number;
      readonly length: number;
    };

/** The last id the stream `key` generated, or `'0'` when there is none (see `Layer.lastEventId`). */
export async function lastIdOf(client: Redis | Cluster, key: string): Promise<string> {
  return String(await command(client, lastIdCommand)(key));
}

/** Reads the stream `key` after `afterId` (a stream id, or `'0'` for all of it). */
export async function readStream(client: Redis | Cluster, key: string, afterId: string): Promise<StreamRead> {
  const reply = (await command(client, historyCommand)(key, afterId)) as
    | []
    | [Buffer, Buffer, [Buffer, Buffer[]][], number, number];
  if (reply.length === 0) return { exists: false };
  const [first, last, entries, added, length] = reply;
  return {
    exists: true,
    first: first.toString(),
    last: last.toString(),
    entries: entries.map(([id, fields]) => ({ id: id.toString(), envelope: fieldOf(fields, 'm') })),
    added: Number(added),
    length: Number(length),
  };
}

function fieldOf(fields: Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]?.toString() === name) return fields[i + 1];
  return undefined;
}

/**
 * The history of the stream `key` after `afterId` (see `Layer.history`):
 * `verify` turns a stored envelope into the hub's frame, or drops it.
 *
 * Whether `afterId` was still within retention is read from the stream's
 * bounds: at or after its first entry, nothing after it was trimmed. Before
 * it, something may have been, and how much is not known: Redis counts
 * entries added (`XINFO STREAM`), but a cursor holds an id, not a position.
 * So `missed` stays `undefined`. An id after the stream's last one was not
 * issued by this stream (a Redis that restarted with its clock behind, or a
 * made-up cursor): unknown, so the whole history, not complete.
 */
export async function historyOf(
  client: Redis | Cluster,
  key: string,
  afterId: string,
  verify: (envelope: Buffer) => Uint8Array | undefined,
): Promise<LayerHistory> {
  const whole = afterId === '0';
  if (!whole && !isStreamId(afterId)) {
    const all = await readStream(client, key, '0');
    return { events: all.exists ? eventsOf(all.entries, verify) : [], complete: false };
  }
  const read = await readStream(client, key, afterId);
  if (!read.exists) return { events: [], complete: whole };
  if (whole) {
    // `'0'` is also where a subscriber starts on a stream that did not exist yet: what was
    // trimmed since then was added after it, and is counted exactly.
    const trimmed = read.added - read.length;
    const events = eventsOf(read.entries, verify);
    return trimmed > 0 ? { events, complete: false, missed: trimmed } : { events, complete: true };
  }
  if (compareEventIds(afterId, read.last) > 0) {
    const all = await readStream(client, key, '0');
    return { events: all.exists ? eventsOf(all.entries, verify) : [], complete: false };
  }
  // Every entry trimmed: complete only if none was added after the id.
  if (read.first === '') return { events: [], complete: compareEventIds(afterId, read.last) >= 0 };
  return { events: eventsOf(read.entries, verify), complete: compareEventIds(afterId, read.first) >= 0 };
}

function eventsOf(
  entries: readonly { readonly id: string; readonly envelope: Buffer | undefined }[],
  verify: (envelope: Buffer) => Uint8Array | undefined,
): LayerEvent[] {
  const events: LayerEvent[] = [];
  for (const { id, envelope } of entries) {
    const message = verify(envelope ?? Buffer.alloc(0));
    if (message !== undefined) events.push({ id, message });
  }
  return events;
}
