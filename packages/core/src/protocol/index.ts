export { CloseCode, fatalCloseCodes, limitCloseReason, maxCloseReasonBytes } from './close-codes.js';
export {
  type LegacyClientMessage,
  LegacyMessageType,
  type LegacyServerMessage,
  MessageType,
  negotiateSubprotocol,
  Subprotocol,
  type SubscribePayload,
  type TransportClientMessage,
  type TransportServerMessage,
  type WireError,
  type WireResult,
} from './messages.js';
export { type JsonReviver, ProtocolViolation, parseLegacyMessage, parseTransportMessage } from './parse.js';
export { parseServerMessage, type ServerMessage } from './parse-server.js';
export { type Transport, type TransportConnection, TransportError, type TransportEvents } from './transport.js';
