import { ProtocolViolation } from '@gqlcast/core/protocol';
import type { MessageLimits } from './options.js';

/**
 * The size limits of `messageLimits`, checked on every parsed client message
 * before it is acted on. An operation id is repeated in every frame the
 * server sends for it, and kept as long as the operation runs: a 1 MiB id on a
 * subscription that stops reading multiplied the server's memory by its
 * notifications. A ping's payload is echoed in the pong.
 */
export function checkMessageLimits(
  message: { readonly type: string; readonly id?: string; readonly payload?: unknown },
  frame: string,
  limits: MessageLimits,
): void {
  if (message.id !== undefined && exceeds(message.id, limits.operationId)) {
    throw new ProtocolViolation(`"${message.type}" message's "id" is longer than ${limits.operationId} bytes`);
  }
  if (message.type === 'ping' || message.type === 'pong') {
    if (exceeds(frame, limits.pingPayload)) {
      throw new ProtocolViolation(`"${message.type}" message is longer than ${limits.pingPayload} bytes`);
    }
    return;
  }
  const name = (message.payload as { operationName?: unknown } | undefined)?.operationName;
  if (typeof name === 'string' && exceeds(name, limits.operationName)) {
    throw new ProtocolViolation(
      `"${message.type}" message's "payload.operationName" is longer than ${limits.operationName} bytes`,
    );
  }
}

/** Whether `text` is longer than `max` UTF-8 bytes; counts bytes only when the length alone cannot tell. */
function exceeds(text: string, max: number): boolean {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes.
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return Buffer.byteLength(text) > max;
}
