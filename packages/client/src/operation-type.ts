import type { DocumentNode } from 'graphql';

/** The kind of a GraphQL operation. */
export type OperationType = 'query' | 'mutation' | 'subscription';

interface Found {
  readonly type: OperationType;
  readonly name: string | undefined;
}

const keywords = new Set<string>(['query', 'mutation', 'subscription']);

/**
 * The operations of a document text, found without a parser: comments and
 * strings are blanked, whatever is nested in `{ }` or `( )` is skipped, and
 * what is left is one header per definition, `keyword name ... {` (a bare `{`
 * is a shorthand query; fragments are left out).
 */
function scan(text: string): Found[] {
  let headers = '';
  let depth = 0;
  // A block string may hold `\"""`; a comment runs to the end of its line.
  for (const c of text.replace(/"""(?:\\"""|[\s\S])*?"""|"(?:\\.|[^"\\\n])*"|#.*/g, ' ')) {
    if (c === '}' || c === ')') depth--;
    else if (depth === 0) headers += c;
    if (c === '{' || c === '(') depth++;
  }
  const found: Found[] = [];
  // \s covers the BOM; commas are insignificant in GraphQL.
  for (const [, keyword, name] of headers.matchAll(/[\s,]*(\w*)[\s,]*(\w*)[^{]*\{/g)) {
    const type = keyword || 'query';
    if (keywords.has(type)) found.push({ type: type as OperationType, name: name || undefined });
  }
  return found;
}

/** Picks the operation to run: the one named `operationName`, or the only one. */
function select(found: readonly Found[], operationName: string | null | undefined): OperationType | undefined {
  if (operationName) return found.find((operation) => operation.name === operationName)?.type;
  return found.length === 1 ? found[0]?.type : undefined;
}

/**
 * The type of the operation a request runs, without graphql-js: from the
 * `definitions` of a document, or by scanning a query text. `undefined` when
 * the operation cannot be told (several operations and no matching
 * `operationName`); the server then says what is wrong.
 */
export function operationType(
  query: string | DocumentNode,
  operationName?: string | null | undefined,
): OperationType | undefined {
  if (typeof query === 'string') return select(scan(query), operationName);
  const found: Found[] = [];
  for (const definition of query.definitions) {
    if (definition.kind === 'OperationDefinition') {
      found.push({ type: definition.operation as OperationType, name: definition.name?.value });
    }
  }
  return select(found, operationName);
}
