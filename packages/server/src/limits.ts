import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * A validation rule refusing documents nested deeper than `max` fields
 * (fragments followed), against queries built to exhaust the server.
 * Exported so the same limit can guard an HTTP endpoint too.
 */
export function depthLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // Each fragment's depth is computed once: re-walking a fragment at every spread would let a chain
    // of fragments spreading the next one twice cost 2^n steps.
    const fragmentDepths = new Map<string, number>();
    const fragmentDepth = (name: string, seen: Set<string>): number => {
      const known = fragmentDepths.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      // A fragment cycle is reported by graphql's own rules; do not loop on it here.
      if (fragment === undefined || seen.has(name)) return 0;
      const depth = depthOf(fragment.selectionSet, new Set(seen).add(name));
      fragmentDepths.set(name, depth);
      return depth;
    };
    const depthOf = (selectionSet: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (selectionSet === undefined) return 0;
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          // Introspection fields do not count: their depth is fixed by graphql-js.
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        } else {
          deepest = Math.max(deepest, fragmentDepth(selection.name.value, seen));
        }
        if (deepest > max) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`The operation is nested ${depth} levels deep; the limit is ${max}.`, {
              nodes: operation,
            }),
          );
        }
      },
    };
  };
}

/** A validation rule refusing documents with more than `max` aliased fields (alias amplification). */
export function aliasLimit(max: number): ValidationRule {
  return (context: ValidationContext) => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node: FieldNode) {
        if (node.alias === undefined) return;
        aliases++;
        if (aliases > max && !reported) {
          reported = true;
          context.reportError(new GraphQLError(`The document uses more than ${max} aliases.`, { nodes: node }));
        }
      },
    };
  };
}
