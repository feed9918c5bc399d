import { returnWithReason, type UnsubscribeReason } from '@gqlcast/core';
import type { SubscribePayload, WireError, WireResult } from '@gqlcast/core/protocol';
import { isPushField, type PublishCall, type PushOffer, type PushSource, pushOfferKey } from '@gqlcast/core/push';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { type DocumentCache, declaredVariables } from './documents.js';
import { ServerErrorCode as Codes, type ServerErrorCode, withCode } from './error-codes.js';
import { createSourceEventStream } from './graphql-compat.js';
import type { Connection, ExecuteFunction, ResolvedOptions } from './options.js';
import type { SharedExecutions } from './push-execution.js';
import { type MemberHost, PushMember } from './push-member.js';
import { TokenBucket } from './rate-limit.js';
import { toWireResult } from './wire-result.js';

/**
 * How a protocol turns operation events into messages. Each protocol
 * implements it; the operation registry below never knows which one it talks.
 */
export interface OperationSink {
  /** A result: a query's result, a notification, or the confirmation. */
  next(id: string, result: WireResult): void;
  /**
   * The operation cannot run. `invalid`: the request itself is wrong (syntax,
   * validation, unknown operation); `refused`: the server declined it
   * (`onOperation`, limits) or failed.
   */
  fail(id: string, errors: readonly WireError[], kind: 'invalid' | 'refused'): void;
  /** The operation ended on the server's side (query answered, stream ended). */
  complete(id: string): void;
  /** Resolves when the socket can take more (backpressure); undefined when it can now. */
  drained(): Promise<void> | undefined;
  /** The start of a notification message for `id`, up to its payload (push path, built once per subscription). */
  notificationPrefix(id: string): string;
  /** Writes one complete, already serialized message of operation `id`. */
  write(id: string, frame: Buffer): void;
}

interface Operation {
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
  /** The schema to execute against (with middleware applied). */
  readonly schema: GraphQLSchema;
  readonly documents: DocumentCache;
  readonly executions: SharedExecutions;
  /** The middleware around push fields' `publish`; `undefined` without middleware. */
  readonly wrapPublish: ((publish: PublishCall) => PublishCall) | undefined;
}

/**
 * The operations of one connection. An id is reserved before the first
 * `await`, so a duplicate or an early `complete` is seen while the operation
 * is still starting; after every `await` the operation is re-checked, because
 * the client may have completed it meanwhile; nothing is sent after `done`.
 */
export class OperationRegistry implements MemberHost {
  readonly #scope: OperationScope;
  readonly #connection: Connection<object>;
  readonly #sink: OperationSink;
  readonly #operations = new Map<string, Operation>();
  /**
   * Operations still starting (parsing, hooks, `subscribe()`), with their record: `stopAll` waits
   * for subscriptions. Made on first use and dropped when empty: most of the time nothing starts.
   */
  #starting: Map<Promise<void>, Operation> | undefined;
  #subscriptions = 0;
  /** What the subscriptions holding a slot retain, by the length of the messages that started them. */
  #retained = 0;
  /** Milliseconds this connection may spend parsing and validating new documents (`validationBudget`). */
  readonly #validationBudget: TokenBucket | undefined;

  constructor(scope: OperationScope, connection: Connection<object>, sink: OperationSink) {
    this.#scope = scope;
    this.#connection = connection;
    this.#sink = sink;
    const budget = scope.options.validationBudget;
    this.#validationBudget = budget === undefined ? undefined : new TokenBucket(budget.milliseconds, budget.interval);
  }

  has(id: string): boolean {
    return this.#operations.has(id);
  }

  /**
   * Runs an operation. Resolves once it has *started*: a query or mutation when
   * answered, a subscription once active (and confirmed). Never rejects.
   */
  async start(id: string, payload: SubscribePayload, frameLength = 0): Promise<void> {
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
    };
    this.#operations.set(id, operation);
    const started = this.#run(operation, payload);
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

