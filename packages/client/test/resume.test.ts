// Resumable subscriptions (issue 19), the client's half, against a scripted server that speaks the
// wire format: cursors in `extensions.gqlcast.cursor`, `resumeFrom` on re-subscribe, `gap` reports.
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientEvents, type ClientResult, createClient, webSocketTransport } from '../src/index.js';
import { closeScriptedServers, type Frame, type ScriptedConnection, scripted } from './scripted.js';

afterEach(closeScriptedServers);

const words = {
  'graphql-transport-ws': { start: 'subscribe', data: 'next' },
  'graphql-ws': { start: 'start', data: 'data' },
} as const;

/** Notification `n` of a retaining channel: its cursor is `c<n>`. */
const tick = (n: number, gqlcast: object = {}) => ({
  data: { tick: n },
  extensions: { gqlcast: { cursor: `c${n}`, ...gqlcast } },
});

/** Reads results until `count` arrived, then stops the subscription. */
async function take(subscription: AsyncIterableIterator<ClientResult>, count: number): Promise<ClientResult[]> {
  const seen: ClientResult[] = [];
  for await (const result of subscription) {
    seen.push(result);
    if (seen.length === count) break;
  }
  return seen;
}

describe.each(Object.keys(words) as (keyof typeof words)[])('resuming (%s)', (protocol) => {
  const word = words[protocol];

  /** Acknowledges, then reads the subscription's start frame; `results` sends its results. */
  async function accept(connection: ScriptedConnection, ackPayload?: object) {
    await connection.next(); // connection_init
    connection.send(ackPayload ? { type: 'connection_ack', payload: ackPayload } : { type: 'connection_ack' });
    const start = await connection.next();
    const results = (...payloads: object[]) => {
      for (const payload of payloads) connection.send({ id: start.id, type: word.data, payload });
    };
    return { start, results };
  }

  it('re-subscribes from the last cursor it handed over: one stream, no duplicate, the gap reported', async () => {
    const starts: Frame[] = [];
    const url = await scripted(async (connection, index) => {
      const { start, results } = await accept(connection);
      starts.push(start);
      if (index === 0) {
        results(tick(1), tick(2));
        connection.socket.close(1012, 'Service restart');
      } else if (index === 1) {
        // The resume point itself again (a server that replays it): not delivered twice.
        // Then c3 is lost: the server reports the gap on the next result, and goes on.
        results(tick(2), tick(4, { gap: { missed: 1 } }), tick(5));
        connection.socket.close(1012, 'Service restart');
      } else results(tick(6));
    });
    const client = createClient({ transport: webSocketTransport(url), protocol, retry: { minDelay: 1, maxDelay: 5 } });
    const gaps: ClientEvents['gap'][] = [];
    client.on('gap', (gap) => gaps.push(gap));
    const subscription = client.subscribe({
      query: 'subscription { tick }',
      extensions: { app: 1, gqlcast: { trace: true } },
    });
    expect(await take(subscription, 5)).toEqual([tick(1), tick(2), tick(4, { gap: { missed: 1 } }), tick(5), tick(6)]);
    expect(gaps).toEqual([{ id: subscription.id, missed: 1 }]);
    // The application's own extensions are kept; the cursor rides along after a reconnection.
    expect(starts.map((start) => [start.type, start.payload])).toEqual([
      [word.start, { query: 'subscription { tick }', extensions: { app: 1, gqlcast: { trace: true } } }],
      [
        word.start,
        { query: 'subscription { tick }', extensions: { app: 1, gqlcast: { trace: true, resumeFrom: 'c2' } } },
      ],
      [
        word.start,
        { query: 'subscription { tick }', extensions: { app: 1, gqlcast: { trace: true, resumeFrom: 'c5' } } },
      ],
    ]);
    await client.close();
  });

  it('takes the cursor of a confirmation as a resume point, and yields a gap reported on one in its place', async () => {
    const starts: Frame[] = [];
    const url = await scripted(async (connection, index) => {
      const { start, results } = await accept(connection, { confirmSubscriptions: true });
      starts.push(start);
      if (index === 0) {
        // Confirmed, nothing delivered yet: the confirmation says where the subscription starts.
        results({ data: null, extensions: { gqlcast: { cursor: 'c0' } } });
        connection.socket.close(1012, 'Service restart');
      } else {
        // The resume point is unknown to this server: an uncountable gap, on the confirmation.
        results({ data: null, extensions: { gqlcast: { cursor: 'c3', gap: {} } } }, tick(4));
      }
    });
    const client = createClient({ transport: webSocketTransport(url), protocol, retry: { minDelay: 1, maxDelay: 5 } });
    const gaps: ClientEvents['gap'][] = [];
    client.on('gap', (gap) => gaps.push(gap));
    const subscription = client.subscribe({ query: 'subscription { tick }' });
    expect(await subscription.ready).toEqual({ data: null, extensions: { gqlcast: { cursor: 'c0' } } });
    // The confirmations are not results; the gap one carried is, with nothing else in it.
    expect(await take(subscription, 2)).toEqual([{ extensions: { gqlcast: { cursor: 'c3', gap: {} } } }, tick(4)]);
    expect(gaps).toEqual([{ id: subscription.id, missed: undefined }]);
    expect(starts.map((start) => start.payload)).toEqual([
      { query: 'subscription { tick }' },
      { query: 'subscription { tick }', extensions: { gqlcast: { resumeFrom: 'c0' } } },
    ]);
    await client.close();
  });

  it('passes a resume point of the application along, and ends with the errors when the server refuses it', async () => {
    const url = await scripted(async (connection) => {
      const { start } = await accept(connection, { confirmSubscriptions: true });
      const resumeFrom = (start.payload as { extensions?: { gqlcast?: { resumeFrom?: string } } }).extensions?.gqlcast
        ?.resumeFrom;
      const error = {
        message: `Malformed cursor: ${resumeFrom}`,
        extensions: { code: 'GQLCAST_RESUME_CURSOR_INVALID' },
      };
      connection.send(
        protocol === 'graphql-ws'
          ? { id: start.id, type: 'error', payload: error }
          : { id: start.id, type: 'error', payload: [error] },
      );
    });
    const client = createClient({ transport: webSocketTransport(url), protocol, retry: false });
    const subscription = client.subscribe({
      query: 'subscription { tick }',
      extensions: { gqlcast: { resumeFrom: 'not-a-cursor' } },
    });
    const refused = {
      message: 'Malformed cursor: not-a-cursor',
      extensions: { code: 'GQLCAST_RESUME_CURSOR_INVALID' },
    };
    await expect(subscription.ready).rejects.toMatchObject({ errors: [refused] });
    expect(await subscription.next()).toEqual({ done: false, value: { errors: [refused] } });
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    await client.close();
  });

  it('re-subscribes exactly as before when the server sends no cursor (a channel that retains nothing)', async () => {
    const starts: Frame[] = [];
    const url = await scripted(async (connection, index) => {
      const { start, results } = await accept(connection);
      starts.push(start);
      results({ data: { tick: index } });
      if (index === 0) connection.socket.close(1012, 'Service restart');
    });
    const client = createClient({ transport: webSocketTransport(url), protocol, retry: { minDelay: 1, maxDelay: 5 } });
    const subscription = client.subscribe({ query: 'subscription { tick }', variables: { a: 1 } });
    expect(await take(subscription, 2)).toEqual([{ data: { tick: 0 } }, { data: { tick: 1 } }]);
    expect(starts[1]).toEqual(starts[0]);
    await client.close();
  });
});
