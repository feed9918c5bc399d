import { fatalCloseCodes, type TransportConnection, type WireError } from '@gqlcast/core/protocol';
import { print } from 'graphql';
import { ConnectionClosedError } from './errors.js';
import { type ClientOptions, resolveRetry, retryDelay } from './options.js';
import { ProtocolWords, parseServerMessage, type ServerMessage } from './protocol.js';
import { ResultStream } from './result-stream.js';
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
  /**
   * Resolves once every message the server sent before this call has been
   * handled (a ping answered by pong; on the legacy protocol, a `{ __typename }`
   * query answered). Tests use it to assert that nothing else arrived.
   */
  flush(): Promise<void>;
  /** Sends a raw protocol message (an object is JSON-encoded), connecting first if needed. For tests. */
  sendRaw(message: object | string): Promise<void>;
  /** Resolves with the code and reason of the next time the connection closes. */
  waitForClose(): Promise<{ code: number; reason: string }>;
  /** Listens to an event; returns a function that stops listening. */
  on<E extends keyof ClientEvents>(event: E, listener: (details: ClientEvents[E]) => void): () => void;
  /** The connection state. */
  readonly state: ClientState;
  /** Ends every operation, closes the connection (1000) and stops reconnecting. Idempotent. */
  close(): Promise<void>;
}

interface Operation {
  readonly id: string;
  readonly kind: 'execute' | 'subscribe';
  readonly payload: Record<string, unknown>;
  /** Sent on the current connection. */
  sent: boolean;
  /** The confirmation of the current connection was consumed. */
  confirmed: boolean;
  readonly stream: ResultStream<ClientResult<unknown>> | undefined;
  settle: (result: ClientResult<unknown>) => void;
  fail: (error: unknown) => void;
  readyResolve: (value: ClientResult<unknown> | undefined) => void;
  readyReject: (error: unknown) => void;
  readySettled: boolean;
  /** An execute's answer. */
  readonly settled: Promise<ClientResult<unknown>>;
  /** A subscription's `ready`. */
  readonly ready: Promise<ClientResult<unknown> | undefined>;
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
  const words = ProtocolWords[protocol];
  const retry = resolveRetry(options.retry);

  const operations = new Map<string, Operation>();
  const listeners = new Map<keyof ClientEvents, Set<(details: never) => void>>();
  const closeWaiters: ((closed: { code: number; reason: string }) => void)[] = [];
  const flushWaiters = new Map<string, () => void>();
  let nextId = 1;
  let state: ClientState = 'idle';
  let connection: TransportConnection | undefined;
  /** Settles when the current attempt is acknowledged, or failed for good. */
  let connecting: Promise<void> | undefined;
  let acknowledge: (() => void) | undefined;
  let attempt = 0;
  let confirmations = false;
  let closedByUser = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  function emit<E extends keyof ClientEvents>(event: E, details: ClientEvents[E]): void {
    for (const listener of listeners.get(event) ?? []) (listener as (d: ClientEvents[E]) => void)(details);
  }

  function sendMessage(message: object): void {
    connection?.send(JSON.stringify(message));
  }

  function ensureConnected(): Promise<void> {
    if (closedByUser) return Promise.reject(new ConnectionClosedError(1000, 'The client was closed'));
    if (state === 'connected') return Promise.resolve();
    connecting ??= new Promise<void>((resolve, reject) => {
      acknowledge = resolve;
      giveUp = reject;
      if (state !== 'reconnecting') void open();
    });
    return connecting;
  }
  let giveUp: ((error: unknown) => void) | undefined;

