import type { DocumentNode } from 'graphql';
import { ConnectionClosedError } from './errors.js';
import { operationType } from './operation-type.js';
import { printDocument } from './print.js';
import { ResultStream } from './result-stream.js';
import type { ClientResult, OperationRequest } from './types.js';

/** One operation of a client: its start frame, its answer (execute) or stream and `ready` (subscribe). */
export interface Operation {
  readonly id: string;
  readonly kind: 'execute' | 'subscribe';
  /** The start message, serialised once. */
  readonly frame: string;
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
  const payload: Record<string, unknown> = { query: document ? printDocument(document) : request.query };
  if (request.variables !== undefined) payload.variables = request.variables;
  if (request.operationName !== undefined) payload.operationName = request.operationName;
  if (request.extensions !== undefined) payload.extensions = request.extensions;
  const frame = JSON.stringify({ id, type: startWord, payload });
  let settle!: Operation['settle'];
  let fail!: Operation['fail'];
  let readyResolve!: (value: ClientResult<unknown> | undefined) => void;
  let readyReject!: (error: unknown) => void;
  let readySettled = false;
  const settled = new Promise<ClientResult<unknown>>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const ready = new Promise<ClientResult<unknown> | undefined>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  // `ready` may be ignored; its failure also ends the iterator, so it is never "unhandled".
  ready.catch(() => undefined);
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
    frame,
    confirmable: kind === 'subscribe' && isSubscription(document ?? String(request.query), request.operationName),
    sent: false,
    confirmed: false,
    stream,
    settled,
    settle: stream ? () => stream.end() : settle,
    fail: stream
      ? (error) => {
          operation.settleReady(undefined, error);
          stream.end({ value: error });
        }
      : fail,
    ready,
    settleReady(value, error) {
      if (readySettled) return;
      readySettled = true;
      if (error === undefined) readyResolve(value);
      else readyReject(error);
    },
  };
  return operation;
}

/** Whether the operation to run is a subscription; text whose type cannot be told counts as one (the server will say why). */
function isSubscription(query: string | DocumentNode, operationName: string | undefined): boolean {
  const type = operationType(query, operationName);
  return type !== 'query' && type !== 'mutation';
}
