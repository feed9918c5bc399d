import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, SubscriptionRefusedError } from '../src/index.js';
import { flush, sendRaw, waitForClose } from '../src/testing.js';
import { protocols, setup, transportKinds } from './setup.js';

const onMessage = 'subscription ($room: String) { onMessage(room: $room) { room text from } }';

describe.each(transportKinds)('%s transport', (kind) => {
  describe.each(protocols)('%s', (protocol) => {
    it('executes queries and mutations, returning data and errors as the server sent them', async () => {
      await using server = await setup(kind);
      const client = server.client({ protocol });
      expect(
        await client.execute({ query: 'query ($n: String) { hello(name: $n) }', variables: { n: 'Ada' } }),
      ).toEqual({
        data: { hello: 'Hello, Ada!' },
      });
      expect(await client.execute({ query: 'mutation { setState(key: "k", value: "v") }' })).toEqual({
        data: { setState: true },
      });
      expect(await client.execute({ query: '{ stateValue(key: "k") }' })).toEqual({ data: { stateValue: 'v' } });
      const failed = await client.execute({ query: '{ fails }' });
      expect(failed.data).toEqual({ fails: null });
      expect(failed.errors?.[0]?.message).toBe('This field always fails.');
    });

    it('resolves a request refused with an error message, without waiting for a complete', async () => {
      await using server = await setup(kind, {
        onOperation: (_connection, _id, payload) => {
          if (payload.query.includes('hello')) throw new Error('Not now.');
        },
      });
      const client = server.client({ protocol });
      // Issue 16: the server's refusal carries its `extensions.code`.
      expect(await client.execute({ query: '{ hello }' })).toEqual({
        errors: [{ message: 'Not now.', extensions: { code: 'GQLCAST_OPERATION_REFUSED' } }],
      });
      const invalid = await client.execute({ query: '{ nope }' });
      expect(invalid.errors?.[0]?.message).toBe('Cannot query field "nope" on type "Query".');
    });

    it('subscribes: ready resolves with the confirmation, which is never yielded, and broadcasts follow', async () => {
      await using server = await setup(kind, { confirmSubscriptions: true, confirmationMessage: { data: { ok: 1 } } });
      const client = server.client({ protocol });
      const subscription = client.subscribe({ query: onMessage, variables: { room: 'kittens' } });
      expect(await subscription.ready).toEqual({ data: { ok: 1 } });
      // Confirmed means active: this broadcast, issued right now, is delivered.
      await server.messages.broadcast({ group: 'room:kittens', payload: { room: 'kittens', text: 'Hi', from: 'x' } });
      const first = await subscription.next();
      expect(first).toEqual({
        done: false,
        value: { data: { onMessage: { room: 'kittens', text: 'Hi', from: 'x' } } },
      });
      subscription.complete();
      expect(await subscription.next()).toEqual({ done: true, value: undefined });
      expect(await server.unsubscribedCount(1)).toEqual([{ room: 'kittens', reason: 'complete' }]);
    });

    it('without confirmations, ready resolves once the subscribe message is sent', async () => {
      await using server = await setup(kind);
      const client = server.client({ protocol });
      const subscription = client.subscribe({ query: onMessage, variables: { room: 'r' } });
      expect(await subscription.ready).toBeUndefined();
      // Weaker: the server may not be ready yet; wait for the layer to be sure.
      await server.topicSubscribed('messages:room:r');
      await server.messages.broadcast({ group: 'room:r', payload: { room: 'r', text: 'now', from: 'x' } });
      expect((await subscription.next()).value).toEqual({ data: { onMessage: { room: 'r', text: 'now', from: 'x' } } });
    });

    it('rejects ready when the server refuses the subscription, and yields its errors once', async () => {
      await using server = await setup(kind, { confirmSubscriptions: true });
      const client = server.client({ protocol });
      const subscription = client.subscribe({ query: 'subscription { refused }' });
      const error = await subscription.ready.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubscriptionRefusedError);
      expect((error as SubscriptionRefusedError).errors[0]?.message).toBe('You may not subscribe to this.');
      expect((await subscription.next()).value).toEqual({
        errors: [expect.objectContaining({ message: 'You may not subscribe to this.' })],
      });
      expect(await subscription.next()).toEqual({ done: true, value: undefined });
    });

    it('ends the iterator when the server unsubscribes the group', async () => {
      await using server = await setup(kind, { confirmSubscriptions: true });
      const client = server.client({ protocol });
      const subscription = client.subscribe({ query: onMessage, variables: { room: 'a' } });
      await subscription.ready;
      await server.messages.unsubscribe({ group: 'room:a' });
      expect(await subscription.next()).toEqual({ done: true, value: undefined });
    });

    it('flush proves that nothing else arrived', async () => {
      await using server = await setup(kind, { confirmSubscriptions: true });
      const client = server.client({ protocol });
      const received: unknown[] = [];
      const subscription = client.subscribe({ query: onMessage, variables: { room: 'f' } });
      await subscription.ready;
      const reading = (async () => {
        for await (const result of subscription) received.push(result);
      })();
      await server.messages.broadcast({ group: 'room:f', payload: { room: 'f', text: 'one', from: 'x' } });
      await server.messages.broadcast({
        group: 'room:other',
        payload: { room: 'other', text: 'not for f', from: 'x' },
      });
      await flush(client);
      expect(received).toEqual([{ data: { onMessage: { room: 'f', text: 'one', from: 'x' } } }]);
      subscription.complete();
      await reading;
    });

    it('reconnects after the server restarts: fresh connectionParams, subscriptions resume', async () => {
      await using server = await setup(kind, {
        confirmSubscriptions: true,
        onConnect: (_connection, payload) => ({ sawToken: payload?.token }),
      });
      let token = 0;
      const events: string[] = [];
      const client = server.client({ protocol, connectionParams: async () => ({ token: ++token }) });
      client.on('connecting', ({ attempt }) => events.push(`connecting ${attempt}`));
      client.on('connected', ({ payload }) => events.push(`connected ${JSON.stringify(payload)}`));
      client.on('closed', ({ code }) => events.push(`closed ${code}`));
      client.on('reconnecting', ({ attempt }) => events.push(`reconnecting ${attempt}`));
      const subscription = client.subscribe({ query: onMessage, variables: { room: 'r' } });
      await subscription.ready;
      const reconnected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
      await server.restart();
      await reconnected;
      // Re-subscribed on the new server: wait for its layer subscription, then broadcast.
      await server.topicSubscribed('messages:room:r', 2);
      await server.messages.broadcast({ group: 'room:r', payload: { room: 'r', text: 'after restart', from: 'x' } });
      expect((await subscription.next()).value).toEqual({
        data: { onMessage: { room: 'r', text: 'after restart', from: 'x' } },
      });
      expect(events[0]).toBe('connecting 0');
      expect(events[1]).toBe('connected {"sawToken":1,"confirmSubscriptions":true}');
      expect(events[2]).toBe('closed 1012');
      expect(events[3]).toBe('reconnecting 1');
      expect(events.at(-1)).toMatch(/^connected \{"sawToken":\d+,"confirmSubscriptions":true\}$/);
      expect(token).toBeGreaterThan(1);
    });

    it('does not retry a connection the server refused (4403), and rejects with the code', async () => {
      await using server = await setup(kind, { onConnect: () => false });
      const client = server.client({ protocol });
      let attempts = 0;
      client.on('connecting', () => attempts++);
      const error = await client.execute({ query: '{ hello }' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 4403, retryable: false });
      expect(attempts).toBe(1);
    });

    it('sendRaw and waitForClose let a test break the protocol on purpose', async () => {
      await using server = await setup(kind);
      const client = server.client({ protocol, retry: false });
      await client.execute({ query: '{ hello }' });
      const closed = waitForClose(client);
      await sendRaw(client, { type: 'connection_init' });
      expect(await closed).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
    });
  });
});

