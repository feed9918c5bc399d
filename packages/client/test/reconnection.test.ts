import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, createClient, retryDelay, webSocketTransport } from '../src/index.js';
import { flush, sendRaw } from '../src/testing.js';
import { setup } from './setup.js';

const onMessage = 'subscription { onMessage(room: "r") { text } }';

describe('reconnection', () => {
  it('opens one connection at a time, even when operations are issued while reconnecting', async () => {
    await using server = await setup('websocket', { confirmSubscriptions: true });
    const client = server.client({ retry: { minDelay: 1, maxDelay: 5 } });
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    const reconnecting = new Promise<void>((resolve) => client.on('reconnecting', () => resolve()));
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    await server.restart();
    await reconnecting;
    // Issued while the client reconnects: queued for the connection under way, not a second socket.
    const results = await Promise.all([client.execute({ query: '{ hello }' }), client.execute({ query: '{ hello }' })]);
    await connected;
    expect(results).toEqual([{ data: { hello: 'Hello, world!' } }, { data: { hello: 'Hello, world!' } }]);
    expect(server.gql.connectionCount).toBe(1);
  });

  it('rejects a request already sent when the connection drops, with the close code and reason', async () => {
    await using server = await setup('websocket');
    const client = server.client({ retry: false });
    const pending = client.execute({ query: '{ waitFor(key: "never") }' });
    // The server has the request once an answer to a later ping came back.
    await flush(client);
    void server.gql.close();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 1012, reason: 'Server is shutting down', retryable: true });
  });

  it('does not reconnect with retry: false: subscriptions end with the close', async () => {
    await using server = await setup('in-process', { confirmSubscriptions: true });
    const client = server.client({ retry: false });
    let attempts = 0;
    client.on('connecting', () => attempts++);
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    await server.restart();
    await expect(subscription.next()).rejects.toMatchObject({ code: 1012 });
    expect(attempts).toBe(1);
  });

  it('never retries a fatal close code (4429 here), and says so', async () => {
    await using server = await setup('in-process', { confirmSubscriptions: true });
    const client = server.client();
    const reconnects: number[] = [];
    client.on('reconnecting', ({ attempt }) => reconnects.push(attempt));
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    await sendRaw(client, { type: 'connection_init' });
    const error = await subscription.next().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 4429, retryable: false });
    expect((error as Error).message).toContain('the client initialised twice');
    expect(reconnects).toEqual([]);
  });

  it('stops for good when closed while reconnecting', async () => {
    await using server = await setup('in-process', { confirmSubscriptions: true });
    const client = server.client({ retry: { minDelay: 1_000, maxDelay: 1_000, jitter: 0 } });
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    const reconnecting = new Promise<void>((resolve) => client.on('reconnecting', () => resolve()));
    await server.restart();
    await reconnecting;
    await client.close();
    expect(client.state).toBe('closed');
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    await expect(client.execute({ query: '{ hello }' })).rejects.toMatchObject({ code: 1000 });
  });

  it('rejects flush when the connection closes before its answer', async () => {
    await using server = await setup('in-process');
    const client = server.client({ retry: false });
    await client.execute({ query: '{ hello }' });
    // A second connection_init: the server closes (4429) before it reads the ping that follows.
    await sendRaw(client, { type: 'connection_init' });
    await expect(flush(client)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('keeps working when an event listener throws', async () => {
    await using server = await setup('in-process');
    const client = server.client();
    client.on('connected', () => {
      throw new Error('listener bug (expected by this test)');
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      expect(await client.execute({ query: '{ hello }' })).toEqual({ data: { hello: 'Hello, world!' } });
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });

  it('rejects variables that cannot be serialised at the call, and goes on', async () => {
    await using server = await setup('in-process');
    const client = server.client();
    await expect(client.execute({ query: '{ hello }', variables: { big: 1n } })).rejects.toThrow(/BigInt/);
    expect(await client.execute({ query: '{ hello }' })).toEqual({ data: { hello: 'Hello, world!' } });
  });
});

describe('retry options', () => {
  it('refuses a misused retry option with a TypeError naming it', () => {
    const transport = webSocketTransport('ws://127.0.0.1:1/graphql');
    expect(() => createClient({ transport, retry: { minDelay: -1 } })).toThrow(
      new TypeError('createClient: retry.minDelay must be a number ≥ 0, got -1.'),
    );
    expect(() => createClient({ transport, retry: { attempts: '3' as never } })).toThrow(
      new TypeError('createClient: retry.attempts must be a number ≥ 0, got 3.'),
    );
    expect(() => createClient({ transport, retry: { factor: Number.NaN } })).toThrow(/retry\.factor/);
    expect(() => createClient({ transport, retry: { jitter: 1.5 } })).toThrow(
      new TypeError('createClient: retry.jitter must be a number ≥ 0 and ≤ 1, got 1.5.'),
    );
  });
});

describe('retryDelay', () => {
  it('grows exponentially up to maxDelay, reduced by at most the jitter', () => {
    const policy = { attempts: 10, minDelay: 100, maxDelay: 1_000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 5].map((attempt) => retryDelay(policy, attempt, () => 0))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(retryDelay(policy, 2, () => 1)).toBe(200);
    expect(retryDelay({ ...policy, jitter: 0 }, 2, () => 1)).toBe(400);
  });
});
