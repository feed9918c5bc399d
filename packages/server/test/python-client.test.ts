// The Python library DjangoChannelsGraphqlWs's own client (copied unchanged
// into test/python-client/dcgw_client) against gqlcast's server over a real
// socket, on both subprotocols: what its users' clients and tests do.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startServer } from './utils/test-server.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('./python-client/', import.meta.url));
// Debian's Python, where `apt-get install python3-aiohttp` puts aiohttp
// (scripts/ensure-system.sh installs it); a pyenv python3 earlier on PATH would not have it.
const python = process.env.GQLCAST_PYTHON ?? '/usr/bin/python3';

describe.each(['graphql-transport-ws', 'graphql-ws'])('DjangoChannelsGraphqlWs client on %s', (protocol) => {
  it('connects with its empty-string payload, queries, subscribes, gets the broadcast after the mutation’s result, completes', async () => {
    // As the Python library's tests configure their consumer: confirmations and strict ordering.
    await using server = await startServer({ confirmSubscriptions: true, strictOrdering: true });
    const { stdout } = await run(python, [`${here}run_client.py`, server.url, protocol], {
      cwd: here,
      timeout: 20_000, // below the test timeout, so a hang reports the client's output
    });
    const steps = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string; value: unknown });
    expect(steps).toEqual([
      { step: 'connected', value: protocol },
      { step: 'query', value: { data: { hello: 'Hello, python!' } } },
      { step: 'subscribed', value: true },
      { step: 'mutation', value: { data: { send: true } } },
      { step: 'notification', value: { data: { onMessage: { room: 'py', text: 'from python', from: 'anonymous' } } } },
      { step: 'completed', value: true },
      { step: 'done', value: true },
    ]);
  });
});
