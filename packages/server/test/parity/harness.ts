// Shared setup of the parity tests: the parity schema (schema.ts) served by
// gqlcast on a real loopback socket, and a client with the Python test client's verbs.
import { expect } from 'vitest';
import type { ServerOptions } from '../../src/index.js';
import { type ProtocolName, protocols } from '../utils/protocols.js';
import type { Message, TestClient } from '../utils/test-client.js';
import { type Fixture, startServer } from '../utils/test-server.js';
import { createParity } from './schema.js';

export { protocolNames } from '../utils/protocols.js';
export { VALUE } from './schema.js';

/** A gqlcast server with the parity schema on a loopback port. */
export async function serve(options: Omit<ServerOptions, 'schema'> = {}) {
  const parity = createParity();
  const server = await startServer({ ...options, schema: parity.schema }, parity as unknown as Fixture);
  return Object.assign(server as Omit<typeof server, keyof Fixture>, parity, {
    /** A connected, initialised client with the Python client's verbs. */
    async gql(protocol: ProtocolName, headers?: Record<string, string>) {
      const client = new PyClient(await server.client(protocol, headers));
      await client.connectAndInit();
      return client;
    },
    /** A connected client that has not sent `connection_init` (`connect_and_init(connect_only=True)`). */
    async connectOnly(protocol: ProtocolName, headers?: Record<string, string>) {
      return new PyClient(await server.client(protocol, headers));
    },
  });
}

let ids = 0;

/** `channels_graphql_ws.testing.GraphqlWsClient`'s verbs over gqlcast's raw test client. */
export class PyClient {
  readonly raw: TestClient;
  readonly words: (typeof protocols)[ProtocolName];

  constructor(raw: TestClient) {
    this.raw = raw;
    this.words = protocols[raw.protocol as ProtocolName];
  }

  get legacy(): boolean {
    return this.words.legacy;
  }

  /** As the Python client does: `connection_init` with `payload: ""`, then expects `connection_ack`. */
  async connectAndInit(): Promise<void> {
    this.raw.send({ type: 'connection_init', payload: '' });
    expect(await this.receive()).toMatchObject({ type: 'connection_ack' });
  }

  start(query: string, options: { variables?: Record<string, unknown>; operationName?: string; id?: string } = {}) {
    const id = options.id ?? `op-${++ids}`;
    const payload: Record<string, unknown> = { query, variables: options.variables ?? {} };
    if (options.operationName !== undefined) payload.operationName = options.operationName;
    this.raw.send({ id, type: this.words.start, payload });
    return id;
  }

  complete(id: string): void {
    this.raw.send({ id, type: this.words.stop });
  }

  send(message: Message | string): void {
    this.raw.send(message);
  }

  /** The next message, skipping keepalives (`ka` on legacy), like the Python client's `receive`. */
  async receive(): Promise<Message> {
    for (;;) {
      const message = await this.raw.next();
      if (message.type !== 'ka') return message;
    }
  }

  /** `receive_next`: the next message is `next`/`data` of `id`; returns its payload. */
  async receiveNext(id: string): Promise<{ data?: unknown; errors?: { message: string; [key: string]: unknown }[] }> {
    const message = await this.receive();
    expect(message).toMatchObject({ id, type: this.words.data });
    return message.payload as { data?: unknown };
  }

  async receiveComplete(id: string): Promise<void> {
    expect(await this.receive()).toEqual({ id, type: 'complete' });
  }

  /** `execute`: the result then the `complete`. */
  async execute(query: string, variables?: Record<string, unknown>) {
    const id = this.start(query, variables ? { variables } : {});
    const payload = await this.receiveNext(id);
    await this.receiveComplete(id);
    return payload;
  }

  /**
   * Every message that arrives before the answer to a sentinel query (`{ hello }`, its own
   * messages left out, keepalives skipped). Under strictOrdering the query is handled after
   * every earlier message, so this waits for all they caused. (A ping is answered at once even
   * under strictOrdering, so it is no sentinel for operations still queued.)
   */
  async collect(): Promise<Message[]> {
    const id = `sentinel-${++ids}`;
    this.raw.send({ id, type: this.words.start, payload: { query: '{ hello }' } });
    const seen = await this.raw.until((m) => m.id === id && m.type === 'complete');
    return seen.filter((m) => m.id !== id && m.type !== 'ka');
  }

  /** `assert_no_messages`, without waiting a second: nothing arrives before the sentinel's answer. */
  async assertNoMessages(why = 'unexpected message'): Promise<void> {
    expect(await this.collect(), why).toEqual([]);
  }

  async waitDisconnect(): Promise<number> {
    return (await this.raw.closed).code;
  }
}

/** The default confirmation payload (`subscription_confirmation_message`). */
export const confirmation = { data: null };
