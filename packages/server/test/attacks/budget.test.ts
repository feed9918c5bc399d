// Issue 15, item 2: the per-connection memory budget of docs/security.md, measured. A connection
// filled to its limits (maxSubscriptionsPerConnection subscriptions, maxRetainedBytesPerConnection
// of messages) must not make the heap grow by more than the budget the docs state.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { serverDefaults } from '../../src/index.js';
import { startServer } from '../utils/test-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

describe('the per-connection memory budget', () => {
  it('holds: a connection at its limits grows the heap by less than 2 × maxRetainedBytesPerConnection', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    const before = await settledHeap();
    const { maxSubscriptionsPerConnection, maxRetainedBytesPerConnection } = serverDefaults;
    // Each message just under its share of the budget, with the variables a hostile client would send.
    const share = Math.floor(maxRetainedBytesPerConnection / maxSubscriptionsPerConnection) - 200;
    for (let i = 0; i < maxSubscriptionsPerConnection; i++) {
      // Distinct texts, so no two subscriptions share a cached document.
      const query = `subscription S${i} { onMessage { text } }`;
      client.send({ id: `s${i}`, type: 'subscribe', payload: { query, variables: { padding: 'x'.repeat(share) } } });
    }
    expect(await client.drain()).toEqual([]);
    const grown = (await settledHeap()) - before;
    // What the docs promise: the messages' bytes once, plus the bookkeeping of 100 subscriptions.
    expect(grown).toBeLessThan(2 * maxRetainedBytesPerConnection);
    console.info(`per-connection heap at the limits: ${(grown / 1_048_576).toFixed(2)} MiB`);
  });
});