  async #run(operation: Operation, payload: SubscribePayload): Promise<void> {
    const id = operation.id;
    const { options } = this.#scope;
    const sink = this.#sink;
    const connection = this.#connection;
    try {
      const prepared = this.#scope.documents.prepare(payload.query, payload.operationName, this.#validationBudget);
      if (!prepared.ok) {
        this.#release(operation);
        sink.fail(id, this.#formatErrors(prepared.errors, Codes.InvalidOperation), 'invalid');
        return;
      }
      if (prepared.operation.operation === 'subscription') {
        if (this.#subscriptions >= options.maxSubscriptionsPerConnection) {
          this.#release(operation);
          const message =
            `Too many subscriptions on this connection (limit ${options.maxSubscriptionsPerConnection}): ` +
            'complete some before starting more.';
          sink.fail(id, [{ message, extensions: { code: Codes.TooManySubscriptions } }], 'refused');
          return;
        }
        if (this.#retained + operation.retains > options.maxRetainedBytesPerConnection) {
          this.#release(operation);
          const message =
            `This connection's subscriptions would hold more than ${options.maxRetainedBytesPerConnection} bytes ` +
            '(maxRetainedBytesPerConnection): complete some, or send smaller documents and variables.';
          sink.fail(id, [{ message, extensions: { code: Codes.ConnectionMemoryExceeded } }], 'refused');
          return;
        }
        operation.isSubscription = true;
        operation.holdsSlot = true;
        this.#subscriptions++;
        this.#retained += operation.retains;
      }

      if (options.onOperation !== undefined) {
        try {
          await options.onOperation(connection, id, payload);
        } catch (error) {
          if (operation.state === 'done') return;
          this.#release(operation);
          sink.fail(id, [this.#formatThrown(error, Codes.OperationRefused)], 'refused');
          return;
        }
        if (operation.state === 'done') return;
      }

      // The name the client gave, or the one the document carries.
      const operationName = payload.operationName ?? prepared.operation.name?.value;
      const contextValue = await this.#context(id, payload, operationName);
      if (operation.state === 'done') return;
      const args = {
        schema: this.#scope.schema,
        document: prepared.document,
        operationName: payload.operationName,
        variableValues: declaredVariables(prepared.operation, payload.variables),
        contextValue,
      };
      if (operation.isSubscription) {
        if (this.#isPushField(prepared.operation)) await this.#subscribePush(operation, args, payload.query);
        else await this.#subscribe(operation, args);
      } else await this.#execute(operation, args, payload, operationName);
    } catch (error) {
      this.#scope.options.logger.error(`Operation ${id} failed unexpectedly on connection ${connection.id}.`, {
        connection: connection.id,
        operationId: id,
        error,
      });
      // A source already handed over (push path) must not stay in its shared execution.
      operation.member?.leave('error');
      if (operation.state === 'done') return;
      this.#release(operation);
      sink.fail(id, [this.#formatThrown(error, Codes.OperationRefused)], 'refused');
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
    this.#release(operation);
    if (operation.member !== undefined) {
      operation.member.leave(reason);
      return Promise.resolve();
    }
    const iterator = operation.iterator;
    if (iterator === undefined) return Promise.resolve();
    return this.#return(operation, iterator);
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

  async #context(id: string, payload: SubscribePayload, operationName: string | null | undefined): Promise<unknown> {
    const { options } = this.#scope;
    const connection = this.#connection;
    if (options.context !== undefined) return options.context(connection, { id, payload });
    return {
      connection,
      state: connection.state,
      request: connection.request,
      connectionParams: connection.connectionParams,
      operationId: id,
      operationName,
    };
  }

  async #execute(
    operation: Operation,
    args: ExecutionArgs,
    payload: SubscribePayload,
    operationName: string | null | undefined,
  ): Promise<void> {
    const { options } = this.#scope;
    const sink = this.#sink;
    const connection = this.#connection;
    const started = performance.now();
    const result = await options.execute(args);
    const elapsed = performance.now() - started;
    if (options.slowOperationWarning > 0 && elapsed >= options.slowOperationWarning) {
      options.logger.warn(
        `Slow operation ${operationName ?? '(anonymous)'} (id ${operation.id}) took ${Math.round(elapsed)} ms.`,
        { connection: connection.id, operationId: operation.id, operationName, ms: elapsed },
      );
      options.logger.debug('Slow operation details.', { query: payload.query, variables: payload.variables });
    }
    if (operation.state === 'done') return;
    this.#release(operation);
    sink.next(operation.id, this.#formatResult(result));
    sink.complete(operation.id);
  }

  async #subscribe(
    operation: Operation,
    args: ExecutionArgs,
    source?: AsyncIterator<unknown> & AsyncIterable<unknown>,
  ): Promise<void> {
    const { options } = this.#scope;
    const sink = this.#sink;
    const stream = source ?? (await createSourceEventStream(args));
    const result = isAsyncIterator(stream)
      ? mapSourceToResponse(stream, args, options.execute)
      : (stream as ExecutionResult);
    if (!isAsyncIterator(result)) {
      // Refused before it started (its resolver threw, variables did not coerce): an error, so that
      // a subscription's first `next` is always a result (or, with confirmations, its confirmation).
      if (operation.state === 'done') return;
      this.#release(operation);
      sink.fail(
        operation.id,
        this.#formatErrors((result as ExecutionResult).errors, Codes.OperationRefused),
        'refused',
      );
      return;
    }
    operation.iterator = result;
    if (operation.state === 'done') {
      // Completed while starting: end the stream now, with the reason the stop gave.
      this.#confirmLate(operation);
      await this.#return(operation, result);
      return;
    }
    operation.state = 'running';
    // The stream is active (gqlcast fields resolve only once their groups are subscribed): confirm first.
    if (options.confirmSubscriptions) sink.next(operation.id, options.confirmationMessage);
    this.#pump(operation, result).catch((error: unknown) => {
      options.logger.error(`Subscription ${operation.id} could not report its failure.`, { error });
    });
  }

  /** Whether the operation's root field takes the push offer (a `@gqlcast/pothos` field, selected plainly). */
  #isPushField(definition: OperationDefinitionNode): boolean {
    const selections = definition.selectionSet.selections;
    const node = selections[0];
    // Fragments or directives at the root: graphql-js's own path handles them.
    if (selections.length !== 1 || node?.kind !== Kind.FIELD || (node.directives?.length ?? 0) > 0) return false;
    const field = this.#scope.schema.getSubscriptionType()?.getFields()[node.name.value];
    return isPushField(field?.extensions);
  }

