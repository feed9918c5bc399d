import {
  CloseCode,
  ProtocolViolation,
  parseTransportMessage,
  type TransportClientMessage,
  type TransportServerMessage,
  type WireError,
  type WireResult,
} from '@gqlcast/core/protocol';
import { ProtocolConnection } from '../connection.js';
import { type NotificationFrame, NotificationFrames } from '../frames.js';
import { checkMessageLimits } from '../message-limits.js';

/**
 * The `next` message of a push notification, built around a result serialized once: this module
 * owns the whole frame (head and tail), as it owns every other message of its protocol.
 */
export const nextFrames = new NotificationFrames((id) => `{"id":${JSON.stringify(id)},"type":"next","payload":`, '}');

/** One object for every connection: it is sent, never changed. */
const keepAlive: TransportServerMessage = { type: 'ping' };

/**
 * The graphql-transport-ws protocol (graphql-ws PROTOCOL.md), server side.
 * Each rule is quoted where it is enforced.
 */
export class TransportWsConnection extends ProtocolConnection<TransportClientMessage> {
  protected get keepAliveMessage(): TransportServerMessage {
    return keepAlive;
  }

  protected parse(data: string): TransportClientMessage | undefined {
    try {
      const message = parseTransportMessage(data);
      checkMessageLimits(message, data, this.scope.options.messageLimits);
      return message;
    } catch (error) {
      // "Receiving a message of a type or format which is not specified in this document
      // will result in an immediate socket closure with the event 4400: <error-message>."
      if (error instanceof ProtocolViolation) {
        this.closeWith(CloseCode.BadRequest, error.message);
        return undefined;
      }
      throw error;
    }
  }

  protected isControl(message: TransportClientMessage): boolean {
    return message.type === 'ping' || message.type === 'pong';
  }

  protected async handle(message: TransportClientMessage, frameLength: number): Promise<void> {
    switch (message.type) {
      case 'connection_init': {
        // "If the server receives more than one ConnectionInit message at any given time,
        // the server will close the socket with the event 4429: Too many initialisation requests."
        if (this.initReceived)
          return this.closeWith(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        const decision = await this.decide(message.payload);
        if (!this.isOpen) return;
        // "If the server wishes to reject the connection it is recommended to close the socket
        // with 4403: Forbidden."
        if (!decision.accepted) return this.closeWith(CloseCode.Forbidden, decision.reason);
        return this.acknowledge(decision.ackPayload);
      }

      case 'ping':
        // Pong: "The response to the Ping message. Must be sent as soon as the Ping message is received."
        return this.send(message.payload ? { type: 'pong', payload: message.payload } : { type: 'pong' });

      case 'pong':
        // "A response to the Ping message. [...] can be used as a unidirectional heartbeat": nothing to do.
        return;

      case 'subscribe':
        // "If the server receives a Subscribe message before the connection was acknowledged,
        // it must close the socket with 4401: Unauthorized."
        if (!this.connection.acknowledged) return this.closeWith(CloseCode.Unauthorized, 'Unauthorized');
        // "If there is already an active subscriber for an operation matching the provided ID,
        // the server will close the socket immediately with the event 4409: Subscriber for <id> already exists."
        if (this.operations.has(message.id)) {
          return this.closeWith(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
        }
        return this.operations.start(message.id, message.payload, frameLength);

      case 'complete':
        // Client -> Server complete: "indicates that the client has stopped listening and wants to
        // complete the subscription. No further events, relevant to the original subscription,
        // should be sent through." The server sends nothing back; an unknown id is ignored.
        void this.operations.stop(message.id, 'complete');
        return;
    }
  }

  notificationFrame(id: string): NotificationFrame {
    return nextFrames.for(id);
  }

  next(id: string, result: WireResult): void {
    this.send({ id, type: 'next', payload: result } satisfies TransportServerMessage);
  }

  fail(id: string, errors: readonly WireError[]): void {
    // Error: "Operation execution error(s) [...] The operation is terminated": no `complete` follows.
    this.send({ id, type: 'error', payload: errors } satisfies TransportServerMessage);
  }

  complete(id: string): void {
    this.send({ id, type: 'complete' } satisfies TransportServerMessage);
  }
}
