import type { UnsubscribeReason } from '@gqlcast/core';
import type { WireResult } from '@gqlcast/core/protocol';
import {
  type NotificationMark,
  OrderedRunner,
  type OrderedSteps,
  type PushSink,
  type PushSource,
} from '@gqlcast/core/push';
import { recordFailure, runInSpan, type TelemetrySpan } from '@gqlcast/core/telemetry';
import { type ExecutionArgs, type ExecutionResult, type GraphQLSchema, getOperationAST } from 'graphql';
import { frameOf, isContextFree, keepFrame, type SharedResult, type TurnMemo } from './auto-share.js';
import { hasMark, markBody } from './operations/resume.js';
import type { ExecuteFunction } from './options.js';
import { type Projection, projectionFor } from './projection.js';
import type { PushMember } from './push-member.js';
import type { ServerTelemetry } from './server-telemetry.js';
import { isThenable } from './thenable.js';

/** What an execution needs from the server besides its arguments. */
export interface ExecutionScope {
  readonly execute: ExecuteFunction;
  /** Whether executions may be shared automatically (the default executor; see auto-share.ts). */
  readonly autoShare: boolean;
  /** Whether `execute` is graphql-js's own, so a projection may stand in for it (projection.ts). */
  readonly project: boolean;
  /** Results of the current fan-out, by value and execution key (automatic sharing). */
  readonly memo: TurnMemo;
  /** Notification results computed so far (projected or executed): what sharing saves, counted. */
  readonly counts: { results: number };
  formatResult(result: ExecutionResult<unknown>): WireResult;
  logFailure(message: string, details: Record<string, unknown>): void;
  /** Spans of shared executions; counts of what members never got. */
  readonly telemetry: ServerTelemetry;
}

/**
 * One execution and one serialization per notification, written to every
 * member. Members share one when their results cannot differ: the same shared
 * source (field, groups, arguments, share key), document, operation name and
 * variables. Otherwise a member has one of its own, and this is simply the
 * synchronous per-subscriber path: no promise per notification unless a
 * resolver is async.
 */
export class SharedExecution implements PushSink, OrderedSteps<ExecutionItem> {
  readonly key: string | undefined;
  readonly #args: ExecutionArgs;
  readonly #scope: ExecutionScope;
  /** Tells the registry this execution takes no new members (empty, or its source ended). */
  readonly #onClose: (execution: SharedExecution) => void;
  /**
   * Members by their frame's head: members whose messages start alike (same
   * id and subprotocol, on different connections) get the very same frame.
   */
  readonly #byHead = new Map<string, Set<PushMember>>();
  #size = 0;
  #disconnect: (() => void) | undefined;
  /** The source it is connected to: its `queueLimit` bounds what waits, its count takes the drops. */
  #source: PushSource | undefined;
  /**
   * Executes in order; while an async execution (a resolver, or the `execute` option) runs,
   * at most `queueLimit` notifications wait, the oldest dropped and counted.
   */
  readonly #runner = new OrderedRunner<ExecutionItem>(this);
  /** The span of the notification being executed, when shared and traced (one execution runs at a time). */
  #span: TelemetrySpan | undefined;
  #ended = false;
  /** The server shuts down: notifications that arrive now are not taken (see `settle`). */
  #settling = false;

  /**
   * Set when the selection is context-free (auto-share.ts): the document, operation name and
   * variables, under which a result for the same value is the same for every subscriber.
   */
  readonly #autoKey: string | undefined;
  /** The automatic sharing key (see `#autoKey`), for its holder's count. */
  get autoKey(): string | undefined {
    return this.#autoKey;
  }

  /** Set when the selection under the field only copies properties: `execute` is skipped. */
  readonly #projection: Projection | undefined;

  constructor(
    key: string | undefined,
    args: ExecutionArgs,
    scope: ExecutionScope,
    onClose: (execution: SharedExecution) => void,
    plan: ExecutionPlan = {},
  ) {
    this.#autoKey = plan.autoKey;
    this.#projection = plan.projection;
    this.key = key;
    this.#args = args;
    this.#scope = scope;
    this.#onClose = onClose;
  }

