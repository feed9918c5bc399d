// The one workload every contender serves: the same SDL, the same payloads, the same documents,
// the same `publish`/filter semantics. A contender differs only in the stack that delivers it.

/** The SDL every contender builds (code-first stacks must print exactly this). */
export const typeDefs = /* GraphQL */ `
  type Query {
    ok: Boolean!
  }

  type Author {
    id: ID!
    name: String!
    avatar: String!
  }

  type Notification {
    t: Float!
    seq: Int!
    room: String!
    kind: String!
    text: String!
    author: Author!
    tags: [String!]!
    score: Float!
    pinned: Boolean!
    edited: Boolean!
    createdAt: String!
    variant: Int!
  }

  type Subscription {
    global: Notification!
    room(id: String!, parity: Int!): Notification!
    shaped(variant: Int!): Notification!
  }
`;

/** What every topic carries (≈300 bytes as JSON). */
export interface NotificationPayload {
  /** Intended send time, ms since the epoch (`performance.timeOrigin + performance.now()`). */
  t: number;
  seq: number;
  room: string;
  kind: string;
  text: string;
  author: { id: string; name: string; avatar: string };
  tags: string[];
  score: number;
  pinned: boolean;
  edited: boolean;
  createdAt: string;
  variant: number;
}

const text =
  'Fan-out benchmark message: the same payload goes to every subscriber of a topic, ' +
  'so the cost per notification is what this measures.';

/** A payload for `topic` with sequence number `seq` stamped with intended send time `t`. */
export function makePayload(seq: number, t: number, room = 'global'): NotificationPayload {
  return {
    t,
    seq,
    room,
    kind: 'message',
    text,
    author: { id: 'u-1042', name: 'Ada Lovelace', avatar: 'https://example.test/a/1042.png' },
    tags: ['bench', 'fanout', 'graphql'],
    score: 0.875,
    pinned: false,
    edited: false,
    createdAt: '2026-11-24T08:00:00.000Z',
    variant: 0,
  };
}

/**
 * Topics: `global` (every subscriber of `global`), `shaped` (every subscriber of `shaped`)
 * and `room:<id>` (the subscribers of `room(id)`).
 */
export type Topic = 'global' | 'shaped' | `room:${string}`;

/**
 * `room(id, parity)`: deliver only events whose `seq % 2 === parity`; the rest are SKIPped
 * (filtered) for that subscriber. With parities split evenly, half of the deliveries are skipped.
 */
export function roomAccepts(payload: NotificationPayload, parity: number): boolean {
  return payload.seq % 2 === parity;
}

/**
 * `shaped(variant)`: the value each subscriber gets. Every variant sets `variant`; variants 5–9
 * also reshape `text` (a per-argument object), so 10 variants × 10 selection sets give 100
 * distinct results.
 */
export function shape(payload: NotificationPayload, variant: number): NotificationPayload {
  if (variant < 5) return { ...payload, variant };
  return { ...payload, variant, text: `${payload.text} #${variant}` };
}

const selection = 't seq room kind text author { id name avatar } tags score pinned edited createdAt';

/** S1, S3, S7: a 13-field selection of `global`. */
export const globalDocument = `subscription Global { global { ${selection} } }`;

/** S2: one room, one parity. Variables `{ id, parity }`. */
export const roomDocument = `subscription Room($id: String!, $parity: Int!) { room(id: $id, parity: $parity) { ${selection} } }`;

const optional = [
  'room',
  'kind',
  'text',
  'author { id name avatar }',
  'tags',
  'score',
  'pinned',
  'edited',
  'createdAt',
];

/**
 * S1b: 10 selection sets of `shaped`, each `t seq variant` plus a different subset of the
 * other fields. Variables `{ variant }`.
 */
export const shapedDocuments: readonly string[] = Array.from({ length: 10 }, (_, k) => {
  const fields = optional.filter((_, i) => (i + k) % 3 !== 0 || i === k % optional.length);
  return `subscription Shaped${k}($variant: Int!) { shaped(variant: $variant) { t seq variant ${fields.join(' ')} } }`;
});
