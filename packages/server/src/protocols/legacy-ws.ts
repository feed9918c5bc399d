import {
  CloseCode,
  type LegacyClientMessage,
  type LegacyServerMessage,
  ProtocolViolation,
  parseLegacyMessage,
  type SubscribePayload,
  type WireError,
  type WireResult,
} from '@gqlcast/core/protocol';
import { ProtocolConnection } from '../connection.js';
import { ServerErrorCode } from '../error-codes.js';
import { type NotificationFrame, NotificationFrames } from '../frames.js';

/**
 * The `data` message of a push notification, built around a result serialized once: this module
 * owns the whole frame (head and tail), as it owns every other message of its protocol.
 */
export const dataFrames = new NotificationFrames((id) => `{"id":${JSON.stringify(id)},"type":"data","payload":`, '}');

/** One object for every connection: it is sent, never changed. */
const keepAlive: LegacyServerMessage = { type: 'ka' };

/**
 * The legacy graphql-ws protocol of subscriptions-transport-ws (its PROTOCOL.md),
 * server side, with the fixes the legacy reference server lacked: no operation
 * runs before an accepted `connection_init`, and ids are never shared.
 */
export class LegacyWsConnection extends ProtocolConnection<LegacyClientMessage> {
  protected get keepAliveMessage(): LegacyServerMessage {
    return keepAlive;
  }
  /** `start`s received after `connection_init` but before `onConnect` decided. */
  #held: { id: string; payload: SubscribePayload }[] = [];

  protected parse(data: string): LegacyClientMessage | undefined {
    try {
      return parseLegacyMessage(data);
    } catch (error) {
      // The legacy protocol answers a bad message with an `error` and keeps the connection.
      if (error instanceof ProtocolViolation) {
        this.#error(idOf(data), error.message, ServerErrorCode.BadMessage);
        return undefined;
      }
      throw error;
    }
  }

  protected isControl(message: LegacyClientMessage): boolean {
    return message.type === 'connection_terminate';
  }

  protected async handle(message: LegacyClientMessage): Promise<void> {
    switch (message.type) {
      case 'connection_init': {
        if (this.initReceived)
          return this.closeWith(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        const decision = await this.decide(message.payload);
        if (!this.isOpen) return;
        if (!decision.accepted) {
          // GQL_CONNECTION_ERROR: "Server may respond with this message to the GQL_CONNECTION_INIT
          // from client, indicates the server rejected the connection."
          this.#held = [];
          const payload = { message: decision.reason, extensions: { code: ServerErrorCode.ConnectionRefused } };
          this.send({ type: 'connection_error', payload } satisfies LegacyServerMessage);
          return this.closeWith(CloseCode.Forbidden, decision.reason);
        }
        this.acknowledge(decision.ackPayload);
        // GQL_CONNECTION_KEEP_ALIVE: "Server message that should be sent right after each
        // GQL_CONNECTION_ACK processed and then periodically to keep the client connection alive."
        if (this.scope.options.keepAlive > 0) this.send(this.keepAliveMessage);
        const held = this.#held;
        this.#held = [];
        await Promise.all(held.map(({ id, payload }) => this.operations.start(id, payload)));
        return;
      }

      case 'connection_terminate':
        return this.closeWith(CloseCode.Normal, 'Terminated by the client');

      case 'start': {
        // Never run an operation on a connection no one accepted (the reference server did).
        if (!this.initReceived) {
          return this.#error(
            message.id,
            'Send connection_init and wait for connection_ack before start.',
            ServerErrorCode.NotInitialised,
          );
        }
        // Never two live operations under one id: refuse the newcomer, keep the running one.
        if (this.operations.has(message.id) || this.#held.some((held) => held.id === message.id)) {
          return this.#error(
            message.id,
            `An operation with id "${message.id}" is already running: stop it first, or use another id.`,
            ServerErrorCode.DuplicateId,
          );
        }
        // subscriptions-transport-ws sends `start` right after `connection_init`, without waiting:
        // hold it until onConnect decides.
        if (!this.connection.acknowledged) {
          this.#held.push({ id: message.id, payload: message.payload });
          return;
        }
        return this.operations.start(message.id, message.payload);
      }

      case 'stop': {
        // GQL_STOP ends the operation; the server answers GQL_COMPLETE, once.
        const held = this.#held.findIndex((entry) => entry.id === message.id);
        if (held >= 0) {
          this.#held.splice(held, 1);
          return this.complete(message.id);
        }
        // A subscription still starting is confirmed first if accepted: its `complete` follows.
        const answered = this.operations.stopAnswered(message.id);
        if (answered !== undefined) {
          await answered;
          this.complete(message.id);
        }
        return;
      }
    }
  }

  notificationFrame(id: string): NotificationFrame {
    return dataFrames.for(id);
  }

  next(id: string, result: WireResult): void {
    this.send({ id, type: 'data', payload: result } satisfies LegacyServerMessage);
  }

  fail(id: string, errors: readonly WireError[], kind: 'invalid' | 'refused'): void {
    // As subscriptions-transport-ws: a request that does not validate is a result with errors. With
    // confirmations on, a `data` must only ever be a result or a confirmation: then it is an `error`.
    if (kind === 'invalid' && !this.scope.options.confirmSubscriptions) {
      this.send({ id, type: 'data', payload: { data: null, errors } } satisfies LegacyServerMessage);
      this.complete(id);
      return;
    }
    this.send({ id, type: 'error', payload: { errors } } satisfies LegacyServerMessage);
  }

  complete(id: string): void {
    this.send({ id, type: 'complete' } satisfies LegacyServerMessage);
  }

  #error(id: string | null, message: string, code: ServerErrorCode): void {
    const error = { message, extensions: { code } };
    this.send({ id, type: 'error', payload: { errors: [error] } } satisfies LegacyServerMessage);
  }
}

/** The id of a malformed message, when one can be read, so the client can tell which request failed. */
function idOf(data: string): string | null {
  try {
    const parsed: unknown = JSON.parse(data);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
