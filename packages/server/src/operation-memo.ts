import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';

/**
 * A decision computed once per schema, document and operation name, then remembered as long as
 * the schema and the document live (both weakly held: a dropped document or tenant schema takes
 * its entries with it). The document cache hands out one `DocumentNode` per query text, so a
 * repeated subscription finds its entry without computing again.
 */
export class OperationMemo<T> {
  readonly #bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, T>>>();
  readonly #compute: (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => T;

  constructor(compute: (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => T) {
    this.#compute = compute;
  }

  get(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): T {
    let byDocument = this.#bySchema.get(schema);
    if (byDocument === undefined) {
      byDocument = new WeakMap();
      this.#bySchema.set(schema, byDocument);
    }
    let byName = byDocument.get(document);
    if (byName === undefined) {
      byName = new Map();
      byDocument.set(document, byName);
    }
    const name = operation.name?.value ?? '';
    if (byName.has(name)) return byName.get(name) as T;
    const value = this.#compute(schema, document, operation);
    byName.set(name, value);
    return value;
  }
}
