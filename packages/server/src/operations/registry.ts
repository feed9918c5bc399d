import type { UnsubscribeReason } from '@gqlcast/core';
import type { SubscribePayload, WireError, WireResult } from '@gqlcast/core/protocol';
import type { PublishCall } from '@gqlcast/core/push';
import { runInSpan, type TelemetrySpan } from '@gqlcast/core/telemetry';
import { type ExecutionResult, GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { type DocumentCache, declaredVariables } from '../documents.js';
import { ServerErrorCode as Codes, type ServerErrorCode, withCode } from '../error-codes.js';
import type { NotificationFrame } from '../frames.js';
import type { Connection, ResolvedOptions } from '../options.js';
import type { Outbox } from '../outbox.js';
import type { SharedExecutions } from '../push-execution.js';
import type { MemberHost, PushMember } from '../push-member.js';
import { TokenBucket } from '../rate-limit.js';
import type { SchemaSource } from '../schema-source.js';
import type { ServerTelemetry } from '../server-telemetry.js';
import { toWireResult } from '../wire-result.js';
import { contextFor, executeOperation } from './execute.js';
import { HookedSink } from './hooked-sink.js';
import { decide, schemaFor } from './request.js';
import { startSubscription } from './start-subscription.js';
import { endStream } from './subscribe.js';
import { describeOperation, endOperationSpan, startOperationSpan } from './telemetry.js';

/**
 * How a protocol turns operation events into messages. Each protocol
 * implements it; the operation registry below never knows which one it talks.
 */
export interface OperationSink {
  /** A result: a query's result, a notification, or (`confirmation`) the subscription's confirmation. */
  next(id: string, result: WireResult, kind?: 'confirmation'): void;
  /**
   * The operation cannot run. `invalid`: the request itself is wrong (syntax,
   * validation, unknown operation); `refused`: the server declined it
   * (`onOperation`, limits) or failed.
   */
  fail(id: string, errors: readonly WireError[], kind: 'invalid' | 'refused'): void;
  /** The operation ended on the server's side (query answered, stream ended). */
  complete(id: string): void;
  /** How the protocol frames a push notification of `id` (the whole frame, built once per serialized result). */
  notificationFrame(id: string): NotificationFrame;
  /** The connection's outbox: push members write to it, the pull path waits for its drain. */
  readonly outbox: Outbox;
}

/** One operation of a connection, from its `subscribe`/`start` until nothing more may be sent for it. */
export interface Operation {
  readonly id: string;
  /** Holds a subscription slot (`maxSubscriptionsPerConnection`) until its stream is really over. */
  holdsSlot: boolean;
  /** The length of the message that started it, counted in `maxRetainedBytesPerConnection` while it holds its slot. */
  readonly retains: number;
  /** preparing: not yet executing; running: a subscription streaming; done: nothing more may be sent. */
  state: 'preparing' | 'running' | 'done';
  isSubscription: boolean;
  /** The pull path's stream (graphql-js `subscribe`). */
  iterator: AsyncIterator<ExecutionResult<unknown>> | undefined;
  /** The push path's place in a shared execution (gqlcast fields). */
  member: PushMember | undefined;
  reason: UnsubscribeReason;
  /** Its OpenTelemetry SERVER span, while tracing is on (operations/telemetry.ts). */
  span?: TelemetrySpan | undefined;
  /** A subscription's root field, while it counts in `gqlcast.subscriptions.active`. */
  field?: string | undefined;
  /** Results the pull path sent (the push path counts in its member). */
  pulled: number;
  /** Settles once it started (or was refused); `undefined` once it did. */
  started: Promise<void> | undefined;
  /**
   * Stopped while starting by a protocol that answers the stop (legacy `stop` → `complete`): if it is
   * accepted after all, its confirmation is still sent first, so every accepted subscription's first
   * message is its confirmation.
   */
  confirmIfAccepted: boolean;
}

/** What the registry needs from its server (a `ServerScope` has it all). */
export interface OperationScope {
  readonly options: ResolvedOptions;
  /** Which schema each operation runs against (with middleware applied). */
  readonly schemas: SchemaSource;
  readonly documents: DocumentCache;
  readonly executions: SharedExecutions;
  /** The middleware around push fields' `publish`; `undefined` without middleware. */
  readonly wrapPublish: ((publish: PublishCall) => PublishCall) | undefined;
  /** What the server records for OpenTelemetry. */
  readonly telemetry: ServerTelemetry;
}

/**
 * The operations of one connection: their ids, their lifecycle and the
 * subscription slots. An id is reserved before the first `await`, so a
 * duplicate or an early `complete` is seen while the operation is still
 * starting; after every `await` the operation is re-checked, because the
 * client may have completed it meanwhile; nothing is sent after `done`.
 *
 * How an operation runs is in the modules beside this one: `execute.ts`
 * (queries, mutations), `subscribe.ts` (the pull path, any subscription field)
 * and `push.ts` (gqlcast fields driven by push). They call back into the
 * registry's non-private members below, which are not part of the package API.
 */
export class OperationRegistry implements MemberHost {
  readonly scope: OperationScope;
  readonly connection: Connection<object>;
  readonly sink: OperationSink;
  readonly #operations = new Map<string, Operation>();
  /**
   * Operations still starting (parsing, hooks, `subscribe()`), with their record: `stopAll` waits
   * for subscriptions. Made on first use and dropped when empty: most of the time nothing starts.
   */
  #starting: Map<Promise<void>, Operation> | undefined;
  #subscriptions = 0;
  /** What the subscriptions holding a slot retain, by the length of the messages that started them. */
  #retained = 0;
  /**
   * Milliseconds this connection may spend parsing and validating new documents (`validationBudget`),
   * made when it first sends a document the server has not cached: most never do (S4).
   */
  #validationBudget: TokenBucket | undefined;

  constructor(scope: OperationScope, connection: Connection<object>, sink: OperationSink) {
    this.scope = scope;
    this.connection = connection;
    const { onNext, onError, onComplete } = scope.options;
    this.sink =
      onNext === undefined && onError === undefined && onComplete === undefined
        ? sink
        : new HookedSink(sink, scope.options, connection);
  }

  /** The validation budget, made on first use; `undefined` when `validationBudget` is off. */
  #budget(): TokenBucket | undefined {
    const budget = this.scope.options.validationBudget;
    if (budget === undefined) return undefined;
    this.#validationBudget ??= new TokenBucket(budget.milliseconds, budget.interval);
    return this.#validationBudget;
  }

  has(id: string): boolean {
    return this.#operations.has(id);
  }

  /**
   * Runs an operation. Resolves once it has *started*: a query or mutation when
   * answered, a subscription once active (and confirmed). Never rejects.
   */
  async start(id: string, payload: SubscribePayload, frameLength = 0): Promise<void> {
    if (this.sink instanceof HookedSink) this.sink.started(id, payload);
    const operation: Operation = {
      id,
      holdsSlot: false,
      retains: frameLength,
      state: 'preparing',
      isSubscription: false,
      iterator: undefined,
      member: undefined,
      reason: 'complete',
      started: undefined,
      confirmIfAccepted: false,
      span: startOperationSpan(this.scope.options),
      pulled: 0,
    };
    this.#operations.set(id, operation);
    // Inside its span: what the operation starts (a broadcast in a resolver) is traced as its child.
    const started = runInSpan(operation.span, () => this.#run(operation, payload));
    operation.started = started;
    this.#starting ??= new Map();
    this.#starting.set(started, operation);
    try {
      await started;
    } finally {
      operation.started = undefined;
      this.#starting?.delete(started);
      if (this.#starting?.size === 0) this.#starting = undefined;
      // Refused, or stopped while starting (its stream, if any, was returned): its slot comes back only
      // now, when nothing runs for it any more. Freeing is idempotent.
      if (!hasStream(operation) || operation.state === 'done') this.#freeSlot(operation);
    }
  }

  async #run(operation: Operation, sent: SubscribePayload): Promise<void> {
    const id = operation.id;
    const { options } = this.scope;
    const connection = this.connection;
    try {
      // Without a hook the request is taken as sent, in the same job: a refusal (limits, validation)
      // keeps its place before later messages' answers (a ping's pong).
      const payload = this.scope.options.onSubscribe === undefined ? sent : await decide(this, operation, sent);
      if (payload === undefined) return;
      const chosen = schemaFor(this, operation, payload);
      const schema = chosen instanceof Promise ? await chosen : chosen;
      if (schema === undefined) return;
      // A function, not the budget: a document found in the cache costs no budget, so none is made for it.
      const prepared = this.scope.documents.prepare(schema, payload.query, payload.operationName, () => this.#budget());
      if (!prepared.ok) {
        this.refuse(operation, this.formatErrors(prepared.errors, Codes.InvalidOperation), 'invalid');
        return;
      }
      if (prepared.operation.operation === 'subscription') {
        if (this.#subscriptions >= options.maxSubscriptionsPerConnection) {
          const message =
            `Too many subscriptions on this connection (limit ${options.maxSubscriptionsPerConnection}): ` +
            'complete some before starting more.';
          this.refuse(operation, [{ message, extensions: { code: Codes.TooManySubscriptions } }], 'refused');
          return;
        }
        if (this.#retained + operation.retains > options.maxRetainedBytesPerConnection) {
          const message =
            `This connection's subscriptions would hold more than ${options.maxRetainedBytesPerConnection} bytes ` +
            '(maxRetainedBytesPerConnection): complete some, or send smaller documents and variables.';
          this.refuse(operation, [{ message, extensions: { code: Codes.ConnectionMemoryExceeded } }], 'refused');
          return;
        }
        operation.isSubscription = true;
        operation.holdsSlot = true;
        operation.field = rootFieldOf(prepared.operation);
        if (operation.field !== undefined) this.scope.telemetry.subscriptionCount(operation.field, 1);
        this.#subscriptions++;
        this.#retained += operation.retains;
      }

      if (options.onOperation !== undefined) {
        try {
          await options.onOperation(connection, id, payload);
        } catch (error) {
          if (operation.state === 'done') return;
          this.refuse(operation, [this.formatThrown(error, Codes.OperationRefused)], 'refused');
          return;
        }
        if (operation.state === 'done') return;
      }

      // The name the client gave, or the one the document carries.
      const operationName = payload.operationName ?? prepared.operation.name?.value;
      describeOperation(operation.span, options, prepared.operation.operation, operationName, payload.query);
      const contextValue = await contextFor(this, id, payload, operationName);
      if (operation.state === 'done') return;
      const args = {
        schema,
        document: prepared.document,
        operationName: payload.operationName,
        variableValues: declaredVariables(prepared.operation, payload.variables),
        contextValue,
      };
      if (!operation.isSubscription) await executeOperation(this, operation, args, payload, operationName);
      else await startSubscription(this, operation, args, payload, prepared.operation);
    } catch (error) {
      this.scope.options.logger.error(`Operation ${id} failed unexpectedly on connection ${connection.id}.`, {
        connection: connection.id,
        operationId: id,
        error,
      });
      // A source already handed over (push path) must not stay in its shared execution.
      operation.member?.leave('error');
      if (operation.state === 'done') return;
      this.refuse(operation, [this.formatThrown(error, Codes.OperationRefused)], 'refused');
    }
  }

  /**
   * Stops an operation on the client's request, a disconnect or a shutdown.
   * Returns whether it was running (an unknown id is not an error: it may have
   * just finished).
   */
  stop(id: string, reason: UnsubscribeReason): Promise<void> | undefined {
    const operation = this.#operations.get(id);
    if (operation === undefined) return undefined;
    operation.reason = reason;
    if (this.sink instanceof HookedSink) this.sink.ended(id);
    this.release(operation);
    if (operation.member !== undefined) {
      operation.member.leave(reason);
      return Promise.resolve();
    }
    const iterator = operation.iterator;
    if (iterator === undefined) return Promise.resolve();
    return endStream(this, operation, iterator);
  }

  /**
   * The legacy `stop`: stops the operation and resolves once whatever it still sends was sent (a
   * subscription still starting is confirmed first if it turns out accepted), so the protocol's
   * `complete` comes last. `undefined`: no such operation.
   */
  stopAnswered(id: string): Promise<void> | undefined {
    const operation = this.#operations.get(id);
    if (operation === undefined) return undefined;
    const started = operation.started;
    operation.confirmIfAccepted = true;
    void this.stop(id, 'complete');
    return started ?? Promise.resolve();
  }

  /**
   * Stops every operation and waits for subscriptions still starting (so one
   * completed while its `subscribe()` ran is ended, and its `unsubscribed` ran).
   * The `return()` of a running stream is not awaited: a foreign async generator
   * may never settle it, and gqlcast streams end synchronously inside the call.
   */
  async stopAll(reason: UnsubscribeReason): Promise<void> {
    for (const id of [...this.#operations.keys()]) void this.stop(id, reason);
    // Queries and mutations are not waited for: a resolver that never returns must not hold a shutdown.
    const subscriptionsStarting = () =>
      [...(this.#starting ?? [])].filter(([, operation]) => operation.isSubscription).map(([started]) => started);
    for (let pending = subscriptionsStarting(); pending.length > 0; pending = subscriptionsStarting()) {
      await Promise.all(pending);
    }
  }

  /**
   * The server shuts down: resolves once the shared executions of this connection's push
   * subscriptions handed what they hold to the outbox (the pull path keeps running until `stopAll`).
   */
  async settle(): Promise<void> {
    await Promise.all([...this.#operations.values()].map((operation) => operation.member?.settle()));
  }

  // MemberHost: the registry is told when a member's source ended by itself (one object per
  // connection, not a closure per subscription).

  ended(member: PushMember, reason: UnsubscribeReason, error: unknown): void {
    const operation = this.#operations.get(member.id);
    // Already done (completed, or its id reused by a later operation): nothing more to send.
    if (operation?.member !== member) return;
    const { options } = this.scope;
    const connection = this.connection;
    const errors = error === undefined ? undefined : [this.formatThrown(error, Codes.SubscriptionFailed)];
    this.release(operation, reason, errors);
    if (errors === undefined) this.sink.complete(operation.id);
    else this.sink.fail(operation.id, errors, 'refused');
    if (reason === 'error') {
      options.logger.error(`Subscription ${operation.id} failed on connection ${connection.id}.`, {
        connection: connection.id,
        operationId: operation.id,
        error,
      });
    }
  }

  // For the modules of operations/ only.

  /** The operation cannot run (or failed): it is over, and the client gets `errors`. */
  refuse(operation: Operation, errors: readonly WireError[], kind: 'invalid' | 'refused'): void {
    const code = errors[0]?.extensions?.code;
    this.scope.telemetry.operationRefused(typeof code === 'string' ? code : 'unknown');
    this.release(operation, 'error', errors);
    this.sink.fail(operation.id, errors, kind);
  }

  /** An accepted subscription stopped while starting, on a protocol that answers the stop: confirmed first. */
  confirmLate(operation: Operation): void {
    const { options } = this.scope;
    if (operation.confirmIfAccepted && options.confirmSubscriptions) {
      this.sink.next(operation.id, options.confirmationMessage, 'confirmation');
    }
  }

  /**
   * Frees the id at once: nothing more is sent for it, and it may be reused. `reason` and
   * `errors` say why it is over (its span records them).
   */
  release(operation: Operation, reason = operation.reason, errors?: readonly WireError[]): void {
    if (operation.state === 'done') return;
    operation.state = 'done';
    if (operation.field !== undefined) {
      this.scope.telemetry.subscriptionCount(operation.field, -1);
      operation.field = undefined;
    }
    endOperationSpan(
      operation.span,
      operation.isSubscription,
      reason,
      errors,
      operation.member?.counts ?? { delivered: operation.pulled },
    );
    if (this.#operations.get(operation.id) === operation) this.#operations.delete(operation.id);
    // A running stream is being returned: its slot is free. One still starting keeps it until it settles.
    if (hasStream(operation)) this.#freeSlot(operation);
  }

  #freeSlot(operation: Operation): void {
    if (!operation.holdsSlot) return;
    operation.holdsSlot = false;
    this.#subscriptions--;
    this.#retained -= operation.retains;
  }

  formatResult(result: ExecutionResult<unknown>): WireResult {
    return toWireResult(result, this.scope.options.formatError);
  }

  /** Errors that end or refuse an operation, each with its `extensions.code` (docs/errors.md). */
  formatErrors(errors: readonly GraphQLError[] | undefined, code: ServerErrorCode): WireError[] {
    const { formatError } = this.scope.options;
    return (errors ?? []).map((error) => formatError(withCode(error, code)) as WireError);
  }

  formatThrown(error: unknown, code: ServerErrorCode): WireError {
    const graphqlError =
      error instanceof GraphQLError
        ? error
        : new GraphQLError(error instanceof Error ? error.message : String(error), {
            originalError: error instanceof Error ? error : undefined,
          });
    return this.scope.options.formatError(withCode(graphqlError, code)) as WireError;
  }
}

/** The root field of a subscription, as the metric names it (an alias is the client's, not the field's). */
function rootFieldOf(definition: OperationDefinitionNode): string | undefined {
  const node = definition.selectionSet.selections[0];
  return node?.kind === Kind.FIELD ? node.name.value : undefined;
}

function hasStream(operation: Operation): boolean {
  return operation.iterator !== undefined || operation.member !== undefined;
}