  /**
   * The push path: the field hands over its source, already subscribed; the
   * subscription joins the shared execution of its key (or gets its own), and
   * from then on each notification is executed, serialized and written
   * synchronously, once per shared execution.
   */
  async #subscribePush(operation: Operation, args: ExecutionArgs, query: string): Promise<void> {
    const { options } = this.#scope;
    const sink = this.#sink;
    const offer = new Offer(this.#scope.wrapPublish, (source) => {
      if (operation.state === 'done') {
        // Completed while `subscribe` ran: the source ends now, with the reason the stop gave.
        source.end(operation.reason);
        return;
      }
      const execution = this.#scope.executions.executionFor(source, args, query);
      operation.member = new PushMember(operation.id, sink.notificationPrefix(operation.id), source, execution, this);
    });
    const result = await createSourceEventStream({ ...args, rootValue: offer });
    const member = operation.member;
    if (member !== undefined && !isAsyncIterator(result)) {
      // Accepted, then its groups could not be subscribed: the field reports the error.
      member.leave('error');
      operation.member = undefined;
    }
    if (operation.member === undefined) {
      if (operation.state === 'done') {
        // Stopped while starting, and its source was already ended: accepted all the same if it has a stream.
        if (isAsyncIterator(result)) this.#confirmLate(operation);
        return;
      }
      if (isAsyncIterator(result)) {
        // Another plugin replaced the field's stream: pull it, as graphql-js would.
        await this.#subscribe(operation, args, result);
        return;
      }
      this.#release(operation);
      sink.fail(
        operation.id,
        this.#formatErrors((result as ExecutionResult).errors, Codes.OperationRefused),
        'refused',
      );
      return;
    }
    if (member === undefined) return;
    if (operation.state === 'done') {
      this.#confirmLate(operation);
      member.leave(operation.reason);
      return;
    }
    operation.state = 'running';
    // Confirmation first: notifications that arrived meanwhile wait in the member until it is sent.
    if (options.confirmSubscriptions) sink.next(operation.id, options.confirmationMessage);
    member.activate();
  }

  // MemberHost: the registry is the host of all its members (one object per connection, not a set
  // of closures per subscription).

  write(id: string, frame: Buffer): void {
    this.#sink.write(id, frame);
  }

  drained(): Promise<void> | undefined {
    return this.#sink.drained();
  }

  ended(member: PushMember, reason: UnsubscribeReason, error: unknown): void {
    const operation = this.#operations.get(member.id);
    // Already done (completed, or its id reused by a later operation): nothing more to send.
    if (operation?.member !== member) return;
    const { options } = this.#scope;
    const connection = this.#connection;
    this.#release(operation);
    if (error === undefined) this.#sink.complete(operation.id);
    else this.#sink.fail(operation.id, [this.#formatThrown(error, Codes.SubscriptionFailed)], 'refused');
    if (reason === 'error') {
      options.logger.error(`Subscription ${operation.id} failed on connection ${connection.id}.`, {
        connection: connection.id,
        operationId: operation.id,
        error,
      });
    }
  }

  async #pump(operation: Operation, iterator: AsyncIterator<ExecutionResult<unknown>>): Promise<void> {
    const { options } = this.#scope;
    const sink = this.#sink;
    const connection = this.#connection;
    try {
      for (;;) {
        const item = await iterator.next();
        // graphql-transport-ws: nothing for an id after its completion.
        if (operation.state === 'done') return;
        if (item.done) break;
        sink.next(operation.id, this.#formatResult(item.value));
        const drained = sink.drained();
        if (drained !== undefined) await drained;
      }
      // The stream ended on the server's side (e.g. channel.unsubscribe): tell the client.
      this.#release(operation);
      sink.complete(operation.id);
    } catch (error) {
      // The stream may still hold its source: end it (with reason `error`) so nothing leaks.
      void this.#return({ ...operation, reason: 'error' }, iterator);
      if (operation.state === 'done') return;
      options.logger.error(`Subscription ${operation.id} failed on connection ${connection.id}.`, {
        connection: connection.id,
        operationId: operation.id,
        error,
      });
      this.#release(operation);
      sink.fail(operation.id, [this.#formatThrown(error, Codes.SubscriptionFailed)], 'refused');
    }
  }

  #return(operation: Operation, iterator: AsyncIterator<ExecutionResult<unknown>>): Promise<void> {
    return returnWithReason(iterator, operation.reason).then(
      () => undefined,
      (error: unknown) => {
        this.#scope.options.logger.warn(`Ending subscription ${operation.id} failed.`, { error });
      },
    );
  }

  /** An accepted subscription stopped while starting, on a protocol that answers the stop: confirmed first. */
  #confirmLate(operation: Operation): void {
    const { options } = this.#scope;
    if (operation.confirmIfAccepted && options.confirmSubscriptions) {
      this.#sink.next(operation.id, options.confirmationMessage);
    }
  }

  /** Frees the id at once: nothing more is sent for it, and it may be reused. */
  #release(operation: Operation): void {
    if (operation.state === 'done') return;
    operation.state = 'done';
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

  #formatResult(result: ExecutionResult<unknown>): WireResult {
    return toWireResult(result, this.#scope.options.formatError);
  }

  /** Errors that end or refuse an operation, each with its `extensions.code` (docs/errors.md). */
  #formatErrors(errors: readonly GraphQLError[] | undefined, code: ServerErrorCode): WireError[] {
    const { formatError } = this.#scope.options;
    return (errors ?? []).map((error) => formatError(withCode(error, code)) as WireError);
  }

  #formatThrown(error: unknown, code: ServerErrorCode): WireError {
    const graphqlError =
      error instanceof GraphQLError
        ? error
        : new GraphQLError(error instanceof Error ? error.message : String(error), {
            originalError: error instanceof Error ? error : undefined,
          });
    return this.#scope.options.formatError(withCode(graphqlError, code)) as WireError;
  }
}

