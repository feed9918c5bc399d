import { Subprotocol } from '@gqlcast/core/protocol';
import { execute } from 'graphql';
import { TurnMemo } from './auto-share.js';
import type { ConnectionHandle, ServerScope, Socket } from './connection.js';
import { DocumentCache } from './documents.js';
import { wrapPublish } from './middleware.js';
import type { ResolvedOptions, UpgradeRequest } from './options.js';
import { LegacyWsConnection } from './protocols/legacy-ws.js';
import { TransportWsConnection } from './protocols/transport-ws.js';
import { SharedExecutions } from './push-execution.js';
import { SchemaSource } from './schema-source.js';
import { ServerTelemetry } from './server-telemetry.js';
import { toWireResult } from './wire-result.js';

/**
 * The protocol core: no I/O. An adapter (the `ws` one, or the in-process test
 * transport) opens a connection per socket and feeds it frames.
 */
export class ServerCore implements ServerScope {
  readonly options: ResolvedOptions;
  readonly schemas: SchemaSource;
  readonly documents: DocumentCache;
  readonly executions: SharedExecutions;
  readonly wrapPublish;
  readonly telemetry: ServerTelemetry;
  shuttingDown = false;
  /** Each open connection, until it closed and its hooks ran. */
  readonly #connections = new Set<ConnectionHandle>();
  #nextId = 1;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.telemetry = new ServerTelemetry(options.telemetry.enabled);
    this.telemetry.observeWaitingBytes(() => {
      let bytes = 0;
      for (const connection of this.#connections) bytes += connection.waitingBytes;
      return bytes;
    });
    this.schemas = new SchemaSource(options.schema, options.middleware);
    this.wrapPublish = wrapPublish(options.middleware);
    this.documents = new DocumentCache(options);
    this.executions = new SharedExecutions({
      execute: options.execute,
      autoShare: options.autoShare,
      project: options.execute === execute,
      memo: new TurnMemo(),
      counts: { results: 0 },
      formatResult: (result) => toWireResult(result, options.formatError),
      logFailure: (message, details) => options.logger.error(message, details),
      telemetry: this.telemetry,
    });
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Starts a connection on a socket whose subprotocol was negotiated. */
  open(socket: Socket, request: UpgradeRequest): ConnectionHandle {
    const id = String(this.#nextId++);
    const connection =
      socket.protocol === Subprotocol.TransportWs
        ? new TransportWsConnection(this, socket, request, id)
        : new LegacyWsConnection(this, socket, request, id);
    this.#connections.add(connection);
    this.telemetry.connectionOpened(socket.protocol);
    if (this.shuttingDown) connection.shutdown();
    return connection;
  }

  forget(connection: ConnectionHandle): void {
    this.#connections.delete(connection);
  }

  /**
   * Graceful shutdown. First, what the shared executions and the outboxes
   * already hold is written (within `closeTimeout`; notifications arriving
   * meanwhile are not taken). Then every subscription ends (reason `shutdown`)
   * and every socket closes with 1012, Service Restart (clients reconnect at
   * once and subscribe again). Resolves once every connection closed and its
   * hooks ran. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.shuttingDown = true;
      const open = [...this.#connections];
      // A peer that stopped reading, or a resolver that never returns, holds the shutdown up to closeTimeout.
      await within(this.options.closeTimeout, Promise.all(open.map((connection) => connection.flush())));
      for (const connection of open) connection.shutdown();
      // Each adapter reports the socket's end through `closed`, which settles these.
      await Promise.all(open.map((connection) => connection.untilClosed()));
      this.telemetry.close();
    })();
    return this.#closing;
  }
}

/** Resolves when `work` settles or `milliseconds` passed, whichever comes first (0: at once). */
async function within(milliseconds: number, work: Promise<unknown>): Promise<void> {
  if (milliseconds <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, milliseconds);
  });
  try {
    // A flush that fails must not keep the sockets open: the close goes on all the same.
    await Promise.race([work.catch(() => undefined), expired]);
  } finally {
    clearTimeout(timer);
  }
}
