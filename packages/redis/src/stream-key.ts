/**
 * Where a topic's history lives: one Redis stream per topic, in the hash slot
 * of the topic's pub/sub channel. On Redis Cluster a script may touch only keys
 * (and shard channels) of one slot, and SPUBLISH goes to the shard owning the
 * channel: so the XADD and the SPUBLISH of a retained broadcast run on one node,
 * in one script, only if the stream's key hashes like the channel.
 *
 * Channels are `prefix + topic`, and a group may hold `{` and `}`, so the
 * channel may or may not carry a hash tag. Rather than reason about every case,
 * each candidate name is checked with Redis's own slot function.
 */

const slots = 16_384;

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The part of a key Redis hashes: the first `{…}` with something inside, else the whole key. */
function hashedPart(bytes: Uint8Array): Uint8Array {
  const open = bytes.indexOf(0x7b); // {
  if (open === -1) return bytes;
  const close = bytes.indexOf(0x7d, open + 1); // }
  if (close === -1 || close === open + 1) return bytes;
  return bytes.subarray(open + 1, close);
}

/** The Redis Cluster slot of a key or shard channel (what `CLUSTER KEYSLOT` answers). */
export function slotOf(key: string): number {
  return crc16(hashedPart(Buffer.from(key, 'utf8'))) % slots;
}

const tags = new Map<number, string>();

/** A short decimal hash tag that lands in `slot` (found once per slot, then remembered). */
function tagFor(slot: number): string {
  let tag = tags.get(slot);
  if (tag !== undefined) return tag;
  // Decimal strings cover every slot well before a million (each try is a 1-7 byte CRC).
  for (let n = 0; n < 10_000_000; n++) {
    if (crc16(Buffer.from(String(n))) % slots === slot) {
      tag = String(n);
      tags.set(slot, tag);
      return tag;
    }
  }
  throw new Error(`no hash tag found for slot ${slot}`);
}

/**
 * The stream key of `topic`, whose channel is `prefix + topic`. The usual name
 * is `<prefix>history:{<channel>}` (the channel as hash tag, so the same slot);
 * when the channel carries a hash tag of its own, `<prefix>history:<topic>`;
 * and when neither lands in the channel's slot (braces in odd places), a
 * computed tag first: `{<n>}<prefix>history:<topic>`.
 */
export function streamKeyOf(prefix: string, topic: string): string {
  const channel = prefix + topic;
  const slot = slotOf(channel);
  for (const candidate of [`${prefix}history:{${channel}}`, `${prefix}history:${topic}`]) {
    if (slotOf(candidate) === slot) return candidate;
  }
  return `{${tagFor(slot)}}${prefix}history:${topic}`;
}
