import { type DocumentNode, getOperationAST, parse, print } from 'graphql';
import { ConnectionClosedError } from './errors.js';
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
  readyResolve(value: ClientResult<unknown> | undefined): void;
  readyReject(error: unknown): void;
  readySettled: boolean;
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
  const payload: Record<string, unknown> = { query: document ? print(document) : request.query };
  if (request.variables !== undefined) payload.variables = request.variables;
  if (request.operationName !== undefined) payload.operationName = request.operationName;
  if (request.extensions !== undefined) payload.extensions = request.extensions;
  const frame = JSON.stringify({ id, type: startWord, payload });
  let settle!: Operation['settle'];
  let fail!: Operation['fail'];
  let readyResolve!: Operation['readyResolve'];
  let readyReject!: Operation['readyReject'];
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
    readyResolve,
    readyReject,
    readySettled: false,
    settleReady(value, error) {
      if (operation.readySettled) return;
      operation.readySettled = true;
      if (error === undefined) readyResolve(value);
      else readyReject(error);
    },
  };
  return operation;
}

/** Whether the operation to run is a subscription; unparseable text counts as one (the server will say why). */
function isSubscription(query: string | DocumentNode, operationName: string | undefined): boolean {
  try {
    const document = typeof query === 'string' ? parse(query) : query;
    return (
      getOperationAST(document, operationName)?.operation !== 'query' &&
      getOperationAST(document, operationName)?.operation !== 'mutation'
    );
  } catch {
    return true;
  }
}
