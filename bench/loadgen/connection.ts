// One raw client connection: the HTTP upgrade with `Sec-WebSocket-Protocol`, then a frame
// parser over `net`'s `onread` (one shared read buffer, no stream machinery) that counts
// notifications per subscription id and hands `t` (and, when asked, `seq`) to the recorder
// without JSON.parse. Anything that is not a notification is rare and parsed in full.
import { connect, type Socket } from 'node:net';
import type { Subprotocol } from '../contenders/api.js';
import { churnSlot, clientFrame, idField, readNumber, seqField, slotAt, slotCount, tField } from './frames.js';
import type { Recorder } from './recorder.js';

/** The subscription arguments a connection holds (for the expected results). */
export interface Held {
  room?: { rooms: number; room: number; parity: number };
  shaped?: { document: number; variant: number };
  global?: true;
}

const shared = Buffer.allocUnsafe(1 << 18);
const headerEnd = Buffer.from('\r\n\r\n');

export class Connection {
  readonly counts = new Int32Array(slotCount);
  readonly held: Held = {};
  socket!: Socket;
  acked = false;
  closed = false;
  pongs = 0;
  /** Ids this client completed: a server may confirm with `complete` (mercurius does). */
  readonly completed = new Set<string>();
  /** Protocol problems (error/complete messages, unexpected close, bad frames). */
  errors: string[] = [];
  /** S6: the last `c<n>` id this connection subscribed (ids are never reused). */
  churnId = 0;
  /** S6: told of every notification for a `c<n>` id, with `n` and the receive time. */
  onChurnNext: ((connection: Connection, n: number, now: number) => void) | undefined;
  #pending: Buffer | undefined;
  #handshaken = false;
  #onAck: (() => void) | undefined;
  #closing = false;

  constructor(
    readonly index: number,
    readonly protocol: Subprotocol,
    private readonly recorder: Recorder,
  ) {}

  open(port: number, path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#onAck = resolve;
      const socket = connect({
        host: '127.0.0.1',
        port,
        noDelay: true,
        onread: {
          buffer: shared,
          callback: (n, buf) => {
            this.#read(buf as Buffer, n);
            return true;
          },
        },
      });
      this.socket = socket;
      socket.on('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Protocol: ${this.protocol}\r\n\r\n`,
        );
      });
      socket.on('error', (error) => {
        if (!this.#closing) this.errors.push(String(error));
        if (!this.acked) reject(error);
      });
      socket.on('close', () => {
        this.closed = true;
        if (!this.acked) reject(new Error(`connection ${this.index} closed before connection_ack`));
      });
    });
  }

  send(message: object): void {
    this.socket.write(clientFrame(JSON.stringify(message)));
  }

  #read(buf: Buffer, n: number): void {
    const now = performance.timeOrigin + performance.now();
    let data = buf.subarray(0, n);
    if (this.#pending) {
      data = Buffer.concat([this.#pending, data]);
      this.#pending = undefined;
    }
    let at = 0;
    if (!this.#handshaken) {
      const end = data.indexOf(headerEnd);
      if (end < 0) {
        this.#pending = Buffer.from(data);
        return;
      }
      const head = data.toString('latin1', 0, end).toLowerCase();
      if (!head.startsWith('http/1.1 101') || !head.includes(`sec-websocket-protocol: ${this.protocol}`)) {
        this.errors.push(`upgrade refused: ${head.split('\r\n')[0]}`);
        this.socket.destroy();
        return;
      }
      this.#handshaken = true;
      this.send({ type: 'connection_init' });
      at = end + 4;
    }
    const length = data.length;
    while (at + 2 <= length) {
      const b0 = data[at]!;
      let size = data[at + 1]!;
      let start = at + 2;
      if (size & 0x80) {
        this.#fail('masked server frame');
        return;
      }
      if (size === 126) {
        if (start + 2 > length) break;
        size = data.readUInt16BE(start);
        start += 2;
      } else if (size === 127) {
        if (start + 8 > length) break;
        size = Number(data.readBigUInt64BE(start));
        start += 8;
      }
      const end = start + size;
      if (end > length) break;
      if ((b0 & 0x80) === 0) {
        this.#fail('fragmented frame');
        return;
      }
      const opcode = b0 & 0x0f;
      if (opcode === 1) this.#text(data, start, end, now);
      else if (opcode === 9) this.socket.write(clientFrame(data.subarray(start, end), 10));
      else if (opcode === 8) {
        if (!this.#closing)
          this.errors.push(`closed by the server: ${data.length >= start + 2 ? data.readUInt16BE(start) : ''}`);
        this.socket.destroy();
        return;
      }
      at = end;
    }
    // A partial frame waits for the rest; copied, since the shared read buffer is reused.
    if (at < length) this.#pending = Buffer.from(data.subarray(at));
  }

  #text(data: Buffer, start: number, end: number, now: number): void {
    const t = data.indexOf(tField, start);
    if (t < 0 || t >= end) {
      this.#control(data.toString('utf8', start, end));
      return;
    }
    let id = data.indexOf(idField, start);
    // The message id precedes the payload in every server here; if a server put it last, the
    // first `"id":"` would be the author's, inside the payload: take the last one instead.
    if (id < 0 || id > t) id = data.lastIndexOf(idField, end - 1);
    const slot = id < 0 ? slotCount - 1 : slotAt(data, id + idField.length);
    this.counts[slot]!++;
    if (slot === churnSlot) this.onChurnNext?.(this, readNumber(data, id + idField.length + 1, end), now);
    const recorder = this.recorder;
    const sent = readNumber(data, t + tField.length, end);
    recorder.record(sent, now);
    if (recorder.perEvent > 0) {
      const seq = data.indexOf(seqField, t);
      if (seq > 0 && seq < end) recorder.arrive(readNumber(data, seq + seqField.length, end), sent, now);
    }
    if (recorder.samples[slot] === undefined) {
      recorder.samples[slot] = { connection: this.index, slot, text: data.toString('utf8', start, end) };
    }
  }

  #control(text: string): void {
    let message: { type?: string; id?: string; payload?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      this.#fail(`not JSON: ${text.slice(0, 80)}`);
      return;
    }
    switch (message.type) {
      case 'connection_ack':
        this.acked = true;
        this.#onAck?.();
        this.#onAck = undefined;
        return;
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'pong':
        this.pongs++;
        return;
      case 'ka':
        return;
      case 'complete':
        if (message.id !== undefined && this.completed.has(message.id)) return;
        this.errors.push(`unexpected message: ${text.slice(0, 200)}`);
        return;
      default:
        this.errors.push(`unexpected message: ${text.slice(0, 200)}`);
    }
  }

  #fail(reason: string): void {
    this.errors.push(reason);
    this.socket.destroy();
  }

  /** Closes politely (close frame, FIN) and resolves once the socket is gone (or after 5 s). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.#closing = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 5_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end(clientFrame(Buffer.from([0x03, 0xe8]), 8));
    });
  }
}