  async function open(): Promise<void> {
    state = 'connecting';
    emit('connecting', { attempt });
    let opened: TransportConnection;
    try {
      opened = await options.transport.connect(protocol, { message: onMessage, closed: onClosed });
    } catch (error) {
      // A transport may say why with a close code (4406: wrong subprotocol, not worth retrying).
      const code = typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : 1006;
      onClosed(code, error instanceof Error ? error.message : String(error));
      return;
    }
    if (closedByUser) {
      opened.close(1000, 'The client was closed');
      return;
    }
    connection = opened;
    try {
      const params =
        typeof options.connectionParams === 'function' ? await options.connectionParams() : options.connectionParams;
      sendMessage(params === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: params });
    } catch (error) {
      // The user's connectionParams failed: nothing a retry can fix by itself.
      opened.close(4400, 'connectionParams failed');
      failEverything(new ConnectionClosedError(4400, 'connectionParams failed', { cause: error }));
    }
  }

  function onAcknowledged(payload: Record<string, unknown> | undefined): void {
    state = 'connected';
    attempt = 0;
    confirmations = payload?.confirmSubscriptions === true;
    emit('connected', { protocol, payload });
    const resolve = acknowledge;
    connecting = undefined;
    acknowledge = undefined;
    giveUp = undefined;
    for (const operation of operations.values()) send(operation);
    resolve?.();
  }

  function send(operation: Operation): void {
    if (operation.sent || state !== 'connected') return;
    operation.sent = true;
    operation.confirmed = false;
    sendMessage({ id: operation.id, type: words.start, payload: operation.payload });
    // Without the confirmation extension, "sent" is all the client can know.
    if (operation.kind === 'subscribe' && !confirmations) settleReady(operation, undefined);
  }

  function settleReady(operation: Operation, value: ClientResult<unknown> | undefined, error?: unknown): void {
    if (operation.readySettled) return;
    operation.readySettled = true;
    if (error === undefined) operation.readyResolve(value);
    else operation.readyReject(error);
  }

  function onMessage(data: string): void {
    let message: ServerMessage;
    try {
      message = parseServerMessage(data);
    } catch {
      // A server that breaks the protocol: close as graphql-transport-ws asks.
      connection?.close(4400, 'Invalid message received');
      return;
    }
    switch (message.type) {
      case 'connection_ack':
        onAcknowledged(message.payload);
        return;
      case 'ping':
        sendMessage(message.payload ? { type: 'pong', payload: message.payload } : { type: 'pong' });
        return;
      case 'pong': {
        const key = (message.payload as { gqlcastFlush?: unknown } | undefined)?.gqlcastFlush;
        if (typeof key === 'string') flushWaiters.get(key)?.();
        return;
      }
      case 'ka':
      case 'connection_error':
        // Keep-alives need nothing; a connection_error is followed by the server's close.
        return;
      case 'next':
      case 'data':
        onResult(message.id, message.payload as ClientResult<unknown>);
        return;
      case 'error':
        onError(message.id, message.errors);
        return;
      case 'complete':
        onComplete(message.id);
        return;
    }
  }

  function onResult(id: string, result: ClientResult<unknown>): void {
    const flush = flushWaiters.get(id);
    if (flush !== undefined) return;
    const operation = operations.get(id);
    if (operation === undefined) return;
    if (operation.kind === 'execute') {
      operations.delete(id);
      operation.settle(result);
      return;
    }
    // The first message of a subscription on a confirming server is its confirmation.
    if (confirmations && !operation.confirmed) {
      operation.confirmed = true;
      settleReady(operation, result);
      return;
    }
    operation.stream?.push(result);
  }

  function onError(id: string | null, errors: readonly WireError[]): void {
    if (id === null) return;
    const operation = operations.get(id);
    if (operation === undefined) return;
    operations.delete(id);
    if (operation.kind === 'execute') {
      // An `error` ends the operation: resolve now, never wait for a `complete` that will not come.
      operation.settle({ errors });
      return;
    }
    settleReady(operation, undefined, new SubscriptionRefusedError(errors));
    operation.stream?.push({ errors });
    operation.stream?.end();
  }

  function onComplete(id: string): void {
    flushWaiters.get(id)?.();
    const operation = operations.get(id);
    if (operation === undefined) return;
    operations.delete(id);
    if (operation.kind === 'execute') operation.settle({});
    else {
      settleReady(operation, undefined);
      operation.stream?.end();
    }
  }

  function onClosed(code: number, reason: string): void {
    const wasConnected = connection !== undefined;
    connection = undefined;
    if (wasConnected) emit('closed', { code, reason });
    for (const wake of closeWaiters.splice(0)) wake({ code, reason });
    for (const wake of flushWaiters.values()) wake();
    flushWaiters.clear();
    const error = new ConnectionClosedError(code, reason);
    // Requests the server may have run are not re-sent: they fail (a mutation must not run twice).
    for (const operation of [...operations.values()]) {
      if (operation.kind === 'execute' && operation.sent) {
        operations.delete(operation.id);
        operation.fail(error);
      }
      operation.sent = false;
    }
    if (closedByUser) {
      state = 'closed';
      return;
    }
    const canRetry = retry !== undefined && !fatalCloseCodes.has(code) && attempt < retry.attempts;
    if (!canRetry) {
      failEverything(error);
      return;
    }
    const delay = retryDelay(retry, attempt);
    attempt++;
    state = 'reconnecting';
    emit('reconnecting', { attempt, delay });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closedByUser) void open();
    }, delay);
  }

  function failEverything(error: ConnectionClosedError): void {
    state = closedByUser ? 'closed' : 'idle';
    attempt = 0;
    const reject = giveUp;
    connecting = undefined;
    acknowledge = undefined;
    giveUp = undefined;
    for (const operation of [...operations.values()]) {
      operations.delete(operation.id);
      operation.fail(error);
    }
    reject?.(error);
  }

  function register(kind: Operation['kind'], request: OperationRequest<unknown, unknown>): Operation {
    const query = typeof request.query === 'string' ? request.query : print(request.query);
    const payload: Record<string, unknown> = { query };
    if (request.variables !== undefined) payload.variables = request.variables;
    if (request.operationName !== undefined) payload.operationName = request.operationName;
    if (request.extensions !== undefined) payload.extensions = request.extensions;
    const id = String(nextId++);
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
            if (operations.delete(id) && operation.sent) sendMessage({ id, type: words.stop });
            settleReady(operation, undefined, new ConnectionClosedError(1000, 'The subscription was completed'));
          })
        : undefined;
    const operation: Operation = {
      id,
      kind,
      payload,
      sent: false,
      confirmed: false,
      stream,
      settle: stream ? () => stream.end() : settle,
      fail: stream
        ? (error) => {
            settleReady(operation, undefined, error);
            stream.end({ value: error });
          }
        : fail,
      readyResolve,
      readyReject,
      readySettled: false,
      settled,
      ready,
    };
    operations.set(id, operation);
    if (state === 'connected') send(operation);
    else ensureConnected().catch(() => undefined);
    return operation;
  }

  const client: Client = {
    get state() {
      return state;
    },

    execute(request) {
      if (closedByUser) return Promise.reject(new ConnectionClosedError(1000, 'The client was closed'));
      const operation = register('execute', request as OperationRequest<unknown, unknown>);
      return operation.settled as Promise<ClientResult<never>>;
    },

    subscribe(request) {
      if (closedByUser) throw new ConnectionClosedError(1000, 'The client was closed');
      const operation = register('subscribe', request as OperationRequest<unknown, unknown>);
      const stream = operation.stream as unknown as ResultStream<ClientResult<never>>;
      return Object.assign(stream, {
        id: operation.id,
        ready: operation.ready,
        complete: () => void stream.return(),
      });
    },

    async flush() {
      await ensureConnected();
      const key = `flush-${nextId++}`;
      const done = new Promise<void>((resolve) => flushWaiters.set(key, resolve));
      if (protocol === 'graphql-transport-ws') sendMessage({ type: 'ping', payload: { gqlcastFlush: key } });
      else sendMessage({ id: key, type: 'start', payload: { query: '{ __typename }' } });
      await done;
      flushWaiters.delete(key);
    },

    async sendRaw(message) {
      await ensureConnected();
      connection?.send(typeof message === 'string' ? message : JSON.stringify(message));
    },

    waitForClose() {
      return new Promise((resolve) => closeWaiters.push(resolve));
    },

    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (details: never) => void);
      return () => set.delete(listener as (details: never) => void);
    },

    async close() {
      if (closedByUser && state === 'closed') return;
      closedByUser = true;
      clearTimeout(retryTimer);
      const closing = connection;
      for (const operation of [...operations.values()]) {
        operations.delete(operation.id);
        if (operation.kind === 'subscribe') {
          settleReady(operation, undefined, new ConnectionClosedError(1000, 'The client was closed'));
          operation.stream?.end();
        } else operation.fail(new ConnectionClosedError(1000, 'The client was closed'));
      }
      giveUp?.(new ConnectionClosedError(1000, 'The client was closed'));
      if (closing === undefined) {
        state = 'closed';
        return;
      }
      const closed = new Promise<unknown>((resolve) => closeWaiters.push(resolve));
      if (protocol === 'graphql-ws') sendMessage({ type: 'connection_terminate' });
      closing.close(1000, 'Normal Closure');
      await closed;
    },
  };

  if (options.lazy === false) ensureConnected().catch(() => undefined);
  return client;
}

/** The server refused a subscription: `errors` says why. `ready` rejects with it. */
export class SubscriptionRefusedError extends Error {
  readonly errors: readonly WireError[];
  constructor(errors: readonly WireError[]) {
    super(`The server refused the subscription: ${errors.map((error) => error.message).join('; ')}`);
    this.name = 'SubscriptionRefusedError';
    this.errors = errors;
  }
}