function hasStream(operation: Operation): boolean {
  return operation.iterator !== undefined || operation.member !== undefined;
}

/**
 * What graphql-js's `subscribe` does with a source stream: executes each event.
 * `return()` reaches the source synchronously, so `returnWithReason` still works.
 */
function mapSourceToResponse(
  source: AsyncIterator<unknown>,
  args: ExecutionArgs,
  execute: ExecuteFunction,
): AsyncIterableIterator<ExecutionResult<unknown>> {
  const done = (): Promise<IteratorResult<ExecutionResult<unknown>>> =>
    Promise.resolve({ done: true, value: undefined });
  const mapped: AsyncIterableIterator<ExecutionResult<unknown>> = {
    async next() {
      const item = await source.next();
      if (item.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await execute({ ...args, rootValue: item.value }) };
      } catch (error) {
        // As graphql-js does: a failed mapping ends the source, so its `unsubscribed` runs (reason `error`).
        await returnWithReason(source, 'error');
        throw error;
      }
    },
    return: () =>
      source.return === undefined ? done() : source.return().then(() => ({ done: true, value: undefined })),
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}

function isAsyncIterator(
  value: unknown,
): value is AsyncIterator<ExecutionResult<unknown>> & AsyncIterable<ExecutionResult> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
}

/**
 * The root value a push field sees. graphql-js keeps it (as `info.rootValue`)
 * for as long as the field's source lives, so once accepted it lets go of the
 * operation it was made for.
 */
class Offer implements PushOffer {
  declare readonly [pushOfferKey]: true;
  readonly wrapPublish: ((publish: PublishCall) => PublishCall) | undefined;
  #start: ((source: PushSource) => void) | undefined;

  constructor(wrapPublish: ((publish: PublishCall) => PublishCall) | undefined, start: (source: PushSource) => void) {
    this.wrapPublish = wrapPublish;
    this.#start = start;
  }

  accept(source: PushSource): void {
    const start = this.#start;
    if (start === undefined) throw new Error('A push offer was accepted twice.');
    this.#start = undefined;
    start(source);
  }
}
Object.defineProperty(Offer.prototype, pushOfferKey, { value: true });
