import type { WireError } from '@gqlcast/core/protocol';

/** The words each subprotocol uses for starting and stopping an operation. */
export const ProtocolWords = {
  'graphql-transport-ws': { start: 'subscribe', stop: 'complete' },
  'graphql-ws': { start: 'start', stop: 'stop' },
} as const;

/** A server message of either protocol, normalised. */
export type ServerMessage =
  | { type: 'connection_ack'; payload: Record<string, unknown> | undefined }
  | { type: 'ping' | 'pong'; payload: Record<string, unknown> | undefined }
  | { type: 'ka' }
  | { type: 'connection_error'; payload: unknown }
  | { type: 'next' | 'data'; id: string; payload: unknown }
  | { type: 'error'; id: string | null; errors: readonly WireError[] }
  | { type: 'complete'; id: string };

/** Parses a server frame; throws on anything neither protocol allows. */
export function parseServerMessage(data: string): ServerMessage {
  const message = JSON.parse(data) as Record<string, unknown>;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new Error('Invalid message: no type');
  }
  const id = message.id;
  const payload = message.payload as Record<string, unknown> | undefined;
  switch (message.type) {
    case 'connection_ack':
    case 'ping':
    case 'pong':
      return { type: message.type, payload } as ServerMessage;
    case 'ka':
      return { type: 'ka' };
    case 'connection_error':
      return { type: 'connection_error', payload };
    case 'next':
    case 'data':
    case 'complete':
      if (typeof id !== 'string') throw new Error(`Invalid message: "${message.type}" without id`);
      return message.type === 'complete' ? { type: 'complete', id } : { type: message.type, id, payload };
    case 'error': {
      // graphql-transport-ws: payload is the list; legacy: `{ errors }` (or a single error).
      const list = Array.isArray(payload)
        ? payload
        : Array.isArray(payload?.errors)
          ? payload.errors
          : payload !== undefined
            ? [payload]
            : [];
      return { type: 'error', id: typeof id === 'string' ? id : null, errors: list as WireError[] };
    }
    default:
      throw new Error(`Invalid message: unknown type "${message.type}"`);
  }
}
