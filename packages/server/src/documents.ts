import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type Location,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  type Token,
  type ValidationRule,
  validate,
} from 'graphql';
import { costLimit } from './cost-limit.js';
import { ServerErrorCode } from './error-codes.js';
import { aliasLimit, depthLimit } from './limits.js';
import type { ResolvedOptions } from './options.js';
import type { TokenBucket } from './rate-limit.js';

/** A query ready to run, or why it cannot run. */
export type PreparedOperation =
  | { readonly ok: true; readonly document: DocumentNode; readonly operation: OperationDefinitionNode }
  | { readonly ok: false; readonly errors: readonly GraphQLError[] };

/** Queries longer than this (in characters) are parsed and validated each time, not cached. */
const maxCachedQueryLength = 16_384;

/**
 * What an AST node costs in the heap with its slimmed location (an estimate
 * for graphql-js 16 documents). The cache counts this, not the query's
 * length: memory follows nodes, not characters.
 */
const bytesPerNode = 112;

/** A validation error as the cache keeps it: its text and where it points, not the AST or source it points into. */
interface KeptError {
  readonly message: string;
  readonly locations: readonly { line: number; column: number }[] | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;
}

type Checked =
  | { readonly document: DocumentNode; readonly bytes: number }
  | { readonly errors: readonly KeptError[]; readonly bytes: number };

/** What the cache needs from the server's options. */
export type DocumentOptions = Pick<
  ResolvedOptions,
  | 'validationRules'
  | 'documentCacheSize'
  | 'documentCacheBytes'
  | 'maxDepth'
  | 'maxAliases'
  | 'maxTokens'
  | 'costLimit'
  | 'introspection'
  | 'fieldSuggestions'
>;

/**
 * Parses and validates each distinct query text once. Entries are kept in
 * least-recently-used order, bounded by `documentCacheSize` entries and by
 * `documentCacheBytes` (estimated heap). What is kept is small on purpose:
 * - a valid document keeps of each location only its offsets and the query
 *   text, not the parser's token list (which costs about 130 times the bytes
 *   of the text);
 * - an invalid one keeps only its errors' messages and positions, never the
 *   AST they were found in: a client repeating a bad query costs nothing more,
 *   and a thousand distinct bad queries cost a few kilobytes.
 */
export class DocumentCache {
  readonly #rules: readonly ValidationRule[];
  readonly #options: DocumentOptions;
  /** By schema (a number, `schemaKeys`) and query text: one LRU order and one byte budget for all schemas. */
  readonly #entries = new Map<string, Checked>();
  /** Each schema's part of the cache keys (`schema` per operation: a document valid in one is not in another). */
  readonly #schemaKeys = new WeakMap<GraphQLSchema, number>();
  #nextSchemaKey = 0;
  #bytes = 0;

  constructor(options: DocumentOptions) {
    this.#options = options;
    this.#rules = [
      ...specifiedRules,
      depthLimit(options.maxDepth),
      aliasLimit(options.maxAliases),
      ...(options.costLimit === undefined ? [] : [costLimit(options.costLimit)]),
      ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      ...options.validationRules,
    ];
  }

  /** Estimated heap held by the cached documents and errors, in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** How many query texts are cached. */
  get entries(): number {
    return this.#entries.size;
  }

  /**
   * The document of `query`, parsed and validated (from the cache when it was seen before).
   * `budgetOf`: gives the connection's `validationBudget` (asked for only when the document is new),
   * charged with the time a new document takes;
   * once it is spent, new documents are refused until it refills (cached ones are still served).
   */
  prepare(
    schema: GraphQLSchema,
    query: string,
    operationName: string | null | undefined,
    budgetOf?: () => TokenBucket | undefined,
  ): PreparedOperation {
    const checked = this.#check(schema, query, budgetOf);
    if (checked === undefined) {
      const error = new GraphQLError(
        'This connection spent its time budget for parsing and validating new documents (validationBudget): ' +
          'retry later, or reuse documents the server has seen.',
        { extensions: { code: ServerErrorCode.ValidationBudgetExceeded } },
      );
      return { ok: false, errors: [error] };
    }
    if ('errors' in checked) return { ok: false, errors: checked.errors.map(toGraphQLError) };
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

  #check(
    schema: GraphQLSchema,
    query: string,
    budgetOf: (() => TokenBucket | undefined) | undefined,
  ): Checked | undefined {
    const key = `${this.#schemaKey(schema)}:${query}`;
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      // Re-insert: Map iteration order is the LRU order.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const budget = budgetOf?.();
    if (budget !== undefined && !budget.available()) return undefined;
    const started = performance.now();
    const checked = this.#parseAndValidate(schema, query);
    budget?.spend(performance.now() - started);
    // Only short texts are kept: a cache of 1,000 one-megabyte queries would hold a gigabyte.
    if (query.length > maxCachedQueryLength) return checked;
    this.#entries.set(key, checked);
    this.#bytes += checked.bytes;
    const { documentCacheSize, documentCacheBytes } = this.#options;
    while (this.#entries.size > documentCacheSize || this.#bytes > documentCacheBytes) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, Checked];
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
    return checked;
  }

  #schemaKey(schema: GraphQLSchema): number {
    let key = this.#schemaKeys.get(schema);
    if (key === undefined) {
      key = this.#nextSchemaKey++;
      this.#schemaKeys.set(schema, key);
    }
    return key;
  }

  #parseAndValidate(schema: GraphQLSchema, query: string): Checked {
    const { maxTokens, fieldSuggestions } = this.#options;
    // The key is the text itself: it is counted once, as one byte per character (V8's one-byte strings).
    const keyBytes = query.length;
    try {
      // maxTokens stops the parser itself: a huge document costs nothing beyond the limit.
      const located = parse(query, { maxTokens });
      const errors = validate(schema, located, this.#rules);
      if (errors.length > 0) {
        const kept = errors.map((error) => keep(error, fieldSuggestions));
        return { errors: kept, bytes: keyBytes + errorBytes(kept) };
      }
      // The document lives as long as its cache entry and every subscription using it: its locations
      // must not keep the parser's whole token list alive.
      return { document: located, bytes: keyBytes + slimLocations(located) * bytesPerNode };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const kept = [keep(error, fieldSuggestions)];
      return { errors: kept, bytes: keyBytes + errorBytes(kept) };
    }
  }
}

