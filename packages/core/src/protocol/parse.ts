import type { LegacyClientMessage, SubscribePayload, TransportClientMessage } from './messages.js';

/** A message that breaks its protocol; the message says what is wrong, for the close reason or error. */
export class ProtocolViolation extends Error {
  /**
   * Creates the error.
   * @param message - what is wrong, as the close reason or error says it.
   */
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

type Raw = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one text frame into a JSON object with a string `type`. */
function parseFrame(data: string, reviver?: JsonReviver): Raw & { type: string } {
  let value: unknown;
  try {
    value = JSON.parse(data, reviver);
  } catch {
    throw new ProtocolViolation('Invalid message received: not JSON');
  }
  if (!isObject(value))
    throw new ProtocolViolation(`Invalid message received: expected an object, got ${describe(value)}`);
  if (typeof value.type !== 'string') {
    throw new ProtocolViolation(`Invalid message received: "type" must be a string, got ${describe(value.type)}`);
  }
  return value as Raw & { type: string };
}

function requireId(message: Raw & { type: string }): string {
  if (typeof message.id !== 'string' || message.id === '') {
    throw new ProtocolViolation(
      `"${message.type}" message expects "id" to be a non-empty string, got ${describe(message.id)}`,
    );
  }
  return message.id;
}

function optionalPayload(message: Raw & { type: string }): Record<string, unknown> | null | undefined {
  const payload = message.payload;
  if (payload === undefined || payload === null || isObject(payload)) return payload;
  throw new ProtocolViolation(`"${message.type}" message expects "payload" to be an object, got ${describe(payload)}`);
}

/**
 * `connection_init`'s payload. The Python library's client sends `"payload": ""` and its server accepts it:
 * an empty string (like `null`) means "no payload", so that client connects unchanged.
 */
function initPayload(message: Raw & { type: string }): Record<string, unknown> | undefined {
  if (message.payload === '' || message.payload === null) return undefined;
  return optionalPayload(message) ?? undefined;
}

function subscribePayload(message: Raw & { type: string }): SubscribePayload {
  const payload = message.payload;
  if (!isObject(payload)) {
    throw new ProtocolViolation(
      `"${message.type}" message expects "payload" to be an object, got ${describe(payload)}`,
    );
  }
  if (typeof payload.query !== 'string') {
    throw new ProtocolViolation(
      `"${message.type}" message expects "payload.query" to be a string, got ${describe(payload.query)}`,
    );
  }
  for (const key of ['variables', 'extensions'] as const) {
    const value = payload[key];
    if (value !== undefined && value !== null && !isObject(value)) {
      throw new ProtocolViolation(
        `"${message.type}" message expects "payload.${key}" to be an object, got ${describe(value)}`,
      );
    }
  }
  const name = payload.operationName;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new ProtocolViolation(
      `"${message.type}" message expects "payload.operationName" to be a string, got ${describe(name)}`,
    );
  }
  return payload as unknown as SubscribePayload;
}

/** A `JSON.parse` reviver (graphql-ws's `jsonMessageReviver`). */
export type JsonReviver = (this: unknown, key: string, value: unknown) => unknown;

/**
 * Parses and validates a graphql-transport-ws client message; throws a {@link ProtocolViolation}.
 * `reviver` is passed to `JSON.parse`.
 */
export function parseTransportMessage(data: string, reviver?: JsonReviver): TransportClientMessage {
  const message = parseFrame(data, reviver);
  switch (message.type) {
    case 'connection_init':
      return { type: 'connection_init', payload: initPayload(message) };
    case 'ping':
    case 'pong':
      return { type: message.type, payload: optionalPayload(message) } as TransportClientMessage;
    case 'subscribe':
      return { type: 'subscribe', id: requireId(message), payload: subscribePayload(message) };
    case 'complete':
      return { type: 'complete', id: requireId(message) };
    default:
      throw new ProtocolViolation(`Unexpected message of type "${message.type}" received`);
  }
}

/** Parses and validates a legacy graphql-ws client message; throws a {@link ProtocolViolation}. */
export function parseLegacyMessage(data: string): LegacyClientMessage {
  const message = parseFrame(data);
  switch (message.type) {
    case 'connection_init':
      return { type: 'connection_init', payload: initPayload(message) };
    case 'connection_terminate':
      return { type: 'connection_terminate' };
    case 'start':
      return { type: 'start', id: requireId(message), payload: subscribePayload(message) };
    case 'stop':
      return { type: 'stop', id: requireId(message) };
    default:
      throw new ProtocolViolation(`Unexpected message of type "${message.type}" received`);
  }
}
