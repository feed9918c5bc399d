import { isPushField } from '@gqlcast/core/push';
import {
  type DocumentNode,
  defaultFieldResolver,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { OperationMemo } from './operation-memo.js';
import { isThenable } from './thenable.js';

/**
 * Projection: the result of a notification computed without graphql-js's
 * `execute`, for selections where `execute` could only have copied fields.
 *
 * Under a push field whose every field is resolved by graphql-js's default
 * resolver (Pothos `expose*` fields, plain properties), with no interface,
 * union or `isTypeOf` below it, executing a notification means reading
 * properties and calling each leaf type's `serialize`. `execute` does that
 * too, but first coerces variables, builds an `info` per field and tracks
 * paths for errors: most of the per-subscriber cost (issue 17's profile).
 *
 * A projection gives the very same result or gives up: anything where
 * `execute` would do more than copy (a property that is a function, a promise,
 * an `Error` value, a `null` in a non-null position, a `serialize` that throws
 * or returns `undefined`, a non-array list, an `@include`/`@skip` variable
 * that is not a boolean) makes it return `undefined`, and the caller runs
 * `execute` as before, so errors keep graphql-js's exact messages and paths.
 */

/** Computes the result for a root value, or `undefined` where only `execute` can. */
export type Projection = (
  rootValue: unknown,
  variables: Readonly<Record<string, unknown>> | undefined,
) => ExecutionResult | undefined;

/** Thrown inside a projection where `execute` must take over; never escapes this module. */
const giveUp: unique symbol = Symbol('gqlcast.projection.giveUp');

type Variables = Readonly<Record<string, unknown>> | undefined;
type Complete = (value: unknown, variables: Variables) => unknown;

/** `@include(if:)` (`include: true`) or `@skip(if:)` (`include: false`) on a variable. */
interface Condition {
  readonly variable: string;
  readonly include: boolean;
  /** The variable's default in the operation, when it is a boolean literal. */
  readonly fallback: boolean | undefined;
}

/** The field nodes of one response key, and the variable conditions they sit under. */
interface CollectedField {
  readonly nodes: FieldNode[];
  readonly conditions: Condition[];
}

interface FieldPlan {
  readonly key: string;
  readonly name: string;
  readonly conditions: readonly Condition[];
  readonly complete: Complete;
}

/** Per schema, per document, per operation name: its projection, or `null` when it has none. */
const plans = new OperationMemo((schema, document, operation) => compile(schema, document, operation) ?? null);

/**
 * The projection of `operation`, built once per schema, document and operation
 * name, or `undefined` when its selection is not made of copies only.
 */
export function projectionFor(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Projection | undefined {
  return plans.get(schema, document, operation) ?? undefined;
}

/** Thrown while compiling: this selection cannot be projected. */
class NotProjectable extends Error {}

function compile(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Projection | undefined {
  const root = schema.getSubscriptionType();
  if (operation.operation !== 'subscription' || root === null || root === undefined) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, boolean | undefined>();
  for (const definition of operation.variableDefinitions ?? []) {
    const value = definition.defaultValue;
    defaults.set(definition.variable.name.value, value?.kind === Kind.BOOLEAN ? value.value : undefined);
  }
  const compiler = new Compiler(schema, fragments, defaults);
  try {
    const fields = [...compiler.collect(root, [operation.selectionSet])];
    // A subscription has exactly one root field; a conditional one is left to `execute`.
    if (fields.length !== 1) return undefined;
    const [[key, { nodes, conditions }]] = fields as [[string, CollectedField]];
    const name = nodes[0]?.name.value ?? '';
    const definition = root.getFields()[name];
    if (definition === undefined || conditions.length > 0) return undefined;
    const resolveRoot = rootResolver(definition);
    const complete = compiler.completer(definition.type, subSelectionsOf(nodes));
    return (rootValue, variables) => {
      try {
        const data: Record<string, unknown> = {};
        data[key] = complete(resolveRoot(rootValue), variables);
        return { data };
      } catch {
        // Anything irregular, including a `serialize` or a push resolver that throws: `execute` decides.
        return undefined;
      }
    };
  } catch (error) {
    if (error instanceof NotProjectable) return undefined;
    throw error;
  }
}

/** The root field's value: its push resolver (it only unwraps a failed `publish`) or a property. */
function rootResolver(field: GraphQLField<unknown, unknown>): (rootValue: unknown) => unknown {
  const resolve = field.resolve;
  if (resolve === undefined || resolve === defaultFieldResolver) return (value) => readProperty(value, field.name);
  const extensions = field.extensions as { gqlcast?: { resolve?: unknown } } | undefined;
  if (!isPushField(extensions) || extensions?.gqlcast?.resolve !== resolve) throw new NotProjectable();
  // The push resolver reads its first argument only (see @gqlcast/pothos's resolvePushValue).
  const push = resolve as (value: unknown) => unknown;
  return (value) => {
    const resolved = push(value);
    if (isThenable(resolved)) throw giveUp;
    return resolved;
  };
}

class Compiler {
  readonly #schema: GraphQLSchema;
  readonly #fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly #defaults: ReadonlyMap<string, boolean | undefined>;

  constructor(
    schema: GraphQLSchema,
    fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    defaults: ReadonlyMap<string, boolean | undefined>,
  ) {
    this.#schema = schema;
    this.#fragments = fragments;
    this.#defaults = defaults;
  }

  /** The fields of `selectionSets` on `parent`, by response key, in graphql-js's collection order. */
  collect(parent: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): Map<string, CollectedField> {
    const byKey = new Map<string, CollectedField>();
    for (const selectionSet of selectionSets) this.#collect(parent, selectionSet, [], byKey, 0);
    return byKey;
  }

  /** The plans of the fields of `selectionSets` on `parent` (below the root: copies only). */
  #fields(parent: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): FieldPlan[] {
    const plans: FieldPlan[] = [];
    for (const [key, { nodes, conditions }] of this.collect(parent, selectionSets)) {
      const [first] = nodes;
      if (first === undefined) continue;
      // One key from several fields under a variable condition: which are included is decided
      // per execution, and so is the merged selection. Rare enough to leave to `execute`.
      if (nodes.length > 1 && conditions.length > 0) throw new NotProjectable();
      const name = first.name.value;
      if (name === '__typename') {
        const typeName = parent.name;
        plans.push({ key, name, conditions, complete: () => typeName });
        continue;
      }
      const field = parent.getFields()[name];
      if (field === undefined || name.startsWith('__')) throw new NotProjectable();
      if (field.resolve !== undefined && field.resolve !== defaultFieldResolver) throw new NotProjectable();
      // The default resolver ignores arguments, but `execute` coerces them and may report an error.
      if (nodes.some((node) => (node.arguments?.length ?? 0) > 0)) throw new NotProjectable();
      const complete = this.completer(field.type, subSelectionsOf(nodes));
      plans.push({ key, name, conditions, complete: this.#readThen(name, complete) });
    }
    return plans;
  }

  #readThen(name: string, complete: Complete): Complete {
    return (source, variables) => complete(readProperty(source, name), variables);
  }

  #collect(
    parent: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    inherited: readonly Condition[],
    byKey: Map<string, CollectedField>,
    depth: number,
  ): void {
    // Validation rejects fragment cycles; this bound only keeps a mistake from recursing forever.
    if (depth > 100) throw new NotProjectable();
    for (const selection of selectionSet.selections) {
      const conditions = this.#conditions(selection.directives, inherited);
      if (conditions === null) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const entry = byKey.get(key);
        if (entry === undefined) byKey.set(key, { nodes: [selection], conditions: [...conditions] });
        else {
          entry.nodes.push(selection);
          entry.conditions.push(...conditions);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!this.#applies(selection.typeCondition?.name.value, parent)) continue;
        this.#collect(parent, selection.selectionSet, conditions, byKey, depth + 1);
      } else {
        const fragment = this.#fragments.get(selection.name.value);
        if (fragment === undefined) throw new NotProjectable();
        if (!this.#applies(fragment.typeCondition.name.value, parent)) continue;
        this.#collect(parent, fragment.selectionSet, conditions, byKey, depth + 1);
      }
    }
  }

  /** graphql-js's `doesFragmentConditionMatch`, for an object type. */
  #applies(condition: string | undefined, parent: GraphQLObjectType): boolean {
    if (condition === undefined || condition === parent.name) return true;
    const type = this.#schema.getType(condition);
    return type !== undefined && isAbstractType(type) && this.#schema.isSubType(type, parent);
  }

  /**
   * The conditions so far plus this selection's `@include`/`@skip`; `null` when a literal
   * argument excludes it (decided now, as it never changes).
   */
  #conditions(
    directives:
      | readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: ValueNode }[] }[]
      | undefined,
    inherited: readonly Condition[],
  ): readonly Condition[] | null {
    let conditions = inherited;
    for (const directive of directives ?? []) {
      const include = directive.name.value === 'include' ? true : directive.name.value === 'skip' ? false : undefined;
      if (include === undefined) continue;
      const value = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
      if (value?.kind === Kind.BOOLEAN) {
        if (value.value !== include) return null;
      } else if (value?.kind === Kind.VARIABLE) {
        const variable = value.name.value;
        conditions = [...conditions, { variable, include, fallback: this.#defaults.get(variable) }];
      } else throw new NotProjectable();
    }
    return conditions;
  }

  /** Completes a value of `type` as graphql-js's `completeValue` would, or gives up. */
  completer(type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[]): Complete {
    if (isNonNullType(type)) {
      const inner = this.completer(type.ofType, selectionSets);
      return (value, variables) => {
        const completed = inner(value, variables);
        // A null here is a field error in graphql-js, with its message and path: `execute` makes it.
        if (completed === null) throw giveUp;
        return completed;
      };
    }
    const complete = this.#nullableCompleter(type, selectionSets);
    return (value, variables) => {
      if (value === null || value === undefined) return null;
      if (value instanceof Error || isThenable(value)) throw giveUp;
      return complete(value, variables);
    };
  }

  #nullableCompleter(type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[]): Complete {
    if (isListType(type)) {
      const item = this.completer(type.ofType, selectionSets);
      return (value, variables) => {
        // Other iterables (a Set, a generator) are graphql-js's to walk.
        if (!Array.isArray(value)) throw giveUp;
        return value.map((entry) => item(entry, variables));
      };
    }
    if (isLeafType(type)) {
      return (value) => {
        const serialized = type.serialize(value);
        if (serialized === undefined) throw giveUp;
        return serialized;
      };
    }
    if (isObjectType(type)) {
      if (type.isTypeOf !== undefined && type.isTypeOf !== null) throw new NotProjectable();
      const fields = this.#fields(type, selectionSets);
      return (source, variables) => {
        const result: Record<string, unknown> = {};
        for (const field of fields) {
          if (field.conditions.length > 0 && !included(field.conditions, variables)) continue;
          result[field.key] = field.complete(source, variables);
        }
        return result;
      };
    }
    // Interfaces and unions: `resolveType` runs (with the context).
    throw new NotProjectable();
  }
}

/** Whether every condition holds for these variables; gives up on a value `execute` would coerce. */
function included(conditions: readonly Condition[], variables: Variables): boolean {
  for (const condition of conditions) {
    let value = variables?.[condition.variable];
    if (value === undefined) value = condition.fallback;
    if (typeof value !== 'boolean') throw giveUp;
    if (value !== condition.include) return false;
  }
  return true;
}

function subSelectionsOf(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((node) => (node.selectionSet === undefined ? [] : [node.selectionSet]));
}

/** graphql-js's default resolver, except that a function-valued property is `execute`'s to call. */
function readProperty(source: unknown, name: string): unknown {
  if ((typeof source !== 'object' || source === null) && typeof source !== 'function') return undefined;
  const value = (source as Record<string, unknown>)[name];
  if (typeof value === 'function') throw giveUp;
  return value;
}
