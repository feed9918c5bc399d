import type { UnsubscribeReason } from '@gqlcast/core';
import type { PushSource } from '@gqlcast/core/push';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute as graphqlExecute,
  type OperationDefinitionNode,
} from 'graphql';
import { TurnMemo } from '../auto-share.js';
import type { Socket } from '../connection.js';
import { createSourceEventStream } from '../graphql-compat.js';
import { isPushField, Offer } from '../operations/push.js';
import { isAsyncIterator } from '../operations/subscribe.js';
import { Outbox } from '../outbox.js';
import { nextFrames } from '../protocols/transport-ws.js';
import { SharedExecutions } from '../push-execution.js';
import { type MemberHost, PushMember } from '../push-member.js';
import { ServerTelemetry } from '../server-telemetry.js';
import { toWireResult } from '../wire-result.js';
import type { ServerOptions } from './types.js';

/**
 * gqlcast's push path under the graphql-ws compatibility entry: a `@gqlcast/pothos` field is
 * delivered as `createGraphqlWsServer` delivers it (shared executions, one serialization per
 * shared result, a bounded outbox per connection) instead of being pulled through graphql-js's
 * `subscribe`. Only where graphql-ws's semantics allow it unchanged (see {@link pushAllowed}).
 */
export class CompatPush {
  readonly executions: SharedExecutions;
  /** Ids of documents that came from `onSubscribe` (no query text to key shared executions by). */
  readonly #documentKeys = new WeakMap<DocumentNode, string>();
  #documentCount = 0;

  constructor(options: ServerOptions<never, never>) {
    const execute = options.execute ?? graphqlExecute;
    const own = options.execute === undefined;
    this.executions = new SharedExecutions({
      execute: execute as never,
      autoShare: own,
      project: own,
      memo: new TurnMemo(),
      counts: { results: 0 },
      // graphql-ws sends each error as `GraphQLError.toJSON()`.
      formatResult: (result) => toWireResult(result, (error) => error.toJSON()),
      logFailure: (message, details) => console.error(message, details),
      telemetry: new ServerTelemetry(false),
    });
  }

  /** The key of a document in shared executions: its text, or an id for a document given by `onSubscribe`. */
  keyOf(document: DocumentNode, query: string | undefined): string {
    if (query !== undefined) return query;
    let key = this.#documentKeys.get(document);
    if (key === undefined) {
      key = `#document ${this.#documentCount++}`;
      this.#documentKeys.set(document, key);
    }
    return key;
  }
}

/**
 * Whether a connection may push at all: only when nothing graphql-ws lets a program hook into
 * per result would be bypassed. With `onNext` (each result replaced per subscriber),
 * `jsonMessageReplacer` (each message serialized its own way) or a `subscribe` of the
 * program's own, every subscription is pulled, as graphql-ws runs it.
 */
export function pushAllowed(options: ServerOptions<never, never>): boolean {
  return options.onNext === undefined && options.jsonMessageReplacer === undefined && options.subscribe === undefined;
}

/** How one pushed subscription ended: by itself (`channel.unsubscribe`, an error) or by a stop. */
export interface PushEnd {
  readonly error?: unknown;
}

/** A started push subscription: what `ctx.subscriptions` holds, and when it is over. */
export interface Pushed {
  readonly member: PushMember;
  /** `ctx.subscriptions[id]` and what `onOperation` sees: its `return()` stops the subscription. */
  readonly stream: AsyncGenerator<never, undefined>;
  readonly ended: Promise<PushEnd>;
}

/** One connection's side of the push path: its outbox (made for its first push), its members. */
export class CompatPushConnection implements MemberHost {
  readonly #push: CompatPush;
  readonly #socket: Socket;
  #outbox: Outbox | undefined;
  readonly #ends = new Map<PushMember, (end: PushEnd) => void>();
  /** Why streams end when `return()` is called: `complete`, or `disconnect` once the connection closes. */
  stopReason: UnsubscribeReason = 'complete';

