// The load generator process (pinned to core 1): raw connections to one contender at a time,
// driven over IPC (runner/protocol.ts `LoadgenRequest`). Cheaper per notification than any
// server: no ws, no JSON.parse on the hot path, one shared read buffer.
import type { LoadgenRequest, LoadgenVerified } from '../runner/protocol.js';
import { churn } from './churn.js';
import { Connection } from './connection.js';
import { Recorder, summarize } from './recorder.js';
import { subscribe, unsubscribe } from './subscriptions.js';
import { checkCounts, checkSample } from './verify.js';

const recorder = new Recorder();
let connections: Connection[] = [];
const send = (message: object) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `count` connections, at most `batch` handshakes in flight; resolves once all are acked. */
async function connectAll(request: Extract<LoadgenRequest, { type: 'connect' }>) {
  const started = performance.now();
  const opened: Connection[] = [];
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (next < request.count) {
      const connection = new Connection(next++, request.protocol, recorder);
      opened.push(connection);
      await connection.open(request.port, request.path).catch((error) => failures.push(String(error)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.batch, request.count) }, worker));
  connections = opened.sort((a, b) => a.index - b.index);
  return {
    type: 'connected',
    ms: performance.now() - started,
    failed: failures.length,
    failures: failures.slice(0, 5),
  };
}

/** One transport-level round trip per connection, so the server has read what came before. */
async function settle() {
  if (connections[0]?.protocol === 'graphql-transport-ws') {
    const before = connections.map((c) => c.pongs);
    for (const connection of connections) connection.send({ type: 'ping' });
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && connections.some((c, i) => c.pongs === before[i])) await sleep(10);
  }
  await sleep(50);
  return { type: 'settled' };
}

async function drain(request: Extract<LoadgenRequest, { type: 'drain' }>) {
  const started = performance.now();
  let seen = recorder.received;
  let progressAt = started;
  while (recorder.received < request.expected) {
    await sleep(5);
    const at = performance.now();
    if (recorder.received !== seen) {
      seen = recorder.received;
      progressAt = at;
    }
    if (at - progressAt > request.quietMs || at - started > request.timeoutMs) break;
  }
  // Late duplicates would show in the counts: give them a moment.
  await sleep(20);
  return {
    type: 'drained',
    received: recorder.received,
    spanMs: recorder.lastArrival > 0 ? recorder.lastArrival - (performance.timeOrigin + recorder.wallMark) : 0,
    drainMs: performance.now() - started,
    complete: recorder.received >= request.expected,
  };
}

function verify(request: Extract<LoadgenRequest, { type: 'verify' }>): LoadgenVerified {
  const cpuPct = recorder.cpuPct();
  const { expected, problems } = checkCounts(connections, request.expect);
  let checked = 0;
  let detail: string | undefined;
  for (const sample of recorder.samples) {
    if (!sample) continue;
    checked++;
    const connection = connections[sample.connection]!;
    detail ??= checkSample(connection, sample.slot, sample.text);
  }
  const ok = problems.length === 0 && detail === undefined && recorder.received === expected;
  return {
    type: 'verified',
    ok,
    received: recorder.received,
    expected,
    problems,
    sample: { checked, ok: detail === undefined, ...(detail ? { detail } : {}) },
    latency: summarize(recorder.latency),
    ...(recorder.completion ? { completion: summarize(recorder.completion) } : {}),
    cpuPct,
  };
}

process.on('message', async (request: LoadgenRequest) => {
  switch (request.type) {
    case 'connect':
      return send(await connectAll(request));
    case 'subscribe':
      for (const c of connections.slice(0, request.first ?? connections.length))
        subscribe(c, request.kind, request.rooms ?? 1);
      return send({ type: 'subscribed' });
    case 'unsubscribe':
      for (const c of connections.slice(0, request.first ?? connections.length)) unsubscribe(c, request.kind);
      return send({ type: 'unsubscribed' });
    case 'settle':
      return send(await settle());
    case 'phase':
      for (const connection of connections) connection.counts.fill(0);
      recorder.start(request.name, request.completion ?? 0);
      return send({ type: 'phased' });
    case 'drain':
      return send(await drain(request));
    case 'verify':
      return send(verify(request));
    case 'churn':
      return send(await churn(connections, recorder, request));
    case 'close': {
      await Promise.all(connections.map((c) => c.close()));
      const errors = connections.flatMap((c) => c.errors).slice(0, 5);
      connections = [];
      return send({ type: 'closed', errors });
    }
    case 'exit':
      process.exit(0);
  }
});
send({ type: 'ready' });
