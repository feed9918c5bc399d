// How the load generator subscribes: per connection index, the documents and arguments of
// runner/protocol.ts `SubscriptionKind`, in either subprotocol's message format.
import { globalDocument, roomDocument, shapedDocuments } from '../contenders/schema.js';
import type { SubscriptionKind } from '../runner/protocol.js';
import type { Connection, Held } from './connection.js';

/** The room and parity of connection `i`: 10 per room with parities split evenly. */
export function roomOf(i: number, rooms: number): { room: number; parity: number } {
  return { room: i % rooms, parity: Math.floor(i / rooms) % 2 };
}

export function documentOf(
  kind: 'global' | 'room' | 'shaped',
  held: Held,
): { query: string; variables: Record<string, unknown> } {
  if (kind === 'global') return { query: globalDocument, variables: {} };
  if (kind === 'room')
    return { query: roomDocument, variables: { id: `r${held.room!.room}`, parity: held.room!.parity } };
  return { query: shapedDocuments[held.shaped!.document]!, variables: { variant: held.shaped!.variant } };
}

function start(connection: Connection, id: string, query: string, variables: Record<string, unknown>): void {
  connection.completed.delete(id);
  const type = connection.protocol === 'graphql-ws' ? 'start' : 'subscribe';
  connection.send({ id, type, payload: { query, variables } });
}

export function subscribe(connection: Connection, kind: SubscriptionKind, rooms: number): void {
  const i = connection.index;
  const held = connection.held;
  switch (kind) {
    case 'global':
      held.global = true;
      start(connection, 'g', globalDocument, {});
      return;
    case 'room': {
      held.room = { rooms, ...roomOf(i, rooms) };
      const { query, variables } = documentOf('room', held);
      start(connection, 'r', query, variables);
      return;
    }
    case 'shaped': {
      held.shaped = { document: i % 10, variant: Math.floor(i / 10) % 10 };
      const { query, variables } = documentOf('shaped', held);
      start(connection, 's', query, variables);
      return;
    }
    case 'idle':
      for (let k = 0; k < 5; k++) start(connection, `x${k}`, roomDocument, { id: `idle-${k}`, parity: 0 });
  }
}

export function unsubscribe(connection: Connection, kind: SubscriptionKind): void {
  const type = connection.protocol === 'graphql-ws' ? 'stop' : 'complete';
  const ids =
    kind === 'idle' ? ['x0', 'x1', 'x2', 'x3', 'x4'] : [kind === 'global' ? 'g' : kind === 'room' ? 'r' : 's'];
  for (const id of ids) {
    connection.completed.add(id);
    connection.send({ id, type });
  }
  if (kind === 'global') delete connection.held.global;
  if (kind === 'room') delete connection.held.room;
  if (kind === 'shaped') delete connection.held.shaped;
}
