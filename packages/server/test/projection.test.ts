// Issue 17: a notification whose selection only copies properties is computed without graphql-js's
// `execute` (projection.ts). The projection must give the very bytes `execute` gives, or give up
// (and `execute` runs). Each case compares the two on the same schema, document and value.
import { pushFieldExtensions } from '@gqlcast/core/push';
import {
  execute,
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  getOperationAST,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { projectionFor } from '../src/projection.js';

class Failure {
  constructor(readonly error: Error) {}
}
/** The resolver @gqlcast/pothos gives a push field: the value, or its failure thrown. */
const pushResolve = (value: unknown): unknown => {
  if (value instanceof Failure) throw value.error;
  return value;
};

/** A plain object, as a field's `extensions` must be. */
const pushExtensions = { ...pushFieldExtensions('n', false, pushResolve) };

const Color = new GraphQLEnumType({ name: 'Color', values: { RED: { value: 'r' }, BLUE: { value: 'b' } } });
const Money = new GraphQLScalarType({
  name: 'Money',
  serialize: (value) => {
    if (typeof value !== 'number') throw new TypeError('Money must be a number');
    return `$${value.toFixed(2)}`;
  },
});
const Author = new GraphQLObjectType({
  name: 'Author',
  fields: { id: { type: new GraphQLNonNull(GraphQLID) }, name: { type: GraphQLString } },
});
const Named = new GraphQLInterfaceType({ name: 'Named', fields: { name: { type: GraphQLString } } });
const Person = new GraphQLObjectType({
  name: 'Person',
  interfaces: [Named],
  fields: { name: { type: GraphQLString } },
});
const Note = new GraphQLObjectType({
  name: 'Note',
  interfaces: [],
  fields: {
    text: { type: new GraphQLNonNull(GraphQLString) },
    n: { type: GraphQLInt },
    score: { type: GraphQLFloat },
    pinned: { type: GraphQLBoolean },
    color: { type: Color },
    price: { type: Money },
    author: { type: Author },
    authors: { type: new GraphQLList(new GraphQLNonNull(Author)) },
    tags: { type: new GraphQLNonNull(new GraphQLList(GraphQLString)) },
    person: { type: Person },
    named: { type: Named, resolve: (value) => (value as { person?: unknown }).person },
    shout: { type: GraphQLString, resolve: (value) => (value as { text: string }).text.toUpperCase() },
    echo: { type: GraphQLString, args: { s: { type: GraphQLString } } },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      note: { type: new GraphQLNonNull(Note), resolve: pushResolve, extensions: pushExtensions },
      maybe: { type: Note, resolve: pushResolve, extensions: pushExtensions },
      wrapped: {
        type: Note,
        resolve: (value: unknown) => pushResolve(value),
        extensions: pushExtensions,
      },
    },
  }),
  types: [Person],
});

const note = {
  text: 'hi',
  n: 3,
  score: 0.5,
  pinned: true,
  color: 'b',
  price: 4,
  author: { id: 7, name: 'Ada' },
  authors: [
    { id: 'a', name: 'A' },
    { id: 'b', name: null },
  ],
  tags: ['x', null, 'y'],
  person: { name: 'P' },
  extra: 'not selected',
};

function both(query: string, rootValue: unknown, variableValues?: Record<string, unknown>) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (operation === null || operation === undefined) throw new Error('no operation');
  const projection = projectionFor(schema, document, operation);
  const projected = projection?.(rootValue, variableValues);
  const executed = execute({ schema, document, rootValue, variableValues });
  return { projection, projected, executed };
}

/** The projection exists, answers, and answers exactly what `execute` answers. */
function expectProjected(query: string, rootValue: unknown, variables?: Record<string, unknown>) {
  const { projection, projected, executed } = both(query, rootValue, variables);
  expect(projection).toBeTypeOf('function');
  expect(projected).toBeDefined();
  expect(JSON.stringify(projected)).toBe(JSON.stringify(executed));
}

/** The projection exists but gives up on this value: `execute` decides. */
function expectGivesUp(query: string, rootValue: unknown, variables?: Record<string, unknown>) {
  const { projection, projected } = both(query, rootValue, variables);
  expect(projection).toBeTypeOf('function');
  expect(projected).toBeUndefined();
}

