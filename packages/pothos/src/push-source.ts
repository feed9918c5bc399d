import { ErrorCode, isGqlcastError, toReturnReason, type UnsubscribeReason } from '@gqlcast/core';
import type { PushOffer, PushSink, PushSource } from '@gqlcast/core/push';
import type { GraphQLResolveInfo } from 'graphql';
import { Feed } from './feed.js';
import { runUnsubscribed } from './hooks.js';
import type { FieldDefinition } from './stream.js';
import type { GroupsResult } from './types.js';

const done: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Opens one subscriber's source in push mode, for the gqlcast server's offer:
 * runs `subscribe` for the groups (per subscriber: it is where access is
 * checked), joins the feed of its share key or opens a private one, hands
 * the source to the server, and resolves once the layer confirmed the groups.
 */
export async function openPushSource(
  field: FieldDefinition,
  args: unknown,
  context: unknown,
  info: GraphQLResolveInfo,
  offer: PushOffer,
): Promise<PushHandle> {
  const groups = field.subscribe === undefined ? undefined : await field.subscribe(args, context, info);
  // A resume replays history only this subscriber is owed: it gets a feed of its own.
  const key = offer.resume === undefined ? shareKeyOf(field, groups, args, context) : undefined;
  let feed = key === undefined ? undefined : field.feeds.get(key);
  if (feed === undefined || !feed.live) {
    const opened = new Feed(field, { args, context, info, wrapPublish: offer.wrapPublish }, key, () => {
      if (key !== undefined && field.feeds.get(key) === opened) field.feeds.delete(key);
    });
    try {
      opened.open(groups ?? undefined, offer.resume);
    } catch (error) {
      if (isGqlcastError(error, ErrorCode.InvalidGroup)) {
        error.message = `subscribe() of Subscription.${field.fieldName} returned an invalid group. ${error.message}`;
      }
      throw error;
    }
    if (key !== undefined) field.feeds.set(key, opened);
    feed = opened;
  }
  const handle = new PushHandle(field, feed, args, context, info);
  // The server joins now: a notification arriving while the groups are being
  // confirmed waits in its subscription until the subscription is confirmed.
  try {
    offer.accept(handle);
  } catch (error) {
    // The server could not take the source: release what this subscriber holds (its feed, its
    // `unsubscribed` hook), or the feed and its layer subscription would stay open for good.
    handle.end('error');
    throw error;
  }
  try {
    await feed.ready;
  } catch (error) {
    handle.end('error');
    throw error;
  }
  return handle;
}

/**
 * One subscriber's push source. graphql-js requires an async iterable from a
 * subscription resolver, so it is one, but the gqlcast server never pulls it:
 * it connects a sink instead.
 */
export class PushHandle implements PushSource, AsyncIterableIterator<never> {
  readonly #field: FieldDefinition;
  readonly #feed: Feed;
  /**
   * What `unsubscribed` gets, kept only when the field has the hook: a subscriber lives long and
   * there may be tens of thousands, and `info` holds the operation's whole resolve state.
   */
  readonly #hookArgs: { args: unknown; context: unknown; info: GraphQLResolveInfo } | undefined;
  #ended = false;

  constructor(field: FieldDefinition, feed: Feed, args: unknown, context: unknown, info: GraphQLResolveInfo) {
    this.#field = field;
    this.#feed = feed;
    this.#hookArgs = field.unsubscribed === undefined ? undefined : { args, context, info };
    feed.hold();
  }

  get shareKey(): string | undefined {
    // Per feed: a later feed of the same key (after this one ended) must not match this one.
    return this.#feed.key === undefined ? undefined : `${this.#feed.key}#${this.#feed.serial}`;
  }

  get position(): number {
    return this.#feed.position;
  }

  get queueLimit(): number {
    return this.#feed.queueLimit;
  }

  get channel(): string {
    return this.#field.channel.name;
  }

  cursor(): string | undefined {
    return this.#feed.cursor();
  }

  get resumeGap() {
    return this.#feed.resumeGap;
  }

  connect(sink: PushSink): () => void {
    return this.#feed.connect(sink);
  }

  recordDropped(count: number): void {
    this.#feed.recordDropped(count);
  }

  end(reason: UnsubscribeReason): void {
    if (this.#ended) return;
    this.#ended = true;
    const hookArgs = this.#hookArgs;
    if (hookArgs !== undefined) runUnsubscribed(this.#field, hookArgs.args, hookArgs.context, hookArgs.info, reason);
    this.#feed.release();
  }

  next(): Promise<IteratorResult<never, undefined>> {
    return Promise.reject(
      new Error(
        `Subscription.${this.#field.fieldName} is driven by the gqlcast server (push); its stream cannot be pulled.`,
      ),
    );
  }

  return(reason?: unknown): Promise<IteratorResult<never, undefined>> {
    this.end(toReturnReason(reason));
    return Promise.resolve(done);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * The key under which subscribers share one feed, or `undefined` when this one
 * may not share. Equal keys mean the same field, groups and arguments, and the
 * same answer from the field's `share` function.
 */
function shareKeyOf(field: FieldDefinition, groups: GroupsResult, args: unknown, context: unknown): string | undefined {
  const share = field.share;
  if (share === undefined) return undefined;
  let userKey: string | null | undefined = '';
  if (typeof share === 'function') {
    userKey = share(context, args);
    if (userKey === undefined || userKey === null) return undefined;
  }
  const groupList = groups === undefined || groups === null ? [] : typeof groups === 'string' ? [groups] : [...groups];
  // Groups are a set: their order does not change what is delivered.
  groupList.sort();
  return plainKey([field.id, groupList, args ?? null, userKey]);
}

/**
 * JSON of plain data only. An argument coerced to something JSON cannot tell
 * apart (a Map, a Set, a Date or another class instance, a BigInt) makes the
 * subscriber not share, rather than risk two different values sharing a key.
 */
function plainKey(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint' || typeof item === 'function' || typeof item === 'symbol') throw notPlain;
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        const prototype = Object.getPrototypeOf(item);
        if (prototype !== Object.prototype && prototype !== null) throw notPlain;
      }
      return item;
    });
  } catch (error) {
    // Not plain data, or nested too deep for JSON.stringify (a RangeError): such a subscriber does
    // not share, which is always correct, rather than fail.
    if (error === notPlain || error instanceof RangeError) return undefined;
    throw error;
  }
}

const notPlain = new Error('not plain data');
