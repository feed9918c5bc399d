// The few WebSocket framing bits a client needs (RFC 6455): client frames are masked with an
// all-zero key (legal; the XOR is a no-op, so the payload is written as is, and ws skips
// unmasking it), and a cheap scan of server text frames for the numbers the benchmark needs.

/** A final, masked (zero key) frame with `opcode` (1 text, 8 close, 10 pong) holding `body`. */
export function clientFrame(body: Buffer | string, opcode = 1): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = 2 + lengthBytes + 4;
  const out = Buffer.alloc(header + length);
  out[0] = 0x80 | opcode;
  if (lengthBytes === 0) out[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  // The 4 mask bytes stay zero.
  payload.copy(out, header);
  return out;
}

export const tField = Buffer.from('"t":');
export const seqField = Buffer.from('"seq":');
export const idField = Buffer.from('"id":"');

/** The non-negative decimal number (digits, optional fraction) starting at `at`. */
export function readNumber(buf: Buffer, at: number, end: number): number {
  let value = 0;
  let i = at;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  if (buf[i] === 46) {
    let scale = 0.1;
    for (i++; i < end; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) break;
      value += (c - 48) * scale;
      scale /= 10;
    }
  }
  return value;
}

/**
 * Counter slot of a subscription id (the load generator's own ids): `g` 0, `r` 1, `s` 2,
 * `x0`…`x4` 3…7, S6's churning `c<n>` 8 (which `n`, the churn reads itself); anything else 9
 * (an id this client never used).
 */
export function slotAt(buf: Buffer, at: number): number {
  const c = buf[at];
  if (buf[at + 1] === 34) return c === 103 ? 0 : c === 114 ? 1 : c === 115 ? 2 : 9;
  if (c === 120) {
    const d = buf[at + 1]! - 48;
    if (d >= 0 && d < 5 && buf[at + 2] === 34) return 3 + d;
  }
  if (c === 99) return churnSlot;
  return 9;
}

export const slotIds = ['g', 'r', 's', 'x0', 'x1', 'x2', 'x3', 'x4', 'c', '?'] as const;
/** The slot of every `c<n>` id (S6). */
export const churnSlot = 8;
export const slotCount = slotIds.length;
