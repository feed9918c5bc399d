import { CloseCode, limitCloseReason, type Subprotocol, type WireError, type WireResult } from '@gqlcast/core/protocol';
import type { PublishCall } from '@gqlcast/core/push';
import type { DocumentCache } from './documents.js';
import type { NotificationFrame } from './frames.js';
import { OperationRegistry, type OperationSink } from './operations/registry.js';
import type { ConnectDecision, Connection, ResolvedOptions, UpgradeRequest } from './options.js';
import { Outbox } from './outbox.js';
import type { SharedExecutions } from './push-execution.js';
import { TokenBucket } from './rate-limit.js';
import type { SchemaSource } from './schema-source.js';
import type { ServerTelemetry } from './server-telemetry.js';

/**
 * The smallest socket the protocol core needs. The `ws` adapter implements it
 * over a real WebSocket; the in-process test transport implements it in memory.
 */
export interface Socket {
  readonly protocol: Subprotocol;
  /**
   * Sends one text frame: a string, or its UTF-8 bytes (the push path serializes
   * a notification once and writes the same bytes to many sockets). Must not
   * throw once the socket is closing.
   */
  send(data: string | Buffer): void;
  /** Resolves when buffered output fell below the high-water mark; `undefined` when it already is. */
  drained(): Promise<void> | undefined;
  /** Bytes written but not yet flushed (absent: the socket buffers nothing). */
  readonly bufferedAmount?: number | undefined;
  /** Destroys the connection at once, without a closing handshake (absent: `close` is used). */
  terminate?(): void;
  /** Starts the closing handshake. The adapter reports the end through `closed`. */
  close(code: number, reason: string): void;
}

/** What every connection shares with its server. */
export interface ServerScope {
  readonly options: ResolvedOptions;
  /** Which schema each operation runs against (the `schema` option). */
  readonly schemas: SchemaSource;
  readonly documents: DocumentCache;
  /** The push path's shared executions, across connections. */
  readonly executions: SharedExecutions;
  /** The middleware around push fields' `publish`; `undefined` without middleware. */
  readonly wrapPublish: ((publish: PublishCall) => PublishCall) | undefined;
  /** True once `close()` began: operations then end with reason `shutdown`. */
  readonly shuttingDown: boolean;
  /** A connection closed and its hooks ran: the server stops tracking it. */
  forget(connection: ConnectionHandle): void;
  /** What the server records for OpenTelemetry. */
  readonly telemetry: ServerTelemetry;
}

/** How the adapter drives a connection. */
export interface ConnectionHandle {
  /** One text frame from the client. */
  receive(data: string): void;
  /** The socket closed (for any reason); resolves when hooks and cleanup ran. */
  closed(code: number, reason: string): Promise<void>;
  /** Bytes waiting to be written: in its outbox and in the socket's buffer. */
  readonly waitingBytes: number;
  /**
   * Graceful shutdown, first step: resolves once what its push subscriptions' executions and its
   * outbox hold was written to the socket (the server bounds the wait by `closeTimeout`).
   */
  flush(): Promise<void>;
  /** Graceful shutdown: ends the subscriptions (reason `shutdown`), then closes with `CloseCode.ServiceRestart`. */
  shutdown(): void;
  /** Resolves once the socket closed and hooks and cleanup ran (for a server's `close`). */
  untilClosed(): Promise<void>;
  readonly connection: Connection<object>;
}

/**
 * The connection as hooks and `context` see it. A class, not an object literal
 * with getters: its accessors live on the prototype, so a connection costs one
 * small object, not a closure per accessor (it exists once per socket).
 */
class ConnectionView implements Connection<object> {
  readonly #owner: ProtocolConnection<unknown>;
  #state: object | undefined;

  constructor(
    readonly id: string,
    readonly protocol: Subprotocol,
    readonly request: UpgradeRequest,
    owner: ProtocolConnection<unknown>,
  ) {
    this.#owner = owner;
  }

  get state(): object {
    // Most connections never store anything: the object is made on first use.
    this.#state ??= {};
    return this.#state;
  }

