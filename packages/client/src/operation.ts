import type { DocumentNode } from 'graphql';
import { deferred } from './deferred.js';
import { ConnectionClosedError } from './errors.js';
import { operationType } from './operation-type.js';
import { printDocument } from './print.js';
import { ResultStream } from './result-stream.js';
import type { ClientResult, OperationRequest } from './types.js';

/** One operation of a client: its start frame, its answer (execute) or stream and `ready` (subscribe). */
export interface Operation {
  readonly id: string;
  readonly kind: 'execute' | 'subscribe';
  /**
   * The start message; after a reconnection, with `extensions.gqlcast.resumeFrom`
   * set to `cursor` when there is one.
   */
  frame(): string;
  /** The cursor of the last result handed to the application (resumable subscriptions). */
  cursor: string | undefined;
  /** A subscription operation on a confirming server: its first result is the confirmation. */
  readonly confirmable: boolean;
  /** Sent on the current connection. */
  sent: boolean;
  /** The confirmation of the current connection was consumed. */
  confirmed: boolean;
  readonly stream: ResultStream<ClientResult<unknown>> | undefined;
  /** An execute's answer. */
  readonly settled: Promise<ClientResult<unknown>>;
  settle(result: ClientResult<unknown>): void;
  fail(error: unknown): void;
  /** A subscription's `ready`. */
  readonly ready: Promise<ClientResult<unknown> | undefined>;
  /** Resolves (or rejects) `ready`, once. */
  settleReady(value: ClientResult<unknown> | undefined, error?: unknown): void;
}

/**
 * Builds an operation. Its start frame is serialised now, so variables that
 * cannot be (a BigInt) fail at the call. `onStop` runs when the user stops a
 * subscription (`complete()`, `return()`, `break`).
 */
export function createOperation(
  id: string,
  kind: Operation['kind'],
  request: OperationRequest<unknown, unknown>,
  startWord: string,
  onStop: (operation: Operation) => void,
): Operation {
  const document: DocumentNode | undefined = typeof request.query === 'string' ? undefined : request.query;
  // JSON leaves out what is `undefined`.
  const payload: Record<string, unknown> = {
    query: document ? printDocument(document) : request.query,
    variables: request.variables,
    operationName: request.operationName,
    extensions: request.extensions,
  };
  const message = { id, type: startWord, payload };
  // Serialised now, so variables that cannot be (a BigInt) fail at the call.
  JSON.stringify(message);
  const settled = deferred<ClientResult<unknown>>();
  const ready = deferred<ClientResult<unknown> | undefined>();
  // `ready` may be ignored; its failure also ends the iterator, so it is never "unhandled".
  ready.promise.catch(() => undefined);
  const stream =
    kind === 'subscribe'
      ? new ResultStream<ClientResult<unknown>>(() => {
          onStop(operation);
          operation.settleReady(undefined, new ConnectionClosedError(1000, 'The subscription was completed'));
        })
      : undefined;
  const operation: Operation = {
    id,
    kind,
    frame() {
      const resumeFrom = operation.cursor;
      // The application's own extensions (its `gqlcast` ones too) are kept; the cursor is added.
      const extensions = request.extensions as { gqlcast?: object } | undefined;
      if (resumeFrom !== undefined)
        payload.extensions = { ...extensions, gqlcast: { ...extensions?.gqlcast, resumeFrom } };
      return JSON.stringify(message);
    },
    cursor: undefined,
    confirmable: kind === 'subscribe' && isSubscription(document ?? String(request.query), request.operationName),
    sent: false,
    confirmed: false,
    stream,
    settled: settled.promise,
    settle: stream ? () => stream.end() : settled.resolve,
    fail: stream
      ? (error) => {
          operation.settleReady(undefined, error);
          stream.end({ value: error });
        }
      : settled.reject,
    ready: ready.promise,
    settleReady(value, error) {
      // A promise settles once: later calls change nothing.
      if (error === undefined) ready.resolve(value);
      else ready.reject(error);
    },
  };
  return operation;
}

/** Whether the operation to run is a subscription; text whose type cannot be told counts as one (the server will say why). */
function isSubscription(query: string | DocumentNode, operationName: string | undefined): boolean {
  const type = operationType(query, operationName);
  return type !== 'query' && type !== 'mutation';
}
