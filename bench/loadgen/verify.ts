// The correctness checks of a phase: every connection received exactly what it should (per
// subscription kind), and one sampled frame per kind equals the result schema.ts defines.
import { isDeepStrictEqual } from 'node:util';
import { expectedData, planOf } from '../contenders/expected.js';
import { makePayload } from '../contenders/schema.js';
import type { Expectation } from '../runner/protocol.js';
import type { Connection, Held } from './connection.js';
import { churnSlot, slotIds } from './frames.js';
import { documentOf } from './subscriptions.js';

/** What `connection` should have counted in each slot. */
function expectedCounts(held: Held, expect: Expectation): number[] {
  const counts = new Array<number>(slotIds.length).fill(0);
  if (held.global) counts[0] = expect.global ?? 0;
  if (held.room && expect.room && expect.room.rooms === held.room.rooms) {
    counts[1] = expect.room.matrix[held.room.room * 2 + held.room.parity] ?? 0;
  }
  if (held.shaped) counts[2] = expect.shaped ?? 0;
  return counts;
}

export function checkCounts(
  connections: readonly Connection[],
  expect: Expectation,
): { expected: number; problems: string[] } {
  let expected = 0;
  const problems: string[] = [];
  for (const connection of connections) {
    const want = expectedCounts(connection.held, expect);
    for (let slot = 0; slot < want.length; slot++) {
      expected += want[slot]!;
      const got = connection.counts[slot]!;
      if (got !== want[slot] && problems.length < 10) {
        problems.push(`connection ${connection.index} id ${slotIds[slot]}: received ${got}, expected ${want[slot]}`);
      }
    }
    for (const error of connection.errors)
      if (problems.length < 10) problems.push(`connection ${connection.index}: ${error}`);
  }
  return { expected, problems };
}

/** Parses a sampled frame and compares its data with the expected result; `undefined` if equal. */
export function checkSample(connection: Connection, slot: number, text: string): string | undefined {
  const message = JSON.parse(text) as { id?: string; type?: string; payload?: { data?: unknown; errors?: unknown } };
  // S6's churning `c<n>` subscriptions hold `global`.
  const kind = slot === 0 || slot === churnSlot ? 'global' : slot === 1 ? 'room' : slot === 2 ? 'shaped' : undefined;
  if (kind === undefined) return `a notification for id ${slotIds[slot]}, which should receive nothing`;
  const wantType = connection.protocol === 'graphql-ws' ? 'data' : 'next';
  const idOk = slot === churnSlot ? /^c\d+$/.test(message.id ?? '') : message.id === slotIds[slot];
  if (message.type !== wantType || !idOk) return `wrong envelope: ${text.slice(0, 120)}`;
  if (message.payload?.errors !== undefined) return `errors: ${JSON.stringify(message.payload.errors)}`;
  const data = message.payload?.data as Record<string, { t: number; seq: number }> | undefined;
  const value = data?.[kind];
  if (!value) return `no data.${kind}: ${text.slice(0, 120)}`;
  const { query, variables } = documentOf(kind, connection.held);
  const room = kind === 'room' ? `r${connection.held.room!.room}` : undefined;
  const want = expectedData(planOf(query, variables), makePayload(value.seq, value.t, room));
  if (want === undefined) return `seq ${value.seq} delivered although publish SKIPs it`;
  return isDeepStrictEqual(data, want) ? undefined : `got ${JSON.stringify(data)}, expected ${JSON.stringify(want)}`;
}
