import type { WireError } from '@gqlcast/core/protocol';
import { type ConnectionClosedError, SubscriptionRefusedError } from './errors.js';
import type { ClientEmitter } from './events.js';
import { createOperation, type Operation } from './operation.js';
import type { ClientResult, OperationRequest } from './types.js';

/** The words each subprotocol uses for starting and stopping an operation. */
const words = {
  'graphql-transport-ws': { start: 'subscribe', stop: 'complete' },
  'graphql-ws': { start: 'start', stop: 'stop' },
} as const;

/** The operations of one client, by id: sending them, routing results to them, ending them. */
export interface Requests {
  /** Registers an operation and sends it if the connection is up (`send` says whether it is). */
  add(kind: Operation['kind'], request: OperationRequest<unknown, unknown>): Operation;
  /** The connection was acknowledged: send every operation not sent on it yet. */
  acknowledged(confirmations: boolean): void;
  result(id: string, result: ClientResult<unknown>): void;
  error(id: string, errors: readonly WireError[]): void;
  complete(id: string): void;
  /** The connection closed: requests the server may have run fail, subscriptions wait to be re-sent. */
  closed(error: ConnectionClosedError): void;
  /** Ends every operation with `error`. */
  failAll(error: ConnectionClosedError): void;
  /** The client was closed: subscriptions end, requests fail. */
  closeAll(error: ConnectionClosedError): void;
  /** Allocates an id no operation uses. */
  nextId(): string;
}

/**
 * Creates the operation registry; `send` sends a frame when connected and says
 * whether it did; `emitter` is told of gaps.
 */
export function createRequests(
  protocol: keyof typeof words,
  send: (frame: string) => boolean,
  emitter: ClientEmitter,
): Requests {
  const operations = new Map<string, Operation>();
  let counter = 1;
  let confirmations = false;

  function dispatch(operation: Operation): void {
    if (operation.sent || !send(operation.frame())) return;
    operation.sent = true;
    operation.confirmed = false;
    // Without the confirmation extension, "sent" is all the client can know.
    if (operation.kind === 'subscribe' && !(confirmations && operation.confirmable)) operation.settleReady(undefined);
  }

  /** Removes and returns the operation, if any. */
  function take(id: string): Operation | undefined {
    const operation = operations.get(id);
    operations.delete(id);
    return operation;
  }

  return {
    nextId: () => String(counter++),

    add(kind, request) {
      const operation = createOperation(String(counter++), kind, request, words[protocol].start, (stopped) => {
        // The user stopped a subscription: tell the server, if it knows of it.
        if (operations.delete(stopped.id) && stopped.sent)
          send(JSON.stringify({ id: stopped.id, type: words[protocol].stop }));
      });
      operations.set(operation.id, operation);
      dispatch(operation);
      return operation;
    },

    acknowledged(confirming) {
      confirmations = confirming;
      for (const operation of operations.values()) dispatch(operation);
    },

    result(id, result) {
      const operation = operations.get(id);
      if (operation === undefined) return;
      if (operation.kind === 'execute') {
        operations.delete(id);
        operation.settle(result);
        return;
      }
      const { cursor, gap } = result.extensions?.gqlcast ?? {};
      let yielded: ClientResult<unknown> | undefined = result;
      // The first message of a subscription on a confirming server is its confirmation.
      if (confirmations && operation.confirmable && !operation.confirmed) {
        operation.confirmed = true;
        operation.settleReady(result);
        // Never yielded; a gap it reports still reaches the iterator, in its place.
        yielded = gap && ({ extensions: result.extensions } as ClientResult<unknown>);
      } else if (cursor !== undefined && cursor === operation.cursor) {
        // Resumed after this very cursor: the application has this result already.
        return;
      }
      // Kept as the resume point once handed over: a re-subscription asks for what follows it.
      if (cursor !== undefined) operation.cursor = cursor;
      if (gap) emitter.emit('gap', { id, missed: gap.missed });
      if (yielded) operation.stream?.push(yielded);
    },

    error(id, errors) {
      const operation = take(id);
      if (operation === undefined) return;
      if (operation.kind === 'execute') {
        // An `error` ends the operation: resolve now, never wait for a `complete` that will not come.
        operation.settle({ errors });
        return;
      }
      operation.settleReady(undefined, new SubscriptionRefusedError(errors));
      operation.stream?.push({ errors });
      operation.stream?.end();
    },

    complete(id) {
      const operation = take(id);
      if (operation === undefined) return;
      if (operation.kind === 'execute') operation.settle({});
      else {
        operation.settleReady(undefined);
        operation.stream?.end();
      }
    },

    closed(error) {
      // Requests the server may have run are not re-sent: they fail (a mutation must not run twice).
      for (const operation of [...operations.values()]) {
        if (operation.kind === 'execute' && operation.sent) {
          operations.delete(operation.id);
          operation.fail(error);
        }
        operation.sent = false;
      }
    },

    failAll(error) {
      for (const operation of [...operations.values()]) {
        operations.delete(operation.id);
        operation.fail(error);
      }
    },

    closeAll(error) {
      for (const operation of [...operations.values()]) {
        operations.delete(operation.id);
        if (operation.kind === 'subscribe') {
          operation.settleReady(undefined, error);
          operation.stream?.end();
        } else operation.fail(error);
      }
    },
  };
}
