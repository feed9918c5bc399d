import { isPushField } from '@gqlcast/core/push';
import {
  type DocumentNode,
  defaultFieldResolver,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { OperationMemo } from './operation-memo.js';

/**
 * Automatic sharing: subscribers of the same document, operation name and
 * variables whose `publish` returned the very same value (`===`) for one
 * notification get one execution and one serialization of it, when nothing
 * under their subscription field can read the context or differ per
 * subscriber. No `share` declaration is needed; anything not proven safe
 * runs per subscriber, exactly as before.
 *
 * Proven safe, field by field of the selection (fragments followed):
 * - the field has no resolver of its own (graphql-js's default resolver: Pothos
 *   `expose*` fields and plain properties), or it is a gqlcast push field whose
 *   resolver is the one `@gqlcast/pothos` gave it (it only unwraps a failed
 *   `publish`), or its extensions declare `gqlcastContextFree: true`;
 * - its type is not an interface or a union (`resolveType` gets the context),
 *   and no object type under it has an `isTypeOf` (which gets it too).
 * A Pothos plugin wrapper (scope-auth), the server's `middleware` (it wraps
 * every resolver) or any resolver function of yours makes the selection
 * per-subscriber.
 */

/** A field's extensions, as `gqlcastContextFree` declares a resolver that never reads the context. */
export interface ContextFreeExtensions {
  /** This field's resolver reads neither its context nor anything that differs per subscriber. */
  readonly gqlcastContextFree?: boolean;
}

/** Per schema, per document, per operation name: whether its selection is context-free. */
const verdicts = new OperationMemo(decide);

/** Whether every subscriber of `operation` would get the same result for the same root value. */
export function isContextFree(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  return verdicts.get(schema, document, operation);
}

function decide(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const root = schema.getSubscriptionType();
  if (operation.operation !== 'subscription' || root === null || root === undefined) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Each (fragment, type) pair is checked once: a fragment spread many times costs nothing more.
  const checked = new Set<string>();

  const selectionIsFree = (selectionSet: SelectionSetNode | undefined, parent: GraphQLNamedType): boolean => {
    if (selectionSet === undefined) return true;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        // Introspection under a subscription field reads the schema only.
        if (name.startsWith('__')) continue;
        if (!isObjectType(parent)) return false;
        const field = parent.getFields()[name];
        if (field === undefined || !fieldIsFree(field, parent === root)) return false;
        const type = getNamedType(field.type);
        if (isAbstractType(type)) return false;
        if (isObjectType(type)) {
          if (type.isTypeOf !== undefined && type.isTypeOf !== null) return false;
          if (!selectionIsFree(selection.selectionSet, type)) return false;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition;
        const type = condition === undefined ? parent : schema.getType(condition.name.value);
        if (type === undefined || !selectionIsFree(selection.selectionSet, type)) return false;
      } else {
        const key = `${selection.name.value} on ${parent.name}`;
        if (checked.has(key)) continue;
        checked.add(key);
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined || !selectionIsFree(fragment.selectionSet, parent)) return false;
      }
    }
    return true;
  };

  return selectionIsFree(operation.selectionSet, root);
}

function fieldIsFree(field: GraphQLField<unknown, unknown>, atRoot: boolean): boolean {
  const resolve = field.resolve;
  if (resolve === undefined || resolve === defaultFieldResolver) return true;
  const extensions = field.extensions as (ContextFreeExtensions & Record<string, unknown>) | undefined;
  if (extensions?.gqlcastContextFree === true) return true;
  // The push field's own resolver, unless something (a plugin, the middleware) wrapped it.
  return atRoot && isPushField(extensions) && resolve === pushResolverOf(extensions);
}

function pushResolverOf(extensions: unknown): unknown {
  return (extensions as { gqlcast?: { resolve?: unknown } }).gqlcast?.resolve;
}

/**
 * What executions made during one synchronous fan-out: the serialized result
 * of (value, execution key). A broadcast reaches every subscriber of a process
 * in one synchronous pass (when `publish` is synchronous), so entries are kept
 * until the current job ends and no longer: a value `publish` returns again
 * later (a shared object changed since) is executed again.
 */
export class TurnMemo {
  /** By value: its results, one per execution key, chained (a value is mostly executed under one key). */
  #entries: Map<unknown, SharedResult> | undefined;

  get(value: unknown, key: string): SharedResult | undefined {
    for (let result = this.#entries?.get(value); result !== undefined; result = result.next) {
      if (result.key === key) return result;
    }
    return undefined;
  }

  /** Records the body of (value, key) for the rest of this job, and returns its entry. */
  set(value: unknown, key: string, body: string): SharedResult {
    if (this.#entries === undefined) {
      this.#entries = new Map();
      queueMicrotask(() => {
        this.#entries = undefined;
      });
    }
    // One small object per computed result: where nothing repeats (a `publish` returning a new
    // object per subscriber) this is all the memo costs.
    const result: SharedResult = {
      key,
      body,
      head: undefined,
      frame: undefined,
      more: undefined,
      next: this.#entries.get(value),
    };
    this.#entries.set(value, result);
    return result;
  }
}

/**
 * One execution's serialized result in the current fan-out, and the frames built from it so
 * far by message prefix (head): the first in place, further ones in a map made on first use.
 */
export interface SharedResult {
  readonly key: string;
  readonly body: string;
  head: string | undefined;
  frame: Buffer | undefined;
  more: Map<string, Buffer> | undefined;
  /** The result of the same value under another execution key. */
  readonly next: SharedResult | undefined;
}

/** The frame already built for `head` from this result, if any. */
export function frameOf(result: SharedResult, head: string): Buffer | undefined {
  return result.head === head ? result.frame : result.more?.get(head);
}

/** Keeps the frame built for `head`, for the next subscriber with that head. */
export function keepFrame(result: SharedResult, head: string, frame: Buffer): void {
  if (result.head === undefined) {
    result.head = head;
    result.frame = frame;
  } else {
    result.more ??= new Map();
    result.more.set(head, frame);
  }
}