/** No projection for this document: every notification runs `execute`. */
function expectNoProjection(query: string) {
  const { projection } = both(query, note);
  expect(projection).toBeUndefined();
}

describe('a projection gives the bytes execute gives', () => {
  it('for scalars, enums, custom scalars, nested objects and lists, in selection order', () => {
    expectProjected(
      'subscription { note { tags price color pinned score n text author { name id } authors { id name } } }',
      note,
    );
  });

  it('for aliases, __typename, and the same key selected twice (merged)', () => {
    expectProjected(
      'subscription S { n: note { a: text __typename author { id } author { name } t: __typename } }',
      note,
    );
  });

  it('for fragments: named, inline, on the type itself and on an interface it implements', () => {
    expectProjected(
      `subscription { note { ...F ... on Note { n } person { ... on Named { name } ...P } } }
       fragment F on Note { text author { ...A } }
       fragment A on Author { id }
       fragment P on Person { __typename }`,
      note,
    );
  });

  it('for @include and @skip, literal and from variables, with defaults', () => {
    const query = `subscription ($a: Boolean!, $b: Boolean = true) {
      note { text n @include(if: $a) score @skip(if: $b) pinned @include(if: false) ... on Note @skip(if: $a) { color } }
    }`;
    expectProjected(query, note, { a: true });
    expectProjected(query, note, { a: false, b: false });
  });

  it('for nulls where the schema allows them, and values that are not objects', () => {
    expectProjected('subscription { maybe { text } }', null);
    expectProjected('subscription { note { text author { id } authors { id } n } }', { text: 't' });
    expectProjected('subscription { note { text person { name } } }', { text: 't', person: 'not an object' });
  });

  it('for values from a class instance (getters and prototype properties)', () => {
    class Row {
      get text() {
        return 'from a getter';
      }
      n = 1;
      tags = [];
    }
    expectProjected('subscription { note { text n tags } }', new Row());
  });
});

describe('a projection gives up where execute reports something', () => {
  it('a null in a non-null position', () => {
    expectGivesUp('subscription { note { text } }', { text: null });
    expectGivesUp('subscription { note { text } }', null);
    expectGivesUp('subscription { note { authors { id } } }', { text: 't', authors: [{ id: null }] });
  });

  it('a failed publish (the push resolver throws)', () => {
    expectGivesUp('subscription { note { text } }', new Failure(new Error('publish failed')));
  });

  it('a serialize that throws or an enum value that does not exist', () => {
    expectGivesUp('subscription { note { price } }', { price: 'free' });
    expectGivesUp('subscription { note { color } }', { color: 'green' });
    expectGivesUp('subscription { note { n } }', { n: 1.5 });
  });

  it('a property that is a function, a promise, an Error, or a list that is not an array', () => {
    expectGivesUp('subscription { note { text } }', { text: () => 'called with the context' });
    expectGivesUp('subscription { note { text } }', { text: Promise.resolve('later') });
    expectGivesUp('subscription { note { n } }', { n: new Error('boom') });
    expectGivesUp('subscription { note { tags } }', { tags: new Set(['a']) });
  });

  it('an @include variable that is not a boolean', () => {
    expectGivesUp('subscription ($a: Boolean) { note { n @include(if: $a) } }', note, {});
  });

  it('and what it gives up on, execute answers (the result is never lost)', () => {
    const { executed } = both('subscription { note { text } }', { text: null });
    expect(JSON.stringify(executed)).toContain('Cannot return null for non-nullable field Note.text.');
  });
});

describe('no projection where execute does more than copy', () => {
  it('a resolver of its own under the field', () => expectNoProjection('subscription { note { shout } }'));
  it('an interface under the field', () => expectNoProjection('subscription { note { named { name } } }'));
  it('arguments on a field under the field', () => expectNoProjection('subscription { note { echo(s: "x") } }'));
  it('a push field whose resolver was wrapped', () => expectNoProjection('subscription { wrapped { text } }'));
  it('a conditional root field', () =>
    expectNoProjection('subscription ($a: Boolean!) { note @include(if: $a) { text } }'));
  it('one key from two fields under a variable condition', () =>
    expectNoProjection('subscription ($a: Boolean!) { note { text text @include(if: $a) } }'));
  it('a query or a mutation', () => expectNoProjection('query { ok }'));
});
