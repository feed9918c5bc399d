// A WebSocket client at the frame level, to send what no real client would.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface FrameOptions {
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** Claimed payload length, when it must lie. */
  length?: number;
}

/** Builds one client frame (masked unless told otherwise). */
export function frame(opcode: number, payload: Buffer = Buffer.alloc(0), options: FrameOptions = {}): Buffer {
  const { fin = true, rsv = 0, mask = true } = options;
  const length = options.length ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

export const text = (message: unknown) =>
  frame(0x1, Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)));

/** Opens a TCP connection and completes the WebSocket handshake by hand. */
export async function rawConnect(port: number, protocol: string): Promise<RawSocket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  const raw = new RawSocket(socket);
  await raw.handshake;
  return raw;
}

/** Parses the server's frames (unmasked) as they arrive. */
export class RawSocket {
  readonly socket: Socket;
  readonly handshake: Promise<void>;
  readonly messages: string[] = [];
  /** The server's close frame code as soon as it arrives, or 1006 if the connection ended without one. */
  readonly closed: Promise<number>;
  #closeFrame: ((code: number) => void) | undefined;
  #buffer = Buffer.alloc(0);
  #shook = false;

  constructor(socket: Socket) {
    this.socket = socket;
    let shook!: () => void;
    this.handshake = new Promise((resolve) => (shook = resolve));
    this.closed = new Promise((resolve) => {
      this.#closeFrame = resolve;
      socket.on('close', () => resolve(1006));
      socket.on('error', () => undefined);
    });
    socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      if (!this.#shook) {
        const end = this.#buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        this.#buffer = this.#buffer.subarray(end + 4);
        this.#shook = true;
        shook();
      }
      for (;;) {
        if (this.#buffer.length < 2) return;
        const opcode = (this.#buffer[0] ?? 0) & 0x0f;
        let length = (this.#buffer[1] ?? 0) & 0x7f;
        let offset = 2;
        if (length === 126) {
          length = this.#buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          length = Number(this.#buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (this.#buffer.length < offset + length) return;
        const payload = this.#buffer.subarray(offset, offset + length);
        this.#buffer = this.#buffer.subarray(offset + length);
        if (opcode === 0x1) this.messages.push(payload.toString());
        if (opcode === 0x8) {
          this.#closeFrame?.(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
          // Answer nothing: a hostile peer may not; the server must end the connection by itself.
          socket.destroy();
        }
      }
    });
  }

  write(...frames: Buffer[]): void {
    // One write: the frames arrive in the same TCP segment.
    this.socket.write(Buffer.concat(frames));
  }
}
