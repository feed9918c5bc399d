import {
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ServerErrorCode } from './error-codes.js';

/** How a document's cost is counted; see {@link costLimit}. */
export interface CostLimit {
  /** The highest cost an operation may have. */
  readonly maxCost: number;
  /**
   * How many items a list field is assumed to return when estimating what
   * its selection costs. `1` counts selections only, as Apollo Router's
   * `max_recursive_selections` does.
   */
  readonly listFactor: number;
}

/**
 * A validation rule refusing operations whose estimated cost is above
 * `maxCost`, before anything executes.
 *
 * The cost is the number of fields the operation would resolve, with every
 * fragment spread expanded where it is used and every alias counted (a field
 * written once in a fragment spread ten times costs ten), introspection
 * fields included; a field returning a list multiplies its selection's cost by
 * `listFactor` (per list level). So a 900-byte query that fans introspection
 * out through aliased fragments, or a `friends { friends { … } }` chain within
 * the depth limit, is refused in microseconds instead of running for seconds.
 *
 * Each fragment's cost is computed once (a chain of fragments spreading the
 * next one twice costs 2^n when executed, but n steps to estimate here).
 * Exported so the same limit can guard an HTTP endpoint too.
 */
export function costLimit({ maxCost, listFactor }: CostLimit): ValidationRule {
  return (context: ValidationContext) => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const fragmentCosts = new Map<string, number>();

    const fragmentCost = (name: string, seen: ReadonlySet<string>): number => {
      const known = fragmentCosts.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      // Unknown fragments and cycles are graphql's own rules' to report: they cost nothing here.
      if (fragment === undefined || seen.has(name)) return 0;
      const type = schema.getType(fragment.typeCondition.name.value);
      const cost = selectionCost(fragment.selectionSet, type, new Set(seen).add(name));
      fragmentCosts.set(name, cost);
      return cost;
    };

    /**
     * `spread`: the fragments already counted in this selection set. graphql-js collects a fragment
     * once per selection set however often it is spread there (inline fragments included), so a
     * repeated spread costs nothing more; spread again under another field, it is executed again.
     */
    const selectionCost = (
      selectionSet: SelectionSetNode | undefined,
      parent: GraphQLNamedType | undefined,
      seen: ReadonlySet<string>,
      spread: Set<string> = new Set(),
    ): number => {
      if (selectionSet === undefined) return 0;
      let total = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const field = fieldOf(parent, selection.name.value);
          const type = field === undefined ? undefined : field.type;
          const below = selectionCost(
            selection.selectionSet,
            type === undefined ? undefined : getNamedType(type),
            seen,
          );
          total += 1 + (below === 0 ? 0 : below * breadth(type, listFactor));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const condition = selection.typeCondition;
          const type = condition === undefined ? parent : schema.getType(condition.name.value);
          total += selectionCost(selection.selectionSet, type, seen, spread);
        } else if (!spread.has(selection.name.value)) {
          spread.add(selection.name.value);
          total += fragmentCost(selection.name.value, seen);
        }
        // Far past the limit already: the exact figure does not matter, and it keeps numbers finite.
        if (total > maxCost) return total;
      }
      return total;
    };

    return {
      OperationDefinition(operation) {
        const root =
          operation.operation === 'query'
            ? schema.getQueryType()
            : operation.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        const cost = selectionCost(operation.selectionSet, root ?? undefined, new Set());
        if (cost > maxCost) {
          const shown = cost > 1e9 ? 'over a billion' : String(cost);
          context.reportError(
            new GraphQLError(
              `The operation is too costly: its estimated cost is ${shown}, the limit is ${maxCost}. ` +
                'Each field counts once per place it is used (fragments expanded, aliases counted), ' +
                `a list field's selection ${listFactor} times: select fewer fields or less nesting.`,
              { nodes: operation, extensions: { code: ServerErrorCode.QueryTooCostly } },
            ),
          );
        }
      },
    };
  };
}

/** The field `name` of `parent`, introspection's meta fields included; `undefined` when unknown. */
function fieldOf(parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === undefined) return undefined;
  if (name === '__schema') return SchemaMetaFieldDef;
  if (name === '__type') return TypeMetaFieldDef;
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
  return undefined;
}

/** `listFactor` per list level of `type` (`[[T]]` counts twice); 1 for a single value. */
function breadth(type: GraphQLOutputType | undefined, listFactor: number): number {
  let factor = 1;
  let current: GraphQLOutputType | undefined = type;
  while (current !== undefined) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      factor *= listFactor;
      current = current.ofType as GraphQLOutputType;
    } else current = undefined;
  }
  return factor;
}
