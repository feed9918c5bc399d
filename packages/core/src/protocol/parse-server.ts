import type { WireError } from './messages.js';
import { ProtocolViolation } from './parse.js';

/**
 * A server message of either subprotocol, as a client sees it: one shape per
 * meaning, so a client handles `next` (graphql-transport-ws) and `data` (legacy)
 * in one place, and `error` always carries a list.
 */
export type ServerMessage =
  | { readonly type: 'connection_ack'; readonly payload: Record<string, unknown> | undefined }
  | { readonly type: 'ping' | 'pong'; readonly payload: Record<string, unknown> | undefined }
  | { readonly type: 'ka' }
  | { readonly type: 'connection_error'; readonly payload: unknown }
  | { readonly type: 'next' | 'data'; readonly id: string; readonly payload: unknown }
  | { readonly type: 'error'; readonly id: string | null; readonly errors: readonly WireError[] }
  | { readonly type: 'complete'; readonly id: string };

type Raw = Record<string, unknown> & { type?: unknown; id?: unknown; payload?: unknown };

/**
 * Parses a frame a server sent, in either subprotocol; throws a
 * {@link ProtocolViolation} on anything neither allows. A legacy `error`
 * (`{ errors }` or a single error) is normalised to a list.
 */
export function parseServerMessage(data: string): ServerMessage {
  let message: Raw;
  try {
    message = JSON.parse(data) as Raw;
  } catch {
    throw new ProtocolViolation('Invalid message received: not JSON');
  }
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new ProtocolViolation('Invalid message received: "type" must be a string');
  }
  const { id, type } = message;
  const payload = message.payload as (Record<string, unknown> & { errors?: unknown }) | undefined;
  switch (type) {
    case 'connection_ack':
    case 'ping':
    case 'pong':
      return { type, payload: payload ?? undefined };
    case 'ka':
      return { type };
    case 'connection_error':
      return { type, payload };
    case 'next':
    case 'data':
    case 'complete':
      if (typeof id !== 'string') throw new ProtocolViolation(`"${type}" message expects "id" to be a string`);
      return type === 'complete' ? { type, id } : { type, id, payload };
    case 'error': {
      // graphql-transport-ws: the payload is the list; legacy: `{ errors }` or a single error.
      const errors = Array.isArray(payload)
        ? payload
        : Array.isArray(payload?.errors)
          ? payload.errors
          : payload == null
            ? []
            : [payload];
      return { type, id: typeof id === 'string' ? id : null, errors: errors as WireError[] };
    }
    default:
      throw new ProtocolViolation(`Unexpected message of type "${type}" received`);
  }
}
