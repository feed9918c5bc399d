import { clientClosed, createConnection } from './connection.js';
import { createEmitter } from './events.js';
import { type ClientInternals, internalsKey } from './internals.js';
import { type ClientOptions, resolveRetry } from './options.js';
import { createRequests } from './requests.js';
import type { ResultStream } from './result-stream.js';
import type { ClientEvents, ClientResult, ClientState, ClientSubscription, OperationRequest } from './types.js';

/** A GraphQL over WebSocket client. */
export interface Client {
  /** Runs a query or mutation; resolves with `{ data, errors }` as the server sent them. */
  execute<Data = Record<string, unknown>, Variables = Record<string, unknown>>(
    request: OperationRequest<Data, Variables>,
  ): Promise<ClientResult<Data>>;
  /** Starts a subscription; iterate it for results. */
  subscribe<Data = Record<string, unknown>, Variables = Record<string, unknown>>(
    request: OperationRequest<Data, Variables>,
  ): ClientSubscription<Data>;
  /** Listens to an event; returns a function that stops listening. */
  on<E extends keyof ClientEvents>(event: E, listener: (details: ClientEvents[E]) => void): () => void;
  /** The connection state. */
  readonly state: ClientState;
  /** Ends every operation, closes the connection (1000) and stops reconnecting. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a client. Nothing connects until the first operation (unless `lazy: false`).
 *
 * @example
 * ```ts
 * const client = createClient({ transport: webSocketTransport('ws://localhost:4000/graphql') });
 * const { data } = await client.execute({ query: '{ me { username } }' });
 * ```
 */
export function createClient(options: ClientOptions): Client {
  if (typeof options?.transport?.connect !== 'function') {
    throw new TypeError('createClient: `transport` must be a transport, e.g. webSocketTransport(url).');
  }
  const protocol = options.protocol ?? 'graphql-transport-ws';
  if (protocol !== 'graphql-transport-ws' && protocol !== 'graphql-ws') {
    throw new TypeError(
      `createClient: \`protocol\` must be 'graphql-transport-ws' or 'graphql-ws', got ${String(protocol)}.`,
    );
  }
  const emitter = createEmitter();
  const taps: ClientInternals['taps'] = new Set();
  const requests = createRequests(protocol, (frame) => connection.send(frame), emitter);
  const connection = createConnection(options, protocol, resolveRetry(options.retry), emitter, {
    message(message) {
      for (const tap of taps) if (tap(message)) return;
      switch (message.type) {
        case 'next':
        case 'data':
          requests.result(message.id, message.payload as ClientResult<unknown>);
          return;
        case 'error':
          if (message.id !== null) requests.error(message.id, message.errors);
          return;
        case 'complete':
          requests.complete(message.id);
          return;
        default:
        // `ka` needs nothing; a `connection_error` is followed by the server's close.
      }
    },
    acknowledged: (confirmations) => requests.acknowledged(confirmations),
    closed: (error) => requests.closed(error),
    failed: (error) => requests.failAll(error),
  });

  function start(kind: 'execute' | 'subscribe', request: OperationRequest<unknown, unknown>) {
    const operation = requests.add(kind, request);
    if (connection.state !== 'connected') connection.ensureConnected().catch(() => undefined);
    return operation;
  }

  const client: Client & { [internalsKey]: ClientInternals } = {
    get state() {
      return connection.state;
    },

    execute(request) {
      if (connection.closedByUser) return Promise.reject(clientClosed());
      try {
        return start('execute', request as OperationRequest<unknown, unknown>).settled as Promise<ClientResult<never>>;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    subscribe(request) {
      if (connection.closedByUser) throw clientClosed();
      const operation = start('subscribe', request as OperationRequest<unknown, unknown>);
      const stream = operation.stream as unknown as ResultStream<ClientResult<never>>;
      return Object.assign(stream, {
        id: operation.id,
        ready: operation.ready,
        complete: () => void stream.return(),
      });
    },

    on: emitter.on,

    close: () => connection.close((error) => requests.closeAll(error)),

    [internalsKey]: { connection, protocol, nextId: requests.nextId, taps },
  };
  Object.defineProperty(client, internalsKey, { enumerable: false });

  if (options.lazy === false) connection.ensureConnected().catch(() => undefined);
  return client;
}
