import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationType } from '../src/operation-type.js';
import { printDocument } from '../src/print.js';

describe('operationType: from a query text, without graphql-js', () => {
  it('reads the keyword of a single operation', () => {
    expect(operationType('subscription { onMessage { text } }')).toBe('subscription');
    expect(operationType('mutation Send($t: String!) { send(text: $t) }')).toBe('mutation');
    expect(operationType('query { me { name } }')).toBe('query');
  });

  it('takes a shorthand `{ ... }` for a query', () => {
    expect(operationType('{ me { name } }')).toBe('query');
    expect(operationType('  \n{ subscription: me { name } }')).toBe('query');
  });

  it('skips comments, even one that reads like an operation', () => {
    expect(operationType('# subscription { x }\nquery Q { a } # mutation')).toBe('query');
    expect(operationType('# query\nsubscription\n# { not a shorthand\n{ a }')).toBe('subscription');
  });

  it('reads past a byte order mark, commas, and a comment holding a quote', () => {
    expect(operationType('\uFEFFsubscription { a }')).toBe('subscription');
    expect(operationType('# it\'s "quoted\nsubscription S, { a }', 'S')).toBe('subscription');
    expect(operationType('query A { a(s: "# not a comment") } mutation B { b }', 'B')).toBe('mutation');
  });

  it('skips strings and block strings that contain `subscription` or braces', () => {
    expect(operationType('query { search(text: "subscription { x } \\" {") { id } }')).toBe('query');
    expect(operationType('mutation { post(body: """subscription {\n \\""" { """) }')).toBe('mutation');
  });

  it('skips fragments before (and after) the operation', () => {
    const text = `
      fragment Parts on Message { text author { name } }
      fragment More on Message { ...Parts id }
      subscription OnMessage { onMessage { ...More } }
      fragment Last on User { name }`;
    expect(operationType(text)).toBe('subscription');
  });

  it('reads braces in variable defaults and directive arguments as part of the header', () => {
    expect(operationType('query Q($f: Filter = { a: { b: 1 } }) @cached(opts: { ttl: 1 }) { a }')).toBe('query');
    expect(operationType('subscription @live { a }')).toBe('subscription');
  });

  it('picks the operation named by operationName among several', () => {
    const text = 'query A { a } subscription B { b } mutation C($x: Int) { c }';
    expect(operationType(text, 'A')).toBe('query');
    expect(operationType(text, 'B')).toBe('subscription');
    expect(operationType(text, 'C')).toBe('mutation');
    expect(operationType(text, 'D')).toBeUndefined();
    // Several operations and no name: the server decides (and refuses).
    expect(operationType(text)).toBeUndefined();
  });
});

describe('operationType: from a DocumentNode', () => {
  it('reads `definitions`, honouring operationName', () => {
    const document = parse('fragment F on T { a } query A { ...F } subscription B { b }');
    expect(operationType(document, 'A')).toBe('query');
    expect(operationType(document, 'B')).toBe('subscription');
    expect(operationType(document)).toBeUndefined();
    expect(operationType(parse('subscription { b }'))).toBe('subscription');
  });

  it('reads a hand-written AST with no graphql-js objects in it', () => {
    const document = {
      kind: 'Document',
      definitions: [{ kind: 'OperationDefinition', operation: 'mutation', selectionSet: { kind: 'SelectionSet' } }],
    } as never;
    expect(operationType(document)).toBe('mutation');
  });
});

describe('printDocument', () => {
  it('prints a document that graphql-js parses back to the same AST', () => {
    const text = `
      query Q($id: ID!, $f: [Filter!] = [{ a: 1, b: "x\\"y", c: ENUM, d: null, e: true, f: 1.5 }]) @dir(x: $id) {
        alias: node(id: $id) { ... on User @include(if: true) { name } ...Rest }
        ... { __typename }
      }
      fragment Rest on Node { id }`;
    const document = parse(text);
    expect(print(parse(printDocument(document)))).toBe(print(document));
  });
});
