import type { DocumentNode } from 'graphql';

/** The kind of a GraphQL operation. */
export type OperationType = 'query' | 'mutation' | 'subscription';

interface Found {
  readonly type: OperationType;
  readonly name: string | undefined;
}

const keywords = new Set<string>(['query', 'mutation', 'subscription']);
const nameStart = /[_A-Za-z]/;
const nameRest = /\w/; // [_0-9A-Za-z]

/**
 * The operations of a document text, found with a small lexer instead of a
 * parser: comments, strings and fragments are skipped, and only the keyword
 * and name in front of each top-level selection set are read.
 */
function scan(text: string): Found[] {
  const found: Found[] = [];
  let depth = 0; // `{ }` nesting
  let parens = 0; // `( )` nesting (variable definitions, directive arguments)
  let header = false; // a definition's keyword was read; its `{` is next
  let expectName = false; // an operation keyword was just read
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '"') {
      if (text.startsWith('"""', i)) {
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 3;
      } else {
        i++;
        while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
        i++;
      }
      expectName = false;
    } else if (nameStart.test(c)) {
      const start = i;
      while (i < text.length && nameRest.test(text[i] as string)) i++;
      const word = text.slice(start, i);
      if (depth === 0 && parens === 0) {
        if (expectName) {
          found[found.length - 1] = { type: (found[found.length - 1] as Found).type, name: word };
          expectName = false;
        } else if (!header && keywords.has(word)) {
          found.push({ type: word as OperationType, name: undefined });
          header = true;
          expectName = true;
        } else if (!header && word === 'fragment') header = true;
      }
    } else {
      if (c === '{') {
        if (depth === 0 && parens === 0) {
          // A `{` with no keyword before it is a shorthand query.
          if (!header) found.push({ type: 'query', name: undefined });
          header = false;
        }
        depth++;
      } else if (c === '}') depth--;
      else if (c === '(') parens++;
      else if (c === ')') parens--;
      if (!/[\s,]/.test(c)) expectName = false; // \s covers the BOM
      i++;
    }
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