// graphql-js ends its suggestions with `Did you mean "a", "b", or "c"?`: the names it lists are the schema's.
const suggestion = / ?Did you mean [^?]*\?$/;

function keep(error: GraphQLError, fieldSuggestions: boolean): KeptError {
  return {
    message: fieldSuggestions ? error.message : error.message.replace(suggestion, ''),
    locations:
      error.locations === undefined ? undefined : error.locations.map(({ line, column }) => ({ line, column })),
    // The code is set here, so no later step makes a new error from this one (which would lose the
    // positions: they point into a text the cache does not keep).
    extensions: { code: ServerErrorCode.InvalidOperation, ...error.extensions },
  };
}

function errorBytes(errors: readonly KeptError[]): number {
  let bytes = 0;
  for (const error of errors) bytes += 64 + error.message.length + 32 * (error.locations?.length ?? 0);
  return bytes;
}

/** A fresh error for each use (errors are formatted and may be changed by the caller), with the kept positions. */
function toGraphQLError(kept: KeptError): GraphQLError {
  const error = new GraphQLError(kept.message, { extensions: kept.extensions });
  if (kept.locations !== undefined) {
    // The positions point into a text the cache does not keep: set them as graphql-js would have computed them.
    Object.defineProperty(error, 'locations', { value: kept.locations, enumerable: true, configurable: true });
  }
  return error;
}

/** A token's position, without the links to the tokens around it. */
function detached(token: Token): Token {
  return {
    kind: token.kind,
    start: token.start,
    end: token.end,
    line: token.line,
    column: token.column,
    value: token.value,
    prev: null,
    next: null,
  } as Token;
}

/**
 * Replaces each node's `loc` with what errors need from it (`start`, `end`,
 * `source`, the query text the cache keys by anyway, and its first and last
 * token's position without their links) and returns how many
 * nodes there are. graphql-js's `Location` also points at its first and last
 * token, and tokens link to their neighbours: one kept node would keep every
 * token of the document, about 130 times the bytes of its text. Iterative: a
 * deep document cannot overflow the stack.
 */
function slimLocations(document: DocumentNode): number {
  let nodes = 0;
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    nodes++;
    const node = value as Record<string, unknown> & { loc?: Location };
    for (const key in node) {
      if (key === 'loc') continue;
      const child = node[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
    const loc = node.loc;
    if (loc !== undefined) {
      // Tools that compile documents (graphql-jit) read the line and column of `startToken`: it
      // stays, detached from its neighbours.
      node.loc = {
        start: loc.start,
        end: loc.end,
        source: loc.source,
        startToken: detached(loc.startToken),
        endToken: detached(loc.endToken),
      } as Location;
    }
  }
  return nodes;
}

/**
 * The variables the operation declares, without any others. graphql-js ignores undeclared
 * variables, but a subscription keeps its variables for its whole life (each notification is
 * executed with them) and they join its share key: a client's extra, deeply nested junk must
 * not be kept, nor written into keys.
 */
export function declaredVariables(
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, unknown> | undefined {
  if (variables === undefined || variables === null) return undefined;
  const definitions = operation.variableDefinitions ?? [];
  const kept: Record<string, unknown> = {};
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(variables, name)) kept[name] = variables[name];
  }
  return kept;
}
