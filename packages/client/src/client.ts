import { fatalCloseCodes, type TransportConnection, type WireError } from '@gqlcast/core/protocol';
import { ConnectionClosedError, SubscriptionRefusedError } from './errors.js';
import { createEmitter } from './events.js';
import { createOperation, type Operation } from './operation.js';
import { type ClientOptions, resolveRetry, retryDelay } from './options.js';
import { ProtocolWords, parseServerMessage, type ServerMessage } from './protocol.js';
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
  /**
   * Resolves once every message the server sent before this call has been
   * handled (a ping answered by pong; on the legacy protocol, a `{ __typename }`
   * query answered). Tests use it to assert that nothing else arrived.
   * Rejects with a `ConnectionClosedError` if the connection closes first.
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

const clientClosed = () => new ConnectionClosedError(1000, 'The client was closed');

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
  const ackTimeout = options.connectionAckTimeout ?? 10_000;
  const words = ProtocolWords[protocol];
  const retry = resolveRetry(options.retry);

  const operations = new Map<string, Operation>();
  const { on, emit } = createEmitter();
  const closeWaiters: ((closed: { code: number; reason: string }) => void)[] = [];
  const flushWaiters = new Map<string, { resolve(): void; reject(error: unknown): void }>();
  let nextId = 1;
  let state: ClientState = 'idle';
  /** The open (or opening) connection of the current attempt. */
  let connection: TransportConnection | undefined;
  /** Numbers attempts, so events of a superseded connection are ignored. */
  let currentAttempt = 0;
  let attemptRunning = false;
  /** Settles when the current attempt is acknowledged, or failed for good. */
  let connecting: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | undefined;
  let retries = 0;
  let confirmations = false;
  let closedByUser = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  let lastClose = { code: 1006, reason: '' };

  function ensureConnected(): Promise<void> {
    if (closedByUser) return Promise.reject(clientClosed());
    if (state === 'connected') return Promise.resolve();
    if (connecting === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      connecting = { promise, resolve, reject };
    }
    // One attempt at a time: never a second socket while one is opening or a retry is scheduled.
    if (!attemptRunning && retryTimer === undefined) void open();
    return connecting.promise;
  }

  async function open(): Promise<void> {
    attemptRunning = true;
    const attempt = ++currentAttempt;
    const current = () => attempt === currentAttempt && !closedByUser;
    state = 'connecting';
    emit('connecting', { attempt: retries });
    let opened: TransportConnection;
    try {
      opened = await options.transport.connect(protocol, {
        message: (data) => {
          if (current()) onMessage(data);
        },
        closed: (code, reason) => {
          if (attempt === currentAttempt) onClosed(code, reason);
        },
      });
    } catch (error) {
      // A transport may say why with a close code (4406: wrong subprotocol, not worth retrying).
      const code = typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : 1006;
      if (attempt === currentAttempt) onClosed(code, error instanceof Error ? error.message : String(error));
      return;
    }
    if (!current()) {
      opened.close(1000, 'Normal Closure');
      return;
    }
    connection = opened;
    // A server (or proxy) that never acknowledges must not leave requests waiting forever.
    ackTimer = setTimeout(() => opened.close(4408, 'Connection acknowledgement timeout'), ackTimeout);
    let params: Record<string, unknown> | undefined;
    try {
      params =
        typeof options.connectionParams === 'function' ? await options.connectionParams() : options.connectionParams;
    } catch (error) {
      // The user's connectionParams failed: nothing a retry can fix by itself.
      clearTimeout(ackTimer);
      currentAttempt++;
      attemptRunning = false;
      connection = undefined;
      opened.close(1000, 'connectionParams failed');
      failEverything(new ConnectionClosedError(4400, 'connectionParams failed', { cause: error }));
      return;
    }
    if (!current()) return;
    opened.send(
      JSON.stringify(params === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: params }),
    );
  }

  function onAcknowledged(payload: Record<string, unknown> | undefined): void {
    clearTimeout(ackTimer);
    attemptRunning = false;
    state = 'connected';
    retries = 0;
    confirmations = payload?.confirmSubscriptions === true;
    const waiting = connecting;
    connecting = undefined;
    emit('connected', { protocol, payload });
    for (const operation of operations.values()) send(operation);
    waiting?.resolve();
  }

  function send(operation: Operation): void {
    if (operation.sent || state !== 'connected' || connection === undefined) return;
    operation.sent = true;
    operation.confirmed = false;
    connection.send(operation.frame);
    // Without the confirmation extension, "sent" is all the client can know.
    if (operation.kind === 'subscribe' && !(confirmations && operation.confirmable)) operation.settleReady(undefined);
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
        connection?.send(
          JSON.stringify(message.payload ? { type: 'pong', payload: message.payload } : { type: 'pong' }),
        );
        return;
      case 'pong': {
        const key = (message.payload as { gqlcastFlush?: unknown } | undefined)?.gqlcastFlush;
        if (typeof key === 'string') flushWaiters.get(key)?.resolve();
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
    if (flushWaiters.has(id)) return;
    const operation = operations.get(id);
    if (operation === undefined) return;
    if (operation.kind === 'execute') {
      operations.delete(id);
      operation.settle(result);
      return;
    }
    // The first message of a subscription on a confirming server is its confirmation.
    if (confirmations && operation.confirmable && !operation.confirmed) {
      operation.confirmed = true;
      operation.settleReady(result);
      return;
    }
    operation.stream?.push(result);
  }

  function onError(id: string | null, errors: readonly WireError[]): void {
    if (id === null) return;
    // A legacy flush answered with an error still proves every earlier message arrived.
    flushWaiters.get(id)?.resolve();
    const operation = operations.get(id);
    if (operation === undefined) return;
    operations.delete(id);
    if (operation.kind === 'execute') {
      // An `error` ends the operation: resolve now, never wait for a `complete` that will not come.
      operation.settle({ errors });
      return;
    }
    operation.settleReady(undefined, new SubscriptionRefusedError(errors));
    operation.stream?.push({ errors });
    operation.stream?.end();
  }

  function onComplete(id: string): void {
    flushWaiters.get(id)?.resolve();
    const operation = operations.get(id);
    if (operation === undefined) return;
    operations.delete(id);
    if (operation.kind === 'execute') operation.settle({});
    else {
      operation.settleReady(undefined);
      operation.stream?.end();
    }
  }

  function onClosed(code: number, reason: string): void {
    clearTimeout(ackTimer);
    attemptRunning = false;
    const wasOpen = connection !== undefined;
    connection = undefined;
    lastClose = { code, reason };
    if (wasOpen) emit('closed', { code, reason });
    for (const wake of closeWaiters.splice(0)) wake({ code, reason });
    const error = new ConnectionClosedError(code, reason);
    for (const waiter of flushWaiters.values()) waiter.reject(error);
    flushWaiters.clear();
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
    if (retry === undefined || fatalCloseCodes.has(code) || retries >= retry.attempts) {
      failEverything(error);
      return;
    }
    const delay = retryDelay(retry, retries);
    retries++;
    state = 'reconnecting';
    emit('reconnecting', { attempt: retries, delay });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closedByUser && !attemptRunning) void open();
    }, delay);
  }

  function failEverything(error: ConnectionClosedError): void {
    state = closedByUser ? 'closed' : 'idle';
    retries = 0;
    const waiting = connecting;
    connecting = undefined;
    for (const operation of [...operations.values()]) {
      operations.delete(operation.id);
      operation.fail(error);
    }
    waiting?.reject(error);
  }

  /** The acknowledged connection, once there is one; rejects if it closed in the meantime. */
  async function connected(): Promise<TransportConnection> {
    await ensureConnected();
    if (state !== 'connected' || connection === undefined)
      throw new ConnectionClosedError(lastClose.code, lastClose.reason);
    return connection;
  }

  function register(kind: Operation['kind'], request: OperationRequest<unknown, unknown>): Operation {
    const operation = createOperation(String(nextId++), kind, request, words.start, (stopped) => {
      // The user stopped a subscription: tell the server, if it knows of it.
      if (operations.delete(stopped.id) && stopped.sent)
        connection?.send(JSON.stringify({ id: stopped.id, type: words.stop }));
    });
    const id = operation.id;
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
      if (closedByUser) return Promise.reject(clientClosed());
      try {
        return register('execute', request as OperationRequest<unknown, unknown>).settled as Promise<
          ClientResult<never>
        >;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    subscribe(request) {
      if (closedByUser) throw clientClosed();
      const operation = register('subscribe', request as OperationRequest<unknown, unknown>);
      const stream = operation.stream as unknown as ResultStream<ClientResult<never>>;
      return Object.assign(stream, {
        id: operation.id,
        ready: operation.ready,
        complete: () => void stream.return(),
      });
    },

    async flush() {
      const open = await connected();
      const key = `flush-${nextId++}`;
      const done = new Promise<void>((resolve, reject) => flushWaiters.set(key, { resolve, reject }));
      try {
        if (protocol === 'graphql-transport-ws')
          open.send(JSON.stringify({ type: 'ping', payload: { gqlcastFlush: key } }));
        else open.send(JSON.stringify({ id: key, type: 'start', payload: { query: '{ __typename }' } }));
        await done;
      } finally {
        flushWaiters.delete(key);
      }
    },

    async sendRaw(message) {
      const open = await connected();
      open.send(typeof message === 'string' ? message : JSON.stringify(message));
    },

    waitForClose() {
      return new Promise((resolve) => closeWaiters.push(resolve));
    },

    on,

    async close() {
      if (closedByUser) return;
      closedByUser = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      clearTimeout(ackTimer);
      const open = connection;
      for (const operation of [...operations.values()]) {
        operations.delete(operation.id);
        if (operation.kind === 'subscribe') {
          operation.settleReady(undefined, clientClosed());
          operation.stream?.end();
        } else operation.fail(clientClosed());
      }
      const waiting = connecting;
      connecting = undefined;
      waiting?.reject(clientClosed());
      if (open === undefined) {
        // An attempt still opening is dropped when it opens (it is no longer current).
        currentAttempt++;
        state = 'closed';
        return;
      }
      const closed = new Promise<unknown>((resolve) => closeWaiters.push(resolve));
      if (protocol === 'graphql-ws') open.send(JSON.stringify({ type: 'connection_terminate' }));
      open.close(1000, 'Normal Closure');
      await closed;
    },
  };

  if (options.lazy === false) ensureConnected().catch(() => undefined);
  return client;
}
