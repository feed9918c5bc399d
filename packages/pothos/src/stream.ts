import {
  type Channel,
  type ChannelSubscription,
  ErrorCode,
  isGqlcastError,
  type Logger,
  SKIP,
  toReturnReason,
  type UnsubscribeReason,
} from '@gqlcast/core';
import type { PublishCall } from '@gqlcast/core/push';
import type { GraphQLResolveInfo } from 'graphql';
import type { Feed } from './feed.js';
import { isPromiseLike, publishFailed, runUnsubscribed, toUnsubscribeReason } from './hooks.js';
import type { GroupsResult } from './types.js';

/** The runtime view of a field's options; the typed view lives in types.ts. */
export interface FieldDefinition {
  /** Tells fields apart in share keys. */
  readonly id: number;
  readonly fieldName: string;
  readonly channel: Channel;
  readonly subscribe:
    | ((args: unknown, context: unknown, info: GraphQLResolveInfo) => GroupsResult | PromiseLike<GroupsResult>)
    | undefined;
  readonly publish:
    | ((payload: unknown, args: unknown, context: unknown, info: GraphQLResolveInfo) => unknown)
    | undefined;
  readonly unsubscribed:
    | ((args: unknown, context: unknown, info: GraphQLResolveInfo, reason: UnsubscribeReason) => unknown)
    | undefined;
  readonly queueLimit: number | undefined;
  readonly logger: Logger;
  /** The field's `share` option: when subscribers may share one feed. */
  readonly share: true | ((context: unknown, args: unknown) => string | null | undefined) | undefined;
  /** The open shared feeds of this field, by share key. */
  readonly feeds: Map<string, Feed>;
}

const done: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Opens the source stream of one subscription: runs `subscribe` for the
 * groups, subscribes the channel and resolves only once the layer confirmed
 * every group ("ready means ready": a broadcast issued after this resolves is
 * delivered). `wrapPublish`: the gqlcast server's middleware, when it pulls
 * the stream itself (see `PullRoot`); as on the push path, it runs around `publish`.
 */
export async function openFieldStream(
  field: FieldDefinition,
  args: unknown,
  context: unknown,
  info: GraphQLResolveInfo,
  wrapPublish?: ((publish: PublishCall) => PublishCall) | undefined,
): Promise<AsyncIterableIterator<unknown>> {
  const groups = field.subscribe === undefined ? undefined : await field.subscribe(args, context, info);
  let subscription: ChannelSubscription<unknown>;
  try {
    subscription = field.channel.subscribe(groups ?? undefined, { queueLimit: field.queueLimit });
  } catch (error) {
    if (isGqlcastError(error, ErrorCode.InvalidGroup)) {
      error.message = `subscribe() of Subscription.${field.fieldName} returned an invalid group. ${error.message}`;
    }
    throw error;
  }
  const stream = new FieldStream(field, subscription, args, context, info, wrapPublish);
  try {
    await subscription.ready;
  } catch (error) {
    stream.finish('error');
    throw error;
  }
  return stream;
}

/**
 * The per-subscriber stream: pulls payloads in order, runs `publish` on each,
 * drops `SKIP`, and runs `unsubscribed` exactly once at the end.
 */
class FieldStream implements AsyncIterableIterator<unknown> {
  readonly #field: FieldDefinition;
  readonly #subscription: ChannelSubscription<unknown>;
  readonly #args: unknown;
  readonly #context: unknown;
  readonly #info: GraphQLResolveInfo;
  /** The field's `publish`, inside the server's middleware when there is one. */
  readonly #publish: FieldDefinition['publish'];
  /** Pulls run one after another, so an async `publish` cannot reorder notifications. */
  #chain: Promise<IteratorResult<unknown, undefined>> | undefined;
  #finished = false;

  constructor(
    field: FieldDefinition,
    subscription: ChannelSubscription<unknown>,
    args: unknown,
    context: unknown,
    info: GraphQLResolveInfo,
    wrapPublish: ((publish: PublishCall) => PublishCall) | undefined,
  ) {
    const publish = field.publish;
    this.#publish =
      publish !== undefined && wrapPublish !== undefined
        ? (wrapPublish(publish as PublishCall) as FieldDefinition['publish'])
        : publish;
    this.#field = field;
    this.#subscription = subscription;
    this.#args = args;
    this.#context = context;
    this.#info = info;
  }

  next(): Promise<IteratorResult<unknown, undefined>> {
    const pull = () => this.#pull();
    const result = this.#chain === undefined ? pull() : this.#chain.then(pull, pull);
    this.#chain = result;
    return result;
  }

  return(reason?: unknown): Promise<IteratorResult<unknown, undefined>> {
    // A transport tells why as the argument (returnWithReason); a bare return() is the client completing.
    this.finish(toReturnReason(reason));
    void this.#subscription.return();
    return Promise.resolve(done);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Runs `unsubscribed` once, whatever ended the stream first. */
  finish(reason: UnsubscribeReason): void {
    if (this.#finished) return;
    this.#finished = true;
    runUnsubscribed(this.#field, this.#args, this.#context, this.#info, reason);
  }

  async #pull(): Promise<IteratorResult<unknown, undefined>> {
    const publish = this.#publish;
    for (;;) {
      if (this.#finished) return done;
      let next: IteratorResult<unknown, undefined>;
      try {
        next = await this.#subscription.next();
      } catch (error) {
        this.finish('error');
        throw error;
      }
      if (next.done) {
        this.finish(toUnsubscribeReason(this.#subscription.endReason));
        return done;
      }
      if (publish === undefined) return { done: false, value: next.value };
      let value: unknown;
      try {
        value = publish(next.value, this.#args, this.#context, this.#info);
        if (isPromiseLike(value)) value = await value;
      } catch (error) {
        if (this.#finished) return done;
        return { done: false, value: publishFailed(error) };
      }
      // SKIP sends nothing at all to this subscriber; wait for the next payload.
      if (value === SKIP) continue;
      // Completed while `publish` ran: nothing may follow a completion.
      if (this.#finished) return done;
      return { done: false, value };
    }
  }
}
