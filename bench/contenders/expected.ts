// What a subscription must receive for a payload, computed from schema.ts alone: the load
// generator checks its sampled frames against it, and L-frame uses it to build its frames.
// Independent of any contender's code on purpose (a check must not share the checked logic).
import { Kind, parse, type SelectionSetNode, type ValueNode } from 'graphql';
import { type NotificationPayload, roomAccepts, shape, type Topic } from './schema.js';

export type Projector = (value: unknown) => unknown;

/** What a subscription document means: its root field, arguments and selection. */
export interface Plan {
  readonly field: 'global' | 'room' | 'shaped';
  readonly args: Record<string, unknown>;
  readonly project: Projector;
}

const plans = new Map<string, Omit<Plan, 'args'> & { argNodes: [string, ValueNode][] }>();

/** The plan of `query` with `variables` (parsed once per query string). */
export function planOf(query: string, variables: Record<string, unknown> = {}): Plan {
  let cached = plans.get(query);
  if (cached === undefined) {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const root = operation?.selectionSet.selections[0];
    if (root?.kind !== Kind.FIELD || !root.selectionSet) throw new Error('expected one subscription field');
    const field = root.name.value;
    if (field !== 'global' && field !== 'room' && field !== 'shaped') throw new Error(`unknown field ${field}`);
    cached = {
      field,
      argNodes: (root.arguments ?? []).map((a) => [a.name.value, a.value]),
      project: projector(root.selectionSet),
    };
    plans.set(query, cached);
  }
  const args = Object.fromEntries(cached.argNodes.map(([name, node]) => [name, argument(node, variables)]));
  return { field: cached.field, args, project: cached.project };
}

/** The topic a subscription listens to. */
export function topicOf(plan: Plan): Topic {
  if (plan.field === 'room') return `room:${String(plan.args.id)}`;
  return plan.field;
}

/** The field's value for `payload`, or `undefined` when `publish` SKIPs it. */
export function fieldValue(plan: Plan, payload: NotificationPayload): NotificationPayload | undefined {
  switch (plan.field) {
    case 'global':
      return payload;
    case 'room':
      return roomAccepts(payload, Number(plan.args.parity)) ? payload : undefined;
    case 'shaped':
      return shape(payload, Number(plan.args.variant));
  }
}

/** The `data` of the `next` message a subscriber receives, or `undefined` for a SKIP. */
export function expectedData(plan: Plan, payload: NotificationPayload): Record<string, unknown> | undefined {
  const value = fieldValue(plan, payload);
  return value === undefined ? undefined : { [plan.field]: plan.project(value) };
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
      throw new Error(`unsupported argument kind ${value.kind}`);
  }
}

/** Picks the selected fields in selection order, as a GraphQL result orders them. */
function projector(selectionSet: SelectionSetNode): Projector {
  const fields = selectionSet.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD) throw new Error('fragments are not supported');
    return {
      name: selection.name.value,
      nested: selection.selectionSet ? projector(selection.selectionSet) : undefined,
    };
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
