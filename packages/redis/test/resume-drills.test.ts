// Resume drills (issue 19): real processes on one real Redis. Two gqlcast servers, a broadcaster
// numbering ~1,000 events a second over 20 groups, and a process of 500 resumable @gqlcast/client
// subscribers spread over both servers. (a) one server is killed (SIGKILL) mid-stream; (b) both
// are restarted one after the other, gracefully (1012); (c) a client is away longer than the
// retention. Correctness is asserted (nothing lost, nothing repeated, in order; the gap reported);
// the figures, timings included, are only printed.
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextMessage, startFixture, stopProcess, waitForLine } from './utils/processes.js';
import { type RedisNode, startRedis } from './utils/redis-server.js';

const groups = 20;
const perSecond = 1000;

let node: RedisNode;
beforeAll(async () => {
  node = await startRedis();
});
afterAll(async () => {
  await node?.stop();
});
const running = new Set<ChildProcess>();
afterEach(async () => {
  // Never an orphan process, whatever failed.
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

function spawn(script: string, args: string[]) {
  const child = startFixture(script, args);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function server(retainCount: number, port = 0) {
  const child = spawn('drill-server.ts', [node.url, String(port), String(retainCount)]);
  const listening = Number((await waitForLine(child, /listening (\d+)/))[1]);
  return { child, port: listening, url: `ws://127.0.0.1:${listening}/graphql` };
}

type Report = {
  subscribers: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  gaps: number;
  subscribersWithGap: number;
  reconnects: number;
  resumeLatencyP99: number;
};

/** Asks a process over IPC and resolves with its answer (the next message with `key`). */
function ask<T>(child: ChildProcess, message: object, key: string): Promise<T> {
  const answer = nextMessage<Record<string, unknown>>(child, (reply) => key in reply);
  child.send(message);
  return answer as Promise<T>;
}

async function subscribers(
  clients: string[][],
  perClient: number,
  retry = { minDelay: 20, maxDelay: 200, attempts: 1000 },
) {
  const child = spawn('drill-subscribers.ts', []);
  await nextMessage(child, (message: { ready?: unknown }) => message.ready === 'process');
  await ask(child, { start: { clients, perClient, groups, retry } }, 'ready');
  return child;
}

async function broadcaster(retainCount: number) {
  const child = spawn('drill-broadcaster.ts', [node.url, String(retainCount), String(groups), String(perSecond)]);
  await nextMessage(child, (message: { ready?: unknown }) => message.ready === true);
  child.send({ start: true });
  return child;
}

/** Waits until the subscribers received `more` results beyond what they had (progress, not time). */
async function progress(subs: ChildProcess, more: number): Promise<void> {
  const { received: from } = await ask<{ received: number }>(subs, { status: true }, 'received');
  for (;;) {
    const { received } = await ask<{ received: number }>(subs, { status: true }, 'received');
    if (received >= from + more) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Stops the broadcaster, waits until every subscriber got its group's last number, and reports. */
async function finish(label: string, caster: ChildProcess, subs: ChildProcess): Promise<Report> {
  const { last, sent, failed } = await ask<{ last: Record<string, number>; sent: number; failed: number }>(
    caster,
    { stop: true },
    'last',
  );
  expect(failed).toBe(0);
  const { report } = await ask<{ report: Report }>(subs, { finish: { last } }, 'report');
  console.log(
    `drill ${label}: ${sent} events, ${report.subscribers} subscribers, ${report.received} results, ` +
      `lost ${report.lost}, duplicated ${report.duplicated}, out of order ${report.outOfOrder}, ` +
      `gaps reported ${report.gaps} (${report.subscribersWithGap} subscribers), reconnections ${report.reconnects}, ` +
      `resume latency p99 ${report.resumeLatencyP99} ms`,
  );
  return report;
}

/** Every subscriber got every notification once, in order, with no gap reported. */
function expectComplete(report: Report): void {
  expect(report.subscribers).toBe(500);
  const { lost, duplicated, outOfOrder, gaps } = report;
  expect({ lost, duplicated, outOfOrder, gaps }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0 });
}

/** 50 clients × 10 subscriptions, half trying server A first, half server B. */
const spread = (a: string, b: string) => Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? [a, b] : [b, a]));

describe('resume drills: two servers, one Redis, 500 subscribers, 1,000 events a second', () => {
  it('(a) a server killed mid-stream: its clients resume on the other, nothing lost or repeated', async () => {
    const a = await server(5000);
    const b = await server(5000);
    const subs = await subscribers(spread(a.url, b.url), 10);
    const caster = await broadcaster(5000);
    await progress(subs, 25_000);
    a.child.kill('SIGKILL');
    await progress(subs, 50_000);
    const report = await finish('(a) SIGKILL', caster, subs);
    // The 25 clients that were on the killed server (a client may reconnect more than once in a race).
    expect(report.reconnects).toBeGreaterThanOrEqual(25);
    expectComplete(report);
    await stopProcess(b.child);
  });

  it('(b) a rolling restart of both servers (graceful, 1012): nothing lost or repeated', async () => {
    let a = await server(5000);
    let b = await server(5000);
    const subs = await subscribers(spread(a.url, b.url), 10);
    const caster = await broadcaster(5000);
    await progress(subs, 25_000);
    await stopProcess(a.child);
    a = await server(5000, a.port);
    await progress(subs, 25_000);
    await stopProcess(b.child);
    b = await server(5000, b.port);
    await progress(subs, 25_000);
    const report = await finish('(b) rolling restart', caster, subs);
    expectComplete(report);
    await Promise.all([stopProcess(a.child), stopProcess(b.child)]);
  });

  it('(c) a client away longer than the retention: an explicit gap, then the rest in order', async () => {
    // 20 retained per group; about 50 events a group a second.
    let only = await server(20);
    const subs = await subscribers([[only.url]], 20);
    const caster = await broadcaster(20);
    await progress(subs, 200);
    await stopProcess(only.child);
    // Away while every group gets well over 20 events.
    const { sent } = await ask<{ sent: number }>(caster, { status: true }, 'sent');
    for (;;) {
      const now = await ask<{ sent: number }>(caster, { status: true }, 'sent');
      if (now.sent >= sent + 40 * groups) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    only = await server(20, only.port);
    await progress(subs, 400);
    const report = await finish('(c) away too long', caster, subs);
    expect(report.subscribers).toBe(20);
    expect(report.subscribersWithGap).toBe(20);
    expect(report.gaps).toBe(20);
    expect({ lost: report.lost, duplicated: report.duplicated, outOfOrder: report.outOfOrder }).toEqual({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
    });
    await stopProcess(only.child);
  });
});