  /** Connects to the source on the first member. */
  connect(source: PushSource): void {
    this.#source = source;
    this.#disconnect = source.connect(this);
  }

  add(member: PushMember): void {
    let bucket = this.#byHead.get(member.frame.head);
    if (bucket === undefined) {
      bucket = new Set();
      this.#byHead.set(member.frame.head, bucket);
    }
    bucket.add(member);
    this.#size++;
  }

  remove(member: PushMember): void {
    const bucket = this.#byHead.get(member.frame.head);
    if (bucket === undefined || !bucket.delete(member)) return;
    if (bucket.size === 0) this.#byHead.delete(member.frame.head);
    if (--this.#size === 0) this.#close();
  }

  #close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#disconnect?.();
    this.#onClose(this);
  }

  next(value: unknown, sequence: number, mark?: NotificationMark): void {
    if (this.#ended || this.#settling) return;
    this.#runner.push({ value, sequence, mark: hasMark(mark) ? mark : undefined });
  }

  /** For the runner: one notification's execution. */
  runStep(item: ExecutionItem): Promise<void> | undefined {
    return this.#run(item.value, item.sequence, item.mark);
  }

  /** For the runner: how many notifications may wait behind an async execution. */
  get waitLimit(): number {
    return this.#source?.queueLimit ?? Number.POSITIVE_INFINITY;
  }

  /** For the runner: a notification dropped behind an async execution, counted. */
  stepDropped(item: ExecutionItem): void {
    this.#source?.recordDropped(1);
    this.notDelivered(item.sequence, 'dropped');
  }

  /** Notification `sequence` will not come (SKIP, or dropped behind an async step): counted for its members. */
  notDelivered(sequence: number, outcome: 'skipped' | 'dropped'): void {
    for (const bucket of this.#byHead.values()) {
      for (const member of bucket) if (member.since < sequence) member.count(outcome);
    }
  }

  /**
   * The server shuts down (`close()`): takes no more notifications, and resolves once those
   * it holds (an async resolver or `execute` still running, and what waits behind it) were
   * executed and handed to the members' outboxes. Later ones are for the server the clients
   * reconnect to.
   */
  settle(): Promise<void> {
    this.#settling = true;
    return new Promise((resolve) => this.#runner.whenIdle(resolve));
  }

  end(reason: UnsubscribeReason, error?: unknown): void {
    // Closed to newcomers at once (a subscriber arriving now gets a new execution on a live
    // source); the current members end after what is still being executed for them.
    this.#close();
    const finish = () => {
      for (const member of this.#members()) member.sourceEnded(reason, error);
    };
    this.#runner.whenIdle(finish);
  }

  /**
   * One notification. A shared execution (`share`) runs inside a CONSUMER span of its own: one
   * per notification for all its members, a child of the received broadcast's span.
   */
  #run(value: unknown, sequence: number, mark: NotificationMark | undefined): Promise<void> | undefined {
    const span =
      this.key === undefined ? undefined : this.#scope.telemetry.sharedExecutionSpan(this.#source?.channel, this.#size);
    if (span === undefined) return this.#execute(value, sequence, mark);
    this.#span = span;
    const running = runInSpan(span, () => this.#execute(value, sequence, mark));
    const finish = () => {
      this.#span = undefined;
      span.end();
    };
    if (running === undefined) finish();
    else void running.then(finish);
    return running;
  }

  #execute(value: unknown, sequence: number, mark: NotificationMark | undefined): Promise<void> | undefined {
    const autoKey = this.#autoKey;
    if (autoKey !== undefined) {
      // Another subscriber of the same document got this very value in this fan-out: same bytes.
      const shared = this.#scope.memo.get(value, autoKey);
      if (shared !== undefined) {
        this.#deliverBody(shared.body, sequence, shared, mark);
        return undefined;
      }
    }
    this.#scope.counts.results++;
    let result: ExecutionResult<unknown> | Promise<ExecutionResult<unknown>> | undefined;
    try {
      result =
        this.#projection?.(value, this.#args.variableValues ?? undefined) ??
        this.#scope.execute({ ...this.#args, rootValue: value });
    } catch (error) {
      this.#failAll(error, sequence);
      return undefined;
    }
    if (!isThenable(result)) {
      this.#deliver(result, sequence, value, mark);
      return undefined;
    }
    return result.then(
      (settled) => this.#deliver(settled, sequence, undefined, mark),
      (error: unknown) => this.#failAll(error, sequence),
    );
  }

  /** `value`: the value executed synchronously, when the body may be shared within this fan-out. */
  #deliver(
    result: ExecutionResult<unknown>,
    sequence: number,
    value: unknown,
    mark: NotificationMark | undefined,
  ): void {
    if (this.#size === 0) return;
    let body: string;
    try {
      body = JSON.stringify(this.#scope.formatResult(result));
    } catch (error) {
      this.#failAll(error, sequence);
      return;
    }
    const shared =
      this.#autoKey !== undefined && value !== undefined ? this.#scope.memo.set(value, this.#autoKey, body) : undefined;
    this.#deliverBody(body, sequence, shared, mark);
  }

  /**
   * `shared`: this body's entry in the fan-out's memo, with the frames already built from it
   * (automatic sharing: subscribers with the same id on other connections get the very same bytes).
   * `mark`: the cursor (and gap) of a retaining channel's notification, added to the body
   * here, after sharing: subscribers who share a body may stand at different cursors.
   */
  #deliverBody(
    body: string,
    sequence: number,
    shared: SharedResult | undefined,
    mark: NotificationMark | undefined,
  ): void {
    if (this.#size === 0) return;
    if (mark !== undefined) {
      body = markBody(body, mark);
      shared = undefined;
    }
    for (const bucket of this.#byHead.values()) {
      // One frame per head, built (by the protocol's frame) only if a member of the bucket takes it.
      let frame: Buffer | undefined;
      for (const member of bucket) {
        // Joined after this notification arrived: it is not this member's to get.
        if (member.since >= sequence) continue;
        if (frame === undefined) {
          frame = shared === undefined ? undefined : frameOf(shared, member.frame.head);
          if (frame === undefined) {
            frame = member.frame.build(body);
            if (shared !== undefined) keepFrame(shared, member.frame.head, frame);
          }
        }
        member.deliver(frame);
      }
    }
  }

  /**
   * Execution itself failed (not a field error): the subscriptions this notification was for
   * end with the error. Members who joined after it arrived are not concerned.
   */
  #failAll(error: unknown, sequence: number): void {
    if (this.#span !== undefined) recordFailure(this.#span, error);
    this.#scope.logFailure('A shared subscription execution failed.', { key: this.key, error });
    for (const member of this.#members()) if (member.since < sequence) member.fail(error);
  }

  #members(): PushMember[] {
    const all: PushMember[] = [];
    for (const bucket of this.#byHead.values()) for (const member of bucket) all.push(member);
    return all;
  }
}

/** One notification on its way through an execution's runner. */
interface ExecutionItem {
  readonly value: unknown;
  readonly sequence: number;
  readonly mark: NotificationMark | undefined;
}

/** How a {@link SharedExecution} runs, decided once per document by {@link SharedExecutions}. */
interface ExecutionPlan {
  readonly autoKey?: string | undefined;
  readonly projection?: Projection | undefined;
}

/**
 * The server's shared executions, by key. A key joins everything two members'
 * results depend on: the shared source's key (field, groups, arguments, share
 * key), the document, the operation name and the variables.
 */
export class SharedExecutions {
  readonly #scope: ExecutionScope;
  readonly #byKey = new Map<string, SharedExecution>();
  /** Each schema's part of the keys: with a `schema` per operation, two tenants never share (same text, other schema). */
  readonly #schemaKeys = new WeakMap<GraphQLSchema, string>();
  #schemaKeyCount = 0;
  /**
   * The automatic sharing keys of executions of their own, each held once. A key carries the
   * query text: a copy per subscription would cost it a few hundred bytes (S4).
   */
  readonly #autoKeys = new Map<string, { readonly key: string; holders: number }>();

  /** Automatic sharing keys held (for tests: one per distinct key in use, none once their subscribers left). */
  get autoKeysHeld(): number {
    return this.#autoKeys.size;
  }

  /** Notification results computed so far, projected or executed (for benchmarks and tests). */
  get resultsComputed(): number {
    return this.#scope.counts.results;
  }

  constructor(scope: ExecutionScope) {
    this.#scope = scope;
  }

  /**
   * The execution a new member joins: an existing one for its key, or a new
   * one connected to `source`. A source without a share key always gets its own.
   */
  executionFor(source: PushSource, args: ExecutionArgs, query: string): SharedExecution {
    const shareKey = source.shareKey;
    const key = shareKey === undefined ? undefined : executionKey(shareKey, this.#schemaKey(args.schema), query, args);
    if (key === undefined) {
      const plan = this.#plan(args, query, true);
      const autoKey = plan.autoKey === undefined ? undefined : this.#holdAutoKey(plan.autoKey);
      const own = new SharedExecution(undefined, args, this.#scope, this.#releaseAutoKey, { ...plan, autoKey });
      own.connect(source);
      return own;
    }
    const existing = this.#byKey.get(key);
    if (existing !== undefined) return existing;
    const plan = this.#plan(args, query, false);
    const created = new SharedExecution(
      key,
      args,
      this.#scope,
      (execution) => {
        if (this.#byKey.get(key) === execution) this.#byKey.delete(key);
      },
      plan,
    );
    created.connect(source);
    this.#byKey.set(key, created);
    return created;
  }

  /** The held copy of an automatic sharing key: the first one made, shared by every execution with that key. */
  #holdAutoKey(made: string): string {
    let held = this.#autoKeys.get(made);
    if (held === undefined) {
      held = { key: made, holders: 0 };
      this.#autoKeys.set(made, held);
    }
    held.holders++;
    return held.key;
  }

  /** An execution of its own closed: the last one with its automatic sharing key lets the key go. */
  readonly #releaseAutoKey = (execution: SharedExecution): void => {
    const key = execution.autoKey;
    if (key === undefined) return;
    const held = this.#autoKeys.get(key);
    if (held !== undefined && --held.holders === 0) this.#autoKeys.delete(key);
  };

  #schemaKey(schema: GraphQLSchema): string {
    let key = this.#schemaKeys.get(schema);
    if (key === undefined) {
      key = String(this.#schemaKeyCount++);
      this.#schemaKeys.set(schema, key);
    }
    return key;
  }

  /**
   * How an execution runs: its automatic sharing key (a subscriber's own execution, when the
   * selection is context-free) and its projection (when it only copies properties).
   */
  #plan(args: ExecutionArgs, query: string, own: boolean): ExecutionPlan {
    const { autoShare, project } = this.#scope;
    if (!(project || (own && autoShare))) return {};
    const operation = getOperationAST(args.document, args.operationName);
    if (operation === null || operation === undefined) return {};
    return {
      autoKey:
        own && autoShare && isContextFree(args.schema, args.document, operation)
          ? executionKey('', this.#schemaKey(args.schema), query, args)
          : undefined,
      projection: project ? projectionFor(args.schema, args.document, operation) : undefined,
    };
  }
}

/**
 * The key of a shared execution, or `undefined` when the variables cannot be
 * written as JSON (nested deeper than `JSON.stringify` can go, a client's
 * attack): such a member gets an execution of its own, which is always
 * correct. Never throws: it runs while a source is being handed over, where a
 * throw would leave the source open.
 */
function executionKey(shareKey: string, schemaKey: string, query: string, args: ExecutionArgs): string | undefined {
  try {
    return JSON.stringify([shareKey, schemaKey, query, args.operationName ?? null, args.variableValues ?? null]);
  } catch {
    return undefined;
  }
}