  get connectionParams(): Readonly<Record<string, unknown>> | undefined {
    return this.#owner.connectionParams;
  }

  get acknowledged(): boolean {
    return this.#owner.acknowledged;
  }

  close(code: number = CloseCode.Normal, reason = ''): void {
    // RFC 6455 §7.4.2: 4000–4999 are for applications; 1000 is a normal closure.
    // The others name protocol conditions the server reports itself.
    if (!(code === CloseCode.Normal || (Number.isInteger(code) && code >= 4000 && code <= 4999))) {
      throw new TypeError(`connection.close: code must be 1000 or 4000–4999, got ${String(code)}`);
    }
    if (typeof reason !== 'string') throw new TypeError('connection.close: reason must be a string');
    this.#owner.closeFromApplication(code, reason);
  }
}

type Phase = 'awaiting-init' | 'initialising' | 'acknowledged' | 'closing' | 'closed';

/**
 * What both subprotocols share: the handshake decision, timers, ordering,
 * the operation registry, closing. Each subprotocol is a subclass with one
 * `switch` over its message types.
 */
export abstract class ProtocolConnection<Message> implements ConnectionHandle, OperationSink {
  readonly connection: Connection<object>;
  protected readonly scope: ServerScope;
  protected readonly socket: Socket;
  protected readonly operations: OperationRegistry;
  readonly #outbox: Outbox;
  protected phase: Phase = 'awaiting-init';
  protected initReceived = false;
  #connectionParams: Readonly<Record<string, unknown>> | undefined;
  /** With `strictOrdering`: the operation that runs last (made on first use). */
  #ordered: Promise<void> | undefined;
  #initTimer: NodeJS.Timeout | undefined;
  #keepAliveTimer: NodeJS.Timeout | undefined;
  #closedOnce: Promise<void> | undefined;
  /** Settles `untilClosed`; made only when somebody waits (a server shutting down). */
  #whenClosed: { promise: Promise<void>; resolve: () => void } | undefined;
  #finished = false;
  readonly #rate: TokenBucket | undefined;
  /** Whether `connection_ack` was ever sent: `onDisconnect` runs only then. */
  #everAcknowledged = false;

