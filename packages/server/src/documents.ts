import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { aliasLimit, depthLimit } from './limits.js';

/** A query ready to run, or why it cannot run. */
export type PreparedOperation =
  | { readonly ok: true; readonly document: DocumentNode; readonly operation: OperationDefinitionNode }
  | { readonly ok: false; readonly errors: readonly GraphQLError[] };

/** Queries longer than this (in characters) are parsed and validated each time, not cached. */
const maxCachedQueryLength = 16_384;

type Checked = { readonly document: DocumentNode } | { readonly errors: readonly GraphQLError[] };

/**
 * Parses and validates each distinct query text once. Entries are kept in
 * least-recently-used order, bounded by `size`; invalid queries are cached too,
 * so a client repeating a bad query costs nothing more.
 */
export class DocumentCache {
  readonly #schema: GraphQLSchema;
  readonly #rules: readonly ValidationRule[];
  readonly #size: number;
  readonly #entries = new Map<string, Checked>();

  readonly #maxTokens: number;

  constructor(
    schema: GraphQLSchema,
    extraRules: readonly ValidationRule[],
    size: number,
    limits: { maxDepth: number; maxAliases: number; maxTokens: number; introspection: boolean },
  ) {
    this.#schema = schema;
    this.#rules = [
      ...specifiedRules,
      depthLimit(limits.maxDepth),
      aliasLimit(limits.maxAliases),
      ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      ...extraRules,
    ];
    this.#size = size;
    this.#maxTokens = limits.maxTokens;
  }

  prepare(query: string, operationName: string | null | undefined): PreparedOperation {
    const checked = this.#check(query);
    if ('errors' in checked) return { ok: false, errors: checked.errors };
    const operation = getOperationAST(checked.document, operationName);
    if (operation === null || operation === undefined) {
      const message =
        operationName === undefined || operationName === null
          ? 'Must provide operation name if query contains multiple operations.'
          : `Unknown operation named "${operationName}".`;
      return { ok: false, errors: [new GraphQLError(message)] };
    }
    return { ok: true, document: checked.document, operation };
  }

  #check(query: string): Checked {
    const cached = this.#entries.get(query);
    if (cached !== undefined) {
      // Re-insert: Map iteration order is the LRU order.
      this.#entries.delete(query);
      this.#entries.set(query, cached);
      return cached;
    }
    let checked: Checked;
    try {
      // maxTokens stops the parser itself: a huge document costs nothing beyond the limit.
      const document = parse(query, { maxTokens: this.#maxTokens });
      const errors = validate(this.#schema, document, this.#rules);
      checked = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      checked = { errors: [error] };
    }
    // Only short texts are kept: a cache of 1,000 one-megabyte queries would hold a gigabyte.
    if (query.length > maxCachedQueryLength) return checked;
    this.#entries.set(query, checked);
    if (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return checked;
  }
}
