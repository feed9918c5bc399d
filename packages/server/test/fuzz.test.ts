// 10,000 seeded random mutations of valid protocol messages, through the protocol core.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../src/index.js';
import { createGraphqlWsServer } from '../src/index.js';
import { createFixture } from './utils/schema.js';

interface FakeSocket extends Socket {
  sent: string[];
  closedWith: number | undefined;
  /** Called when the server closes it, as an adapter reports the end of a real socket. */
  onClose: ((code: number) => void) | undefined;
}

function fakeSocket(protocol: 'graphql-transport-ws' | 'graphql-ws'): FakeSocket {
  const socket: FakeSocket = {
    protocol,
    sent: [],
    closedWith: undefined,
    onClose: undefined,
    send(data) {
      socket.sent.push(typeof data === 'string' ? data : data.toString('utf8'));
    },
    drained: () => undefined,
    close(code) {
      if (socket.closedWith !== undefined) return;
      socket.closedWith = code;
      queueMicrotask(() => socket.onClose?.(code));
    },
  };
  return socket;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

const validMessages = [
  { type: 'connection_init', payload: { user: 'fuzz' } },
  { type: 'ping', payload: { n: 1 } },
  { type: 'pong' },
  { id: '1', type: 'subscribe', payload: { query: '{ hello(name: "x") }', variables: { a: 1 }, operationName: null } },
  { id: '2', type: 'subscribe', payload: { query: 'subscription { onMessage(room: "r") { text } }' } },
  { id: '1', type: 'complete' },
  { id: '3', type: 'start', payload: { query: '{ hello }' } },
  { id: '3', type: 'stop' },
  { type: 'connection_terminate' },
];

/** A valid message with one part replaced by arbitrary JSON, or its text cut or altered. */
const mutated = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...validMessages),
      fc.constantFrom('type', 'id', 'payload', 'query', 'variables'),
      fc.jsonValue(),
    )
    .map(([message, key, value]) => {
      const copy: Record<string, unknown> = structuredClone(message);
      if (key === 'query' || key === 'variables') copy.payload = { ...(copy.payload as object), [key]: value };
      else copy[key] = value;
      return JSON.stringify(copy);
    }),
  fc.tuple(fc.constantFrom(...validMessages), fc.nat()).map(([message, cut]) => {
    const textual = JSON.stringify(message);
    return textual.slice(0, cut % (textual.length + 1));
  }),
  fc.string(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '{"type":"__proto__"}',
    '{"__proto__":{"polluted":true},"type":"ping"}',
    '{"type":"subscribe","id":"constructor","payload":{"query":"{ hello }"}}',
  ),
);

describe('fuzzing the protocol core', () => {
  it('never fails internally (no 4500, no unhandled rejection), answers or closes with a protocol code, and keeps serving', async () => {
    const fixture = createFixture();
    const gql = createGraphqlWsServer({ schema: fixture.schema, heartbeatInterval: false, connectionInitTimeout: 0 });
    // A control subscriber on the same server.
    const control = fakeSocket('graphql-transport-ws');
    const controlHandle = gql.core.open(control, { headers: {} });
    control.onClose = (code) => void controlHandle.closed(code, '');
    controlHandle.receive(JSON.stringify({ type: 'connection_init' }));
    await turn();
    controlHandle.receive(
      JSON.stringify({
        id: 'c',
        type: 'subscribe',
        payload: { query: 'subscription { onMessage(room: "control") { text } }' },
      }),
    );
    await fixture.topicSubscribed('messages:room:control');
    let broadcasts = 0;
    const closeCodes = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('graphql-transport-ws' as const, 'graphql-ws' as const),
        fc.boolean(),
        mutated,
        async (protocol, init, message) => {
          const socket = fakeSocket(protocol);
          const handle = gql.core.open(socket, { headers: {} });
          if (init) {
            handle.receive(JSON.stringify({ type: 'connection_init' }));
            // Acknowledged before the mutated message, so operations are fuzzed too, not only the 4401 path.
            await turn();
          }
          handle.receive(message);
          if (protocol === 'graphql-transport-ws')
            handle.receive(JSON.stringify({ type: 'ping', payload: { sentinel: true } }));
          for (let i = 0; i < 3; i++) await turn();
          if (socket.closedWith !== undefined)
            closeCodes.set(socket.closedWith, (closeCodes.get(socket.closedWith) ?? 0) + 1);
          expect(socket.closedWith).not.toBe(4500);
          // Still open on graphql-transport-ws: the sentinel ping was answered.
          if (protocol === 'graphql-transport-ws' && socket.closedWith === undefined) {
            expect(socket.sent.some((sent) => sent.includes('"sentinel":true'))).toBe(true);
          }
          await handle.closed(socket.closedWith ?? 1000, '');
          if (++broadcasts % 500 === 0) {
            await fixture.messages.broadcast({
              group: 'room:control',
              payload: { room: 'control', text: String(broadcasts), from: 'f' },
            });
          }
        },
      ),
      { seed: 20261124, numRuns: 10_000 },
    );

    for (let i = 0; i < 3; i++) await turn();
    const delivered = control.sent.filter((sent) => sent.includes('"onMessage"'));
    expect(delivered).toHaveLength(Math.floor(broadcasts / 500));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Only protocol codes were used to close bad sockets.
    expect([...closeCodes.keys()].every((code) => [1000, 4400, 4401, 4403, 4409, 4429].includes(code))).toBe(true);
    await gql.close();
    await fixture.hub.close();
  }, 120_000);
});