describe('in-process transport', () => {
  it('passes the request headers to the server, as an upgrade request would', async () => {
    await using server = await setup('in-process', {
      onConnect: (connection) => ({ cookie: connection.request.headers.cookie }),
    });
    const client = server.client();
    const connected = new Promise<unknown>((resolve) => client.on('connected', ({ payload }) => resolve(payload)));
    await client.execute({ query: '{ hello }' });
    expect(await connected).toEqual({ cookie: 'session=abc' });
  });
});

describe('closing the client', () => {
  it('ends subscriptions and rejects requests made afterwards', async () => {
    await using server = await setup('websocket', { confirmSubscriptions: true });
    const client = server.client();
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    await client.close();
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    expect(client.state).toBe('closed');
    await expect(client.execute({ query: '{ hello }' })).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await server.unsubscribedCount(1)).toEqual([{ room: undefined, reason: 'disconnect' }]);
  });

  it('gives up after the configured attempts when the server stays away', async () => {
    await using server = await setup('websocket');
    const client = server.client({ retry: { attempts: 2, minDelay: 1, maxDelay: 2 } });
    await client.execute({ query: '{ hello }' });
    const reconnects: number[] = [];
    client.on('reconnecting', ({ attempt }) => reconnects.push(attempt));
    const subscription = client.subscribe({ query: onMessage });
    await subscription.ready;
    await server.gql.close();
    const error = await subscription.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(reconnects).toEqual([1, 2]);
  });
});
