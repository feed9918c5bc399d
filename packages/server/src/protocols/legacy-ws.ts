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
import { checkMessageLimits } from '../message-limits.js';

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
  #held: { id: string; payload: SubscribePayload; frameLength: number }[] = [];
  /** What the held `start`s weigh: they count in `maxRetainedBytesPerConnection` like running subscriptions. */
  #heldLength = 0;

  protected parse(data: string): LegacyClientMessage | undefined {
    try {
      const message = parseLegacyMessage(data);
      checkMessageLimits(message, data, this.scope.options.messageLimits);
      return message;
    } catch (error) {
      // The legacy protocol answers a bad message with an `error` and keeps the connection.
      if (error instanceof ProtocolViolation) {
        this.#error(
          idOf(data, this.scope.options.messageLimits.operationId),
          error.message,
          ServerErrorCode.BadMessage,
        );
        return undefined;
      }
      throw error;
    }
  }

  protected isControl(message: LegacyClientMessage): boolean {
    return message.type === 'connection_terminate';
  }

  protected async handle(message: LegacyClientMessage, frameLength: number): Promise<void> {
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
          this.#heldLength = 0;
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
        this.#heldLength = 0;
        await Promise.all(held.map(({ id, payload, frameLength }) => this.operations.start(id, payload, frameLength)));
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
        if (!this.connection.acknowledged) return this.#hold(message.id, message.payload, frameLength);
        return this.operations.start(message.id, message.payload, frameLength);
      }

      case 'stop': {
        // GQL_STOP ends the operation; the server answers GQL_COMPLETE, once.
        const held = this.#held.findIndex((entry) => entry.id === message.id);
        if (held >= 0) {
          this.#heldLength -= this.#held[held]?.frameLength ?? 0;
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

  /**
   * Holds a `start` until `onConnect` decides, within the limits a running connection has: at most
   * `maxSubscriptionsPerConnection` of them, weighing at most `maxRetainedBytesPerConnection`. An
   * unacknowledged connection must not park more than an accepted one could run.
   */
  #hold(id: string, payload: SubscribePayload, frameLength: number): void {
    const { maxSubscriptionsPerConnection, maxRetainedBytesPerConnection } = this.scope.options;
    if (this.#held.length >= maxSubscriptionsPerConnection) {
      this.#error(
        id,
        `Too many operations sent before connection_ack (limit ${maxSubscriptionsPerConnection}): wait for the acknowledgement.`,
        ServerErrorCode.TooManyHeldOperations,
      );
      return;
    }
    if (this.#heldLength + frameLength > maxRetainedBytesPerConnection) {
      this.#error(
        id,
        `Operations sent before connection_ack exceed ${maxRetainedBytesPerConnection} bytes (maxRetainedBytesPerConnection): wait for the acknowledgement.`,
        ServerErrorCode.ConnectionMemoryExceeded,
      );
      return;
    }
    this.#held.push({ id, payload, frameLength });
    this.#heldLength += frameLength;
  }

  #error(id: string | null, message: string, code: ServerErrorCode): void {
    const error = { message, extensions: { code } };
    this.send({ id, type: 'error', payload: { errors: [error] } } satisfies LegacyServerMessage);
  }
}

/**
 * The id of a malformed message, when one can be read, so the client can tell which request failed.
 * An id over the size limit is not echoed: repeating it is what the limit prevents.
 */
function idOf(data: string, maxBytes: number): string | null {
  try {
    const parsed: unknown = JSON.parse(data);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && Buffer.byteLength(id) <= maxBytes ? id : null;
  } catch {
    return null;
  }
}
