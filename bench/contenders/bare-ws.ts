// A bare ws server speaking the minimum of graphql-transport-ws, for the limit contenders
// (L-redis; L-raw may reuse it). No GraphQL execution: per event it serializes each distinct
// result once, then sends one Buffer per socket (`{"id":…` prefix cached per subscription, plus
// the shared body). The document is parsed once at subscribe, only to learn the root field, its
// arguments and the selection to project, so that frames match what a GraphQL server sends.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Kind, parse, type SelectionSetNode, type ValueNode } from 'graphql';
import { type WebSocket, WebSocketServer } from 'ws';
import { type NotificationPayload, roomAccepts, shape } from './schema.js';

type Projector = (value: unknown) => unknown;

/** Subscribers with the same topic, argument and selection share one serialized result. */
interface Group {
  readonly key: string;
  readonly topic: string;
  /** The delivered value for an event, or `undefined` to skip it (room parity). */
  readonly result: (payload: NotificationPayload) => unknown;
  readonly project: Projector;
  readonly members: Set<Member>;
}

interface Member {
  readonly socket: WebSocket;
  /** `{"id":"<id>","type":"next","payload":{"data":{"<field>":` */
  readonly prefix: Buffer;
  readonly group: Group;
}

export interface BareWsHooks {
  /** The first subscriber of `topic` arrived (L-redis subscribes to the Redis channel). */
  onTopicActive?(topic: string): void;
  /** The last subscriber of `topic` left. */
  onTopicIdle?(topic: string): void;
}

export interface BareWsServer {
  readonly port: number;
  readonly path: '/graphql';
  /** Sends `payload` to every subscriber of `topic`, synchronously. */
  deliver(topic: string, payload: NotificationPayload): void;
  close(): Promise<void>;
}

const suffix = '}}}';
const textFrame = { binary: false } as const;

export async function startBareWs(hooks: BareWsHooks = {}): Promise<BareWsServer> {
  const topics = new Map<string, Map<string, Group>>();
  const plans = new Map<string, Plan>();

  function join(socket: WebSocket, id: string, payload: SubscribePayload): Member {
    let plan = plans.get(payload.query);
    if (!plan) {
      plan = planFor(payload.query);
      plans.set(payload.query, plan);
    }
    const variables = payload.variables ?? {};
    const args = Object.fromEntries(plan.args.map(([name, value]) => [name, argument(value, variables)]));
    const { topic, result } = route(plan.field, args);
    const key = `${JSON.stringify(args)}\n${payload.query}`;
    let groups = topics.get(topic);
    if (!groups) {
      groups = new Map();
      topics.set(topic, groups);
      hooks.onTopicActive?.(topic);
    }
    let group = groups.get(key);
    if (!group) {
      group = { key, topic, result, project: plan.project, members: new Set() };
      groups.set(key, group);
    }
    const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":{"data":{"${plan.field}":`);
    const member: Member = { socket, prefix, group };
    group.members.add(member);
    return member;
  }

  function leave(member: Member): void {
    const { group } = member;
    group.members.delete(member);
    if (group.members.size > 0) return;
    const groups = topics.get(group.topic)!;
    groups.delete(group.key);
    if (groups.size > 0) return;
    topics.delete(group.topic);
    hooks.onTopicIdle?.(group.topic);
  }

  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/graphql',
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
  });
  wss.on('connection', (socket) => {
    const subscriptions = new Map<string, Member>();
    socket.on('message', (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(String(data)) as ClientMessage;
      } catch {
        socket.close(4400, 'Invalid message received');
        return;
      }
      switch (message.type) {
        case 'connection_init':
          socket.send('{"type":"connection_ack"}');
          return;
        case 'ping':
          socket.send('{"type":"pong"}');
          return;
        case 'subscribe':
          if (subscriptions.has(message.id)) {
            socket.close(4409, `Subscriber for ${message.id} already exists`);
            return;
          }
          subscriptions.set(message.id, join(socket, message.id, message.payload));
          return;
        case 'complete': {
          const member = subscriptions.get(message.id);
          if (member) {
            subscriptions.delete(message.id);
            leave(member);
          }
          return;
        }
      }
    });
    socket.on('close', () => {
      for (const member of subscriptions.values()) leave(member);
      subscriptions.clear();
    });
  });
  await once(wss, 'listening');

  return {
    port: (wss.address() as AddressInfo).port,
    path: '/graphql',
    deliver(topic, payload) {
      const groups = topics.get(topic);
      if (!groups) return;
      for (const group of groups.values()) {
        const value = group.result(payload);
        if (value === undefined) continue;
        const body = Buffer.from(JSON.stringify(group.project(value)) + suffix);
        for (const member of group.members) {
          member.socket.send(Buffer.concat([member.prefix, body]), textFrame);
        }
      }
    },
    async close() {
      // Wait for every socket's 'close' (and so its `leave`s and idle hooks) before returning.
      const closed = [...wss.clients].map((socket) => once(socket, 'close'));
      for (const socket of wss.clients) socket.terminate();
      await Promise.all(closed);
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

interface SubscribePayload {
  query: string;
  variables?: Record<string, unknown> | null;
}

type ClientMessage =
  | { type: 'connection_init' | 'ping' | 'pong' }
  | { type: 'subscribe'; id: string; payload: SubscribePayload }
  | { type: 'complete'; id: string };

/** What a document means to the limit, computed once per query string. */
interface Plan {
  field: string;
  args: [string, ValueNode][];
  project: Projector;
}

function planFor(query: string): Plan {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const root = operation?.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD || !root.selectionSet) throw new Error('bare-ws: expected one subscription field');
  return {
    field: root.name.value,
    args: (root.arguments ?? []).map((a) => [a.name.value, a.value]),
    project: projector(root.selectionSet),
  };
}

function argument(value: ValueNode, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables[value.name.value];
    case Kind.INT:
      return Number.parseInt(value.value, 10);
    case Kind.STRING:
      return value.value;
    default:
      throw new Error(`bare-ws: unsupported argument kind ${value.kind}`);
  }
}

/** The schema.ts semantics of each root field: its topic and the value an event delivers. */
function route(field: string, args: Record<string, unknown>): Pick<Group, 'topic' | 'result'> {
  switch (field) {
    case 'global':
      return { topic: 'global', result: (payload) => payload };
    case 'room': {
      const parity = Number(args.parity);
      return { topic: `room:${String(args.id)}`, result: (p) => (roomAccepts(p, parity) ? p : undefined) };
    }
    case 'shaped': {
      const variant = Number(args.variant);
      return { topic: 'shaped', result: (payload) => shape(payload, variant) };
    }
    default:
      throw new Error(`bare-ws: unknown field ${field}`);
  }
}

/** Picks the selected fields, in selection order (as GraphQL orders a result). */
function projector(selectionSet: SelectionSetNode): Projector {
  const fields = selectionSet.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD) throw new Error('bare-ws: fragments are not supported');
    const name = selection.name.value;
    const nested = selection.selectionSet ? projector(selection.selectionSet) : undefined;
    return { name, nested };
  });
  const project = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(project);
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { name, nested } of fields) out[name] = nested ? nested(source[name]) : source[name];
    return out;
  };
  return project;
}