  constructor(push: CompatPush, socket: Socket) {
    this.#push = push;
    this.#socket = socket;
  }

  /** The outbox, once a push subscription made one: then every message with an id goes through it. */
  get outbox(): Outbox | undefined {
    return this.#outbox;
  }

  accepts(args: ExecutionArgs, definition: OperationDefinitionNode): boolean {
    return isPushField(args.schema, definition);
  }

  /**
   * Starts a push subscription: the field hands over its source, already subscribed. Returns
   * what graphql-js would have returned instead when the field did not take the push (its errors,
   * or a stream another plugin made, mapped to results as graphql-js maps it).
   */
  async start(
    id: string,
    args: ExecutionArgs,
    query: string | undefined,
  ): Promise<Pushed | ExecutionResult | AsyncGenerator<ExecutionResult>> {
    let member: PushMember | undefined;
    const offer = new Offer(undefined, undefined, (source: PushSource) => {
      // Made for the first push: no byte cap (graphql-ws has none); `queueLimit` bounds each subscription.
      this.#outbox ??= new Outbox(this.#socket, Number.POSITIVE_INFINITY, () => undefined);
      const outbox = this.#outbox;
      const execution = this.#push.executions.executionFor(source, args, this.#push.keyOf(args.document, query));
      member = new PushMember(id, nextFrames.for(id), source, execution, outbox, this);
    });
    const result = await createSourceEventStream({ ...args, rootValue: offer });
    if (member !== undefined && !isAsyncIterator(result)) {
      // Accepted, then its groups could not be subscribed: the field reports the error.
      member.leave('error');
      member = undefined;
    }
    if (member === undefined) {
      return isAsyncIterator(result) ? mapped(args, result) : (result as ExecutionResult);
    }
    const accepted = member;
    const ended = new Promise<PushEnd>((resolve) => this.#ends.set(accepted, resolve));
    const stop = () => {
      accepted.leave(this.stopReason);
      this.#finish(accepted, {});
    };
    return { member: accepted, stream: stopper(stop), ended };
  }

  /** Its source ended by itself (MemberHost): what waited in the outbox was written first. */
  ended(member: PushMember, _reason: UnsubscribeReason, error: unknown): void {
    this.#finish(member, error === undefined ? {} : { error });
  }

  /** The connection closed: nothing more is written. */
  close(): void {
    this.stopReason = 'disconnect';
    this.#outbox?.close();
    // Every member still here leaves, even one whose stream never reached `ctx.subscriptions`
    // (a hook threw while it started): nothing may keep a channel subscription for a closed socket.
    for (const member of [...this.#ends.keys()]) {
      member.leave('disconnect');
      this.#finish(member, {});
    }
  }

  #finish(member: PushMember, end: PushEnd): void {
    const resolve = this.#ends.get(member);
    if (resolve === undefined) return;
    this.#ends.delete(member);
    resolve(end);
  }
}

/** An async generator that yields nothing and whose `return()` (or `throw()`) stops the subscription. */
function stopper(stop: () => void): AsyncGenerator<never, undefined> {
  const done = { done: true as const, value: undefined };
  const generator: AsyncGenerator<never, undefined> = {
    next: () => Promise.resolve(done),
    return: () => {
      stop();
      return Promise.resolve(done);
    },
    throw: () => {
      stop();
      return Promise.resolve(done);
    },
    [Symbol.asyncIterator]: () => generator,
    [Symbol.asyncDispose]: async () => {
      stop();
    },
  };
  return generator;
}

/** A source stream mapped to results, as graphql-js's `subscribe` maps it (each event executed). */
async function* mapped(args: ExecutionArgs, source: AsyncIterator<unknown>): AsyncGenerator<ExecutionResult> {
  try {
    for (;;) {
      const event = await source.next();
      if (event.done) return;
      yield await graphqlExecute({ ...args, rootValue: event.value });
    }
  } finally {
    await source.return?.();
  }
}
