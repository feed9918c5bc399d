import type { ServerMessage } from '@gqlcast/core/protocol';
import type { Connection } from './connection.js';

/**
 * What `@gqlcast/client/testing` reaches inside a client. The test hooks are
 * built there from these, so a browser bundle without the testing entry does
 * not carry them.
 */
export interface ClientInternals {
  readonly connection: Connection;
  readonly protocol: 'graphql-transport-ws' | 'graphql-ws';
  /** Allocates an id no operation uses. */
  nextId(): string;
  /** Message taps, asked first; one that returns `true` consumes the message. */
  readonly taps: Set<(message: ServerMessage) => boolean>;
}

/** Where a client keeps its internals (a registered symbol, so every copy of the package finds them). */
export const internalsKey: unique symbol = Symbol.for('@gqlcast/client/internals') as never;