  // A connection lives as long as its socket, and a server holds tens of thousands: what it keeps
  // is counted (see docs/performance.md, S4). Timers are dropped once cleared, objects made on first use.
  constructor(scope: ServerScope, socket: Socket, request: UpgradeRequest, id: string) {
    this.scope = scope;
    this.socket = socket;
    this.#outbox = new Outbox(socket, scope.options.maxSendBuffer, () => this.#overflowed());
    const rate = scope.options.messageRate;
    this.#rate = rate === undefined ? undefined : new TokenBucket(rate.messages, rate.interval);
    this.connection = new ConnectionView(id, socket.protocol, request, this);
    this.operations = new OperationRegistry(scope, this.connection, this);
    const timeout = scope.options.connectionInitTimeout;
    if (timeout > 0) {
      this.#initTimer = setTimeout(() => {
        // graphql-transport-ws, ConnectionInit: "If the server wishes to reject the connection [...]
        // because of the connection initialisation timeout, close with 4408: Connection initialisation timeout."
        // 4408 blames the client: only for a `connection_init` that did not arrive. A client that sent it in
        // time is not closed because the server's own `onConnect` is slow (graphql-ws acknowledges it too).
        if (!this.initReceived) {
          this.scope.telemetry.refused('init_timeout');
          this.closeWith(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
        }
      }, timeout);
      this.#initTimer.unref?.();
    }
  }

  receive(data: string): void {
    // Nothing thrown here may reach the socket's event handler: it would take the process down.
    try {
      this.#receive(data);
    } catch (error) {
      this.#fail(error);
    }
  }

  #receive(data: string): void {
    if (!this.isOpen) return;
    if (this.#rate !== undefined && !this.#rate.take()) {
      this.scope.options.logger.warn(`Connection ${this.connection.id} sent too many messages; closing it.`, {
        connection: this.connection.id,
      });
      this.scope.telemetry.refused('message_rate');
      this.closeWith(CloseCode.PolicyViolation, 'Too many messages');
      return;
    }
    let message: Message | undefined;
    try {
      message = this.parse(data);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (message === undefined) return;
    // With strictOrdering, each message is handled after the previous one finished (a `complete` too,
    // so it ends a subscription still starting once it started); only ping, pong and terminate do not wait.
    if (this.scope.options.strictOrdering && !this.isControl(message)) {
      this.#ordered = (this.#ordered ?? Promise.resolve()).then(() =>
        this.isOpen ? this.#handleInOrder(message, data.length) : undefined,
      );
    } else void this.#handleSafely(message, data.length);
  }

  closed(code: number, reason: string): Promise<void> {
    if (this.#closedOnce === undefined) this.scope.telemetry.connectionClosed(this.socket.protocol, code);
    this.#closedOnce ??= this.#cleanUp(code, reason).finally(() => {
      this.#finished = true;
      this.scope.forget(this);
      this.#whenClosed?.resolve();
    });
    return this.#closedOnce;
  }

  get waitingBytes(): number {
    return this.#outbox.waitingBytes;
  }

  untilClosed(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    if (this.#whenClosed === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.#whenClosed = { promise, resolve };
    }
    return this.#whenClosed.promise;
  }

  /** The `connection_init` payload, once it arrived. */
  get connectionParams(): Readonly<Record<string, unknown>> | undefined {
    return this.#connectionParams;
  }

  /** Whether `connection_ack` was sent, and the socket is not closed. */
  get acknowledged(): boolean {
    return this.#everAcknowledged && this.phase !== 'closed';
  }

  async flush(): Promise<void> {
    await this.operations.settle();
    await this.#outbox.drained();
  }

  shutdown(): void {
    if (this.phase === 'closed') return;
    // End every subscription here (their `unsubscribed` hooks get `shutdown`), but send no
    // `complete`: that would tell clients the subscription is over for good. 1012 (Service
    // Restart) tells them to reconnect at once (to another instance, or this one once
    // restarted) and subscribe again, resuming where they were on a retaining channel.
    void this.operations.stopAll('shutdown');
    this.closeWith(CloseCode.ServiceRestart, 'Server is shutting down');
  }

  // OperationSink, per protocol.
  abstract next(id: string, result: WireResult): void;
  abstract fail(id: string, errors: readonly WireError[], kind: 'invalid' | 'refused'): void;
  abstract complete(id: string): void;

  abstract notificationFrame(id: string): NotificationFrame;

  /** Where everything this connection sends goes (see {@link Outbox}). */
  get outbox(): Outbox {
    return this.#outbox;
  }

  /** Parses a frame; a frame that breaks the protocol is dealt with here, and yields `undefined`. */
  protected abstract parse(data: string): Message | undefined;

  /** Whether a message is handled at once even with `strictOrdering` (ping, pong, connection_terminate). */
  protected abstract isControl(message: Message): boolean;

  /**
   * Handles one message; resolves when it counts as processed (for `strictOrdering`).
   * `frameLength`: the length of the frame it came in, what an operation it starts retains at most
   * (`maxRetainedBytesPerConnection`).
   */
  protected abstract handle(message: Message, frameLength: number): Promise<void> | void;

  /** The protocol's keep-alive message. */
  protected abstract readonly keepAliveMessage: object;

  protected send(message: object): void {
    if (this.phase === 'closed') return;
    this.#outbox.send((message as { id?: string }).id ?? undefined, JSON.stringify(message));
  }

  /** `connection.close()` from a hook or resolver: the code is checked there. */
  closeFromApplication(code: number, reason: string): void {
    this.closeWith(code, reason);
  }

  protected closeWith(code: number, reason: string): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    this.phase = 'closing';
    this.#clearTimers();
    this.socket.close(code, limitCloseReason(reason));
  }

  /** Runs `onConnect`: accepted with an ack payload, or refused with a reason. */
  protected async decide(
    payload: Readonly<Record<string, unknown>> | null | undefined,
  ): Promise<
    { accepted: true; ackPayload: Record<string, unknown> | undefined } | { accepted: false; reason: string }
  > {
    this.initReceived = true;
    this.phase = 'initialising';
    this.#connectionParams = payload ?? undefined;
    const { onConnect, confirmSubscriptions, logger } = this.scope.options;
    let answer: ConnectDecision = true;
    try {
      if (onConnect !== undefined) answer = await onConnect(this.connection, this.#connectionParams);
    } catch (error) {
      logger.info(`onConnect refused connection ${this.connection.id}.`, { connection: this.connection.id, error });
      this.scope.telemetry.refused('on_connect');
      return { accepted: false, reason: error instanceof Error ? error.message : String(error) };
    }
    if (answer === false) {
      this.scope.telemetry.refused('on_connect');
      return { accepted: false, reason: 'Forbidden' };
    }
    const returned = typeof answer === 'object' && answer !== null ? answer : undefined;
    // Tell confirmation-aware clients that each subscription's first message is its confirmation.
    const ackPayload = confirmSubscriptions ? { ...returned, confirmSubscriptions: true } : returned;
    return { accepted: true, ackPayload };
  }

  /** Sends `connection_ack` and starts the keep-alive. */
  protected acknowledge(ackPayload: Record<string, unknown> | undefined): void {
    this.phase = 'acknowledged';
    this.#everAcknowledged = true;
    clearTimeout(this.#initTimer);
    this.#initTimer = undefined;
    this.send(ackPayload === undefined ? { type: 'connection_ack' } : { type: 'connection_ack', payload: ackPayload });
    const every = this.scope.options.keepAlive;
    if (every > 0) {
      this.#keepAliveTimer = setInterval(() => this.send(this.keepAliveMessage), every);
      this.#keepAliveTimer.unref?.();
    }
  }

  protected get isOpen(): boolean {
    return this.phase !== 'closing' && this.phase !== 'closed';
  }

  /** Strict ordering: what other operations send while this message is handled follows its own answers. */
  async #handleInOrder(message: Message, frameLength: number): Promise<void> {
    this.#outbox.hold((message as { id?: string }).id);
    try {
      await this.#handleSafely(message, frameLength);
    } finally {
      this.#outbox.release();
    }
  }

  async #handleSafely(message: Message, frameLength: number): Promise<void> {
    try {
      await this.handle(message, frameLength);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The peer stopped reading and its buffer passed `maxSendBuffer`: it is cut off; the others go on. */
  #overflowed(): void {
    this.scope.options.logger.warn(
      `Connection ${this.connection.id} is not reading: more than ${this.scope.options.maxSendBuffer} bytes ` +
        'wait to be sent (maxSendBuffer); terminating it.',
      { connection: this.connection.id },
    );
    this.phase = 'closing';
    this.#clearTimers();
    if (this.socket.terminate !== undefined) this.socket.terminate();
    else this.socket.close(CloseCode.PolicyViolation, 'Not reading');
  }

  /** An unexpected failure: log it, close this connection with 4500; the others go on. */
  #fail(error: unknown): void {
    this.scope.options.logger.error(`Connection ${this.connection.id} failed on a message.`, {
      connection: this.connection.id,
      error,
    });
    this.closeWith(CloseCode.InternalServerError, 'Internal server error');
  }

  #clearTimers(): void {
    clearTimeout(this.#initTimer);
    clearInterval(this.#keepAliveTimer);
    this.#initTimer = undefined;
    this.#keepAliveTimer = undefined;
  }

  async #cleanUp(code: number, reason: string): Promise<void> {
    const wasAcknowledged = this.#everAcknowledged;
    this.phase = 'closed';
    this.#outbox.close();
    this.#clearTimers();
    await this.operations.stopAll(this.scope.shuttingDown ? 'shutdown' : 'disconnect');
    const { onDisconnect, logger } = this.scope.options;
    if (wasAcknowledged && onDisconnect !== undefined) {
      try {
        await onDisconnect(this.connection, code, reason);
      } catch (error) {
        logger.error(`onDisconnect failed for connection ${this.connection.id}.`, {
          connection: this.connection.id,
          error,
        });
      }
    }
  }
}
