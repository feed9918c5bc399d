// S6 churn in the load generator: each connection re-subscribes every `periodMs` (the ticks of
// all connections staggered evenly over the period), each time with a fresh id `c<n>` (the
// protocol allows reusing an id only once the server handled its complete; fresh ids never
// depend on that), and completes each subscription on its first `next`. So every subscription
// costs the server one subscribe, one notification and one complete: a subscription kept open
// until the next tick would receive period ÷ event interval notifications, and the fan-out would
// then outweigh the subscribes in every figure. A connection whose subscription has not had its
// first `next` by its next tick skips that tick (counted): every subscription is measured, none
// is completed unanswered.
// Measured per subscription: the subscribe frame's write → its first `next`'s read (both on this
// process's clock). That is the server's subscribe work, the wait for the next broadcast (the
// server publishes one every few ms, the same schedule for every contender) and its delivery.
import { globalDocument } from '../contenders/schema.js';
import type { LoadgenChurned, LoadgenRequest } from '../runner/protocol.js';
import type { Connection } from './connection.js';
import { churnSlot } from './frames.js';
import { histogram, type Recorder, summarize } from './recorder.js';
import { checkSample } from './verify.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = () => performance.timeOrigin + performance.now();

export async function churn(
  connections: readonly Connection[],
  recorder: Recorder,
  request: Extract<LoadgenRequest, { type: 'churn' }>,
): Promise<LoadgenChurned> {
  const n = connections.length;
  /** The id number of each connection's subscription awaiting its first `next`, or 0. */
  const open = new Int32Array(n);
  const sentAt = new Float64Array(n);
  const firstNext = histogram();
  const problems: string[] = [];
  let subscribes = 0;
  let skipped = 0;
  let firstNexts = 0;
  let nextsAfterComplete = 0;

  const onNext = (connection: Connection, id: number, now: number) => {
    const k = connection.index;
    if (id === open[k]) {
      firstNext.recordValue(Math.max(0, Math.round((now - sentAt[k]!) * 1000)));
      firstNexts++;
      open[k] = 0;
      connection.completed.add(`c${id}`);
      connection.send({ id: `c${id}`, type: 'complete' });
    } else if (id > 0 && id <= connection.churnId) nextsAfterComplete++;
    else if (problems.length < 10) problems.push(`connection ${k}: a next for c${id}, which it never subscribed`);
  };
  for (const connection of connections) connection.onChurnNext = onNext;

  const tick = (k: number) => {
    if (open[k] !== 0) {
      skipped++;
      return;
    }
    const connection = connections[k]!;
    const id = ++connection.churnId;
    open[k] = id;
    sentAt[k] = clock();
    connection.send({ id: `c${id}`, type: 'subscribe', payload: { query: globalDocument, variables: {} } });
    subscribes++;
  };

  // The same scheduling as the host's rate loop: every tick whose time has come goes now.
  const interval = request.periodMs / n;
  const total = Math.floor(request.durationMs / interval);
  const start = clock();
  let j = 0;
  let tickLagMaxMs = 0;
  while (j < total) {
    const current = clock();
    while (j < total && start + j * interval <= current) {
      tickLagMaxMs = Math.max(tickLagMaxMs, current - (start + j * interval));
      tick(j % n);
      j++;
    }
    await sleep(Math.max(0, Math.min(1, start + j * interval - clock())));
  }
  const deadline = clock() + request.timeoutMs;
  while (open.some((id) => id !== 0) && clock() < deadline) await sleep(5);
  for (const connection of connections) connection.onChurnNext = undefined;

  const left = open.filter((id) => id !== 0).length;
  if (left > 0) problems.unshift(`${left} subscriptions had no next within ${request.timeoutMs} ms after the churn`);
  for (const connection of connections)
    for (const error of connection.errors)
      if (problems.length < 10) problems.push(`connection ${connection.index}: ${error}`);
  const sample = recorder.samples[churnSlot];
  if (sample) {
    const detail = checkSample(connections[sample.connection]!, sample.slot, sample.text);
    if (detail) problems.push(`sampled frame: ${detail}`);
  } else if (firstNexts > 0) problems.push('no sampled frame');
  return {
    type: 'churned',
    offered: total,
    subscribes,
    skipped,
    firstNexts,
    open: left,
    nextsAfterComplete,
    firstNext: summarize(firstNext),
    tickLagMaxMs,
    problems,
    cpuPct: recorder.cpuPct(),
  };
}
