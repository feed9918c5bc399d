import type { SubscribePayload, WireError, WireResult } from '@gqlcast/core/protocol';
import type { NotificationFrame } from '../frames.js';
import type { Connection, ResolvedOptions } from '../options.js';
import type { Outbox } from '../outbox.js';
import type { OperationSink } from './registry.js';

/**
 * The sink with `onNext`, `onError` and `onComplete` around it: what the
 * client receives for an operation passes here, with the request it answers.
 * Made only when one of the hooks is set; otherwise the registry writes to
 * the protocol's sink directly.
 */
export class HookedSink implements OperationSink {
  readonly #inner: OperationSink;
  readonly #options: ResolvedOptions;
  readonly #connection: Connection<object>;
  /** The request of each operation still running, for the hooks. */
  readonly #requests = new Map<string, SubscribePayload>();

  constructor(inner: OperationSink, options: ResolvedOptions, connection: Connection<object>) {
    this.#inner = inner;
    this.#options = options;
    this.#connection = connection;
  }

  get outbox(): Outbox {
    return this.#inner.outbox;
  }

  /** An operation starts: its request is kept until it ends. */
  started(id: string, payload: SubscribePayload): void {
    this.#requests.set(id, payload);
  }

  /** An operation ended, for whatever reason: `onComplete` runs once. */
  ended(id: string): void {
    const payload = this.#requests.get(id);
    if (payload === undefined) return;
    this.#requests.delete(id);
    const onComplete = this.#options.onComplete;
    if (onComplete === undefined) return;
    try {
      onComplete(this.#connection, id, payload);
    } catch (error) {
      this.#options.logger.error(`onComplete failed for operation ${id}.`, { operationId: id, error });
    }
  }

  next(id: string, result: WireResult, kind?: 'confirmation'): void {
    const onNext = this.#options.onNext;
    const payload = this.#requests.get(id);
    // The confirmation is the protocol's, not a result: it is sent as it is.
    if (onNext === undefined || payload === undefined || kind === 'confirmation') {
      this.#inner.next(id, result, kind);
      return;
    }
    let sent = result;
    try {
      sent = onNext(this.#connection, id, payload, result) ?? result;
    } catch (error) {
      // A hook that throws must not cost the client its result: the original is sent.
      this.#options.logger.error(`onNext failed for operation ${id}; the result was sent as it was.`, {
        operationId: id,
        error,
      });
    }
    this.#inner.next(id, sent);
  }

  fail(id: string, errors: readonly WireError[], kind: 'invalid' | 'refused'): void {
    const onError = this.#options.onError;
    const payload = this.#requests.get(id);
    let sent = errors;
    if (onError !== undefined && payload !== undefined) {
      try {
        sent = onError(this.#connection, id, payload, errors) ?? errors;
      } catch (error) {
        this.#options.logger.error(`onError failed for operation ${id}; the errors were sent as they were.`, {
          operationId: id,
          error,
        });
      }
    }
    this.#inner.fail(id, sent, kind);
    this.ended(id);
  }

  complete(id: string): void {
    this.#inner.complete(id);
    this.ended(id);
  }

  notificationFrame(id: string): NotificationFrame {
    return this.#inner.notificationFrame(id);
  }
}
