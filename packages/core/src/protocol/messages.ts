/** The two WebSocket subprotocols of GraphQL, by their `Sec-WebSocket-Protocol` names. */
export const Subprotocol = {
  /** The modern protocol of the `graphql-ws` package (graphql-ws PROTOCOL.md). */
  TransportWs: 'graphql-transport-ws',
  /** The legacy protocol of `subscriptions-transport-ws` (Apollo's original). */
  LegacyWs: 'graphql-ws',
} as const;
export type Subprotocol = (typeof Subprotocol)[keyof typeof Subprotocol];

/**
 * Picks the subprotocol from what the client offered: graphql-transport-ws
 * wins when both are offered; `undefined` when neither is.
 */
export function negotiateSubprotocol(offered: Iterable<string>): Subprotocol | undefined {
  let legacy = false;
  for (const name of offered) {
    if (name === Subprotocol.TransportWs) return Subprotocol.TransportWs;
    if (name === Subprotocol.LegacyWs) legacy = true;
  }
  return legacy ? Subprotocol.LegacyWs : undefined;
}

/** What a `subscribe` (or legacy `start`) message asks to run. */
export interface SubscribePayload {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null | undefined;
  readonly operationName?: string | null | undefined;
  readonly extensions?: Record<string, unknown> | null | undefined;
}

/** A GraphQL error as it travels on the wire. */
export interface WireError {
  readonly message: string;
  readonly locations?: readonly { readonly line: number; readonly column: number }[];
  readonly path?: readonly (string | number)[];
  readonly extensions?: Record<string, unknown>;
}

/** A GraphQL result as it travels on the wire. */
export interface WireResult {
  readonly data?: unknown;
  readonly errors?: readonly WireError[];
  readonly extensions?: Record<string, unknown>;
}

/** graphql-transport-ws message types. */
export const MessageType = {
  ConnectionInit: 'connection_init',
  ConnectionAck: 'connection_ack',
  Ping: 'ping',
  Pong: 'pong',
  Subscribe: 'subscribe',
  Next: 'next',
  Error: 'error',
  Complete: 'complete',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** graphql-transport-ws messages, by direction. */
export type TransportClientMessage =
  | { readonly type: 'connection_init'; readonly payload?: Record<string, unknown> | null | undefined }
  | { readonly type: 'ping'; readonly payload?: Record<string, unknown> | null | undefined }
  | { readonly type: 'pong'; readonly payload?: Record<string, unknown> | null | undefined }
  | { readonly type: 'subscribe'; readonly id: string; readonly payload: SubscribePayload }
  | { readonly type: 'complete'; readonly id: string };

/** graphql-transport-ws messages a server sends. */
export type TransportServerMessage =
  | { readonly type: 'connection_ack'; readonly payload?: Record<string, unknown> }
  | { readonly type: 'ping'; readonly payload?: Record<string, unknown> }
  | { readonly type: 'pong'; readonly payload?: Record<string, unknown> }
  | { readonly type: 'next'; readonly id: string; readonly payload: WireResult }
  | { readonly type: 'error'; readonly id: string; readonly payload: readonly WireError[] }
  | { readonly type: 'complete'; readonly id: string };

/** Legacy graphql-ws (subscriptions-transport-ws) message types. */
export const LegacyMessageType = {
  ConnectionInit: 'connection_init',
  ConnectionAck: 'connection_ack',
  ConnectionError: 'connection_error',
  ConnectionKeepAlive: 'ka',
  ConnectionTerminate: 'connection_terminate',
  Start: 'start',
  Stop: 'stop',
  Data: 'data',
  Error: 'error',
  Complete: 'complete',
} as const;
export type LegacyMessageType = (typeof LegacyMessageType)[keyof typeof LegacyMessageType];

/** Legacy messages, by direction. */
export type LegacyClientMessage =
  | { readonly type: 'connection_init'; readonly payload?: Record<string, unknown> | null | undefined }
  | { readonly type: 'connection_terminate' }
  | { readonly type: 'start'; readonly id: string; readonly payload: SubscribePayload }
  | { readonly type: 'stop'; readonly id: string };

/** Legacy messages a server sends. */
export type LegacyServerMessage =
  | { readonly type: 'connection_ack'; readonly payload?: Record<string, unknown> }
  | { readonly type: 'connection_error'; readonly payload: WireError }
  | { readonly type: 'ka' }
  | { readonly type: 'data'; readonly id: string; readonly payload: WireResult }
  | { readonly type: 'error'; readonly id?: string | null; readonly payload: { readonly errors: readonly WireError[] } }
  | { readonly type: 'complete'; readonly id: string };
