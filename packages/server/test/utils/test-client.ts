import { once } from 'node:events';
import WebSocket from 'ws';

export type Message = { type: string; id?: string | null; payload?: unknown };

/**
 * A raw protocol client that keeps every frame in order, so a test never
 * misses one; waits end when the awaited frame or close arrives (no timers).
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly #queue: Message[] = [];
  #waiter: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  #sentinel = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.#queue.push(JSON.parse(data.toString()) as Message);
      this.#waiter?.();
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.#waiter?.();
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  static async open(
    url: string,
    protocols: string | string[],
    headers: Record<string, string> = {},
    options: { autoPong?: boolean } = {},
  ): Promise<TestClient> {
    const ws = new WebSocket(url, protocols, { headers, ...options });
    const client = new TestClient(ws);
    await once(ws, 'open');
    return client;
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  send(message: Message | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next frame not read yet. */
  async next(): Promise<Message> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) return message;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('closed while waiting for a message');
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  /** Frames until (and including) one for which `test` is true. */
  async until(test: (message: Message) => boolean): Promise<Message[]> {
    const seen: Message[] = [];
    for (;;) {
      const message = await this.next();
      seen.push(message);
      if (test(message)) return seen;
    }
  }

  /** Sends `connection_init` and expects `connection_ack`; returns the ack. */
  async init(payload?: Record<string, unknown>): Promise<Message> {
    this.send(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload });
    const ack = await this.next();
    if (ack.type !== 'connection_ack') throw new Error(`expected connection_ack, got ${JSON.stringify(ack)}`);
    return ack;
  }

  /**
   * Proves nothing else is pending: sends a sentinel and returns every frame
   * that arrived before its answer (graphql-transport-ws: ping → pong; legacy:
   * a tiny query → its data).
   */
  async drain(): Promise<Message[]> {
    const n = ++this.#sentinel;
    if (this.protocol === 'graphql-transport-ws') {
      this.send({ type: 'ping', payload: { sentinel: n } });
      const seen = await this.until((m) => m.type === 'pong' && (m.payload as { sentinel?: number })?.sentinel === n);
      return seen.slice(0, -1);
    }
    const id = `sentinel-${n}`;
    this.send({ type: 'start', id, payload: { query: '{ hello }' } });
    const seen = await this.until((m) => m.type === 'complete' && m.id === id);
    return seen.filter((m) => m.id !== id);
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000);
    await this.closed;
  }
}
