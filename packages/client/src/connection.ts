import {
  fatalCloseCodes,
  parseServerMessage,
  type ServerMessage,
  type TransportConnection,
} from '@gqlcast/core/protocol';
import { type Deferred, deferred } from './deferred.js';
import { ConnectionClosedError } from './errors.js';
import type { ClientEmitter } from './events.js';
import { type ClientOptions, type ResolvedRetry, retryDelay } from './options.js';
import type { ClientState } from './types.js';

/** A close as the transport reported it. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** What the connection tells the client that owns it. */
export interface ConnectionHandlers {
  /** Every server message after `connection_ack` handling (`ping` is answered already). */
  message(message: ServerMessage): void;
  /** The server acknowledged; `confirmations` says whether it confirms subscriptions. */
  acknowledged(confirmations: boolean): void;
  /** The connection of an attempt ended; a retry may follow. */
  closed(error: ConnectionClosedError): void;
  /** The client gave up (no retry left, a fatal code, or `connectionParams` failed). */
  failed(error: ConnectionClosedError): void;
}

/** One logical connection of a client: attempts, acknowledgement, retries and state. */
export interface Connection {
  readonly state: ClientState;
  /** Whether `close()` was called. */
  readonly closedByUser: boolean;
  /** Resolves once acknowledged; rejects when the client gives up or is closed. */
  ensureConnected(): Promise<void>;
  /** The acknowledged connection; rejects if it closed in the meantime. */
  connected(): Promise<TransportConnection>;
  /** Sends a frame if connected; returns whether it did. */
  send(frame: string): boolean;
  /** Resolves with the next close. */
  nextClose(): Promise<Closed>;
  /** Stops reconnecting and closes (1000); `beforeClose` runs once nothing will reconnect. */
  close(beforeClose: (error: ConnectionClosedError) => void): Promise<void>;
}

/** The error every pending request gets once the user closed the client. */
export const clientClosed = (): ConnectionClosedError => new ConnectionClosedError(1000, 'The client was closed');

/** Opens, acknowledges and re-opens the transport connection of one client. */
export function createConnection(
  options: ClientOptions,
  protocol: 'graphql-transport-ws' | 'graphql-ws',
  retry: ResolvedRetry | undefined,
  emitter: ClientEmitter,
  handlers: ConnectionHandlers,
): Connection {
  const ackTimeout = options.connectionAckTimeout ?? 10_000;
  const closeWaiters: ((closed: Closed) => void)[] = [];
  let state: ClientState = 'idle';
  /** The open (or opening) connection of the current attempt. */
  let socket: TransportConnection | undefined;
  /** Numbers attempts, so events of a superseded connection are ignored. */
  let currentAttempt = 0;
  let attemptRunning = false;
  /** Settles when the current attempt is acknowledged, or failed for good. */
  let connecting: Deferred<void> | undefined;
  let retries = 0;
  let closedByUser = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  let lastClose: Closed = { code: 1006, reason: '' };
  /** When a reconnection last skipped the backoff (1012); at most one per `retry.minDelay` ms does. */
  let lastImmediate = -Infinity;

  function ensureConnected(): Promise<void> {
    if (closedByUser) return Promise.reject(clientClosed());
    if (state === 'connected') return Promise.resolve();
    connecting ??= deferred();
    // One attempt at a time: never a second socket while one is opening or a retry is scheduled.
    if (!attemptRunning && retryTimer === undefined) void open();
    return connecting.promise;
  }

  async function open(): Promise<void> {
    attemptRunning = true;
    const attempt = ++currentAttempt;
    const current = () => attempt === currentAttempt && !closedByUser;
    state = 'connecting';
    emitter.emit('connecting', { attempt: retries });
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
    socket = opened;
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
      socket = undefined;
      opened.close(1000, 'connectionParams failed');
      fail(new ConnectionClosedError(4400, 'connectionParams failed', { cause: error }));
      return;
    }
    if (!current()) return;
    opened.send(
      JSON.stringify(params === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: params }),
    );
  }

  function onMessage(data: string): void {
    let message: ServerMessage;
    try {
      message = parseServerMessage(data);
    } catch {
      // A server that breaks the protocol: close as graphql-transport-ws asks.
      socket?.close(4400, 'Invalid message received');
      return;
    }
    if (message.type === 'connection_ack') {
      clearTimeout(ackTimer);
      attemptRunning = false;
      state = 'connected';
      retries = 0;
      const waiting = connecting;
      connecting = undefined;
      emitter.emit('connected', { protocol, payload: message.payload });
      handlers.acknowledged(message.payload?.confirmSubscriptions === true);
      waiting?.resolve();
      return;
    }
    if (message.type === 'ping') {
      socket?.send(JSON.stringify(message.payload ? { type: 'pong', payload: message.payload } : { type: 'pong' }));
      return;
    }
    handlers.message(message);
  }

  function onClosed(code: number, reason: string): void {
    clearTimeout(ackTimer);
    attemptRunning = false;
    const wasOpen = socket !== undefined;
    socket = undefined;
    lastClose = { code, reason };
    if (wasOpen) emitter.emit('closed', { code, reason });
    for (const wake of closeWaiters.splice(0)) wake({ code, reason });
    const error = new ConnectionClosedError(code, reason);
    handlers.closed(error);
    if (closedByUser) {
      state = 'closed';
      return;
    }
    if (retry === undefined || fatalCloseCodes.has(code) || retries >= retry.attempts) {
      fail(error);
      return;
    }
    let delay = retryDelay(retry, retries);
    const now = Date.now();
    // 1012 Service Restart: the server asks its clients to go elsewhere now (a rolling deploy). Not a
    // server that keeps doing it, though: that would be a tight loop, so the backoff applies then.
    if (code === 1012 && now - lastImmediate >= retry.minDelay) {
      delay = 0;
      lastImmediate = now;
    }
    retries++;
    state = 'reconnecting';
    emitter.emit('reconnecting', { attempt: retries, delay });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closedByUser && !attemptRunning) void open();
    }, delay);
  }

  function fail(error: ConnectionClosedError): void {
    state = closedByUser ? 'closed' : 'idle';
    retries = 0;
    const waiting = connecting;
    connecting = undefined;
    handlers.failed(error);
    waiting?.reject(error);
  }

  return {
    get state() {
      return state;
    },
    get closedByUser() {
      return closedByUser;
    },
    ensureConnected,
    async connected() {
      await ensureConnected();
      if (state !== 'connected' || socket === undefined)
        throw new ConnectionClosedError(lastClose.code, lastClose.reason);
      return socket;
    },
    send(frame) {
      if (state !== 'connected' || socket === undefined) return false;
      socket.send(frame);
      return true;
    },
    nextClose() {
      return new Promise((resolve) => closeWaiters.push(resolve));
    },
    async close(beforeClose) {
      if (closedByUser) return;
      closedByUser = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      clearTimeout(ackTimer);
      const open = socket;
      beforeClose(clientClosed());
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
}
