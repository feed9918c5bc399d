// Issue 15, attacks 1, 6, 8 and 13: queries that cost far more to answer than to send. Each is
// refused by validation, before anything executes; a control client on the same server is
// answered right after (a sentinel, not a timer).
import { buildSchema, getIntrospectionQuery } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerErrorCode } from '../../src/index.js';
import { startServer } from '../utils/test-server.js';

/** A schema with a recursive list field, as social graphs and trees have. */
const graph = buildSchema(`
  type Query { me: User, hello: String }
  type User { id: ID!, name: String, friends: [User!]! }
`);

/** A document fanning introspection out through aliases written once inside fragments (attack 1). */
function introspectionFanOut(): string {
  const aliases = (field: string, spread: string) =>
    Array.from({ length: 8 }, (_, i) => `${field[0]}${i}: ${field} { ...${spread} }`).join(' ');
  return [
    `{ __schema { types { ...T1 } } }`,
    `fragment T1 on __Type { ${aliases('fields', 'F1')} }`,
    `fragment F1 on __Field { type { ...T2 } }`,
    `fragment T2 on __Type { ${aliases('fields', 'F2')} }`,
    `fragment F2 on __Field { type { ...T3 } }`,
    `fragment T3 on __Type { ${aliases('fields', 'F3')} }`,
    `fragment F3 on __Field { name type { name } }`,
  ].join('\n');
}

async function expectTooCostly(query: string, options: Parameters<typeof startServer>[0] = {}) {
  await using server = await startServer(options);
  const attacker = await server.client('graphql-transport-ws');
  const control = await server.client('graphql-transport-ws');
  await attacker.init();
  await control.init();
  attacker.send({ id: 'a', type: 'subscribe', payload: { query } });
  const answer = await attacker.next();
  expect(answer).toMatchObject({ id: 'a', type: 'error' });
  // Other rules may report too (aliases, unused fragments): the cost rule must be among them.
  expect(answer.payload).toContainEqual(
    expect.objectContaining({ extensions: { code: ServerErrorCode.QueryTooCostly } }),
  );
  // The server went on serving: the control client's sentinel comes back with nothing before it.
  expect(await control.drain()).toEqual([]);
  return answer;
}

describe('attack 1: introspection fan-out through aliased fragments', () => {
  it('refuses a sub-kilobyte query whose expansion is astronomically large', async () => {
    const query = introspectionFanOut();
    expect(Buffer.byteLength(query)).toBeLessThan(1_024);
    const answer = await expectTooCostly(query);
    expect(JSON.stringify(answer.payload)).toContain('too costly');
  });

  it('still answers the full introspection query in development', async () => {
    await using server = await startServer();
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'i', type: 'subscribe', payload: { query: getIntrospectionQuery() } });
    const answer = await client.next();
    expect(answer).toMatchObject({ id: 'i', type: 'next' });
    expect((answer.payload as { data: { __schema: unknown } }).data.__schema).toBeDefined();
  });
});

describe('attack 6: a recursive list field within the depth limit', () => {
  const friends = (depth: number) => `{ me { ${'friends { '.repeat(depth)}id${' }'.repeat(depth)} } }`;

  it('refuses friends{friends{…}} 13 deep (depth allows 20)', async () => {
    await expectTooCostly(friends(13), { schema: graph, execute: undefined });
  });

  it('answers the same shape at a normal depth', async () => {
    await using server = await startServer({ schema: graph });
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'q', type: 'subscribe', payload: { query: friends(3) } });
    expect(await client.next()).toMatchObject({ id: 'q', type: 'next' });
  });

  it('counts with the listFactor given, and can be turned off', async () => {
    // listFactor 1 counts selections only: 15 here.
    await using counted = await startServer({ schema: graph, costLimit: { maxCost: 14, listFactor: 1 } });
    const client = await counted.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'q', type: 'subscribe', payload: { query: friends(13) } });
    expect((await client.next()).type).toBe('error');

    await using unlimited = await startServer({ schema: graph, costLimit: false, maxDepth: 100 });
    const other = await unlimited.client('graphql-transport-ws');
    await other.init();
    other.send({ id: 'q', type: 'subscribe', payload: { query: friends(13) } });
    expect((await other.next()).type).toBe('next');
  });
});

describe('attack 8: many fragments spread many times', () => {
  it('counts each spread where it is used, so aliases over fragments cannot multiply past the limit', async () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment f${i} on Query { hello }`).join('\n');
    const spreads = Array.from({ length: 200 }, (_, i) => `a${i}: me { ...u${i % 3} }`).join(' ');
    const users = [0, 1, 2].map((i) => `fragment u${i} on User { friends { friends { friends { id name } } } }`);
    // A trailing comment makes each text new to the cache.
    const used = Array.from({ length: 30 }, (_, i) => `...f${i}`).join(' ');
    const query = `{ ${spreads} ${used} }\n${fragments}\n${users.join('\n')}\n# ${Math.random()}`;
    await expectTooCostly(query, { schema: graph });
  });
});

describe('attack 8: documents that pass every size limit but take long to validate', () => {
  it('spends at most validationBudget per connection on new documents; cached ones are still served', async () => {
    await using server = await startServer({ validationBudget: { milliseconds: 1, interval: 600_000 } });
    const attacker = await server.client('graphql-transport-ws');
    const control = await server.client('graphql-transport-ws');
    await attacker.init();
    await control.init();
    // 100 fragments spread 600 times: about 30 ms of validation each time on this machine.
    const fragments = Array.from({ length: 100 }, (_, i) => `fragment f${i} on Query { hello }`).join('\n');
    const spreads = Array.from({ length: 600 }, (_, i) => `...f${i % 100}`).join(' ');
    const expensive = (n: number) => `{ ${spreads} }\n${fragments}\n# ${n}`;
    attacker.send({ id: 'a1', type: 'subscribe', payload: { query: expensive(1) } });
    expect(await attacker.next()).toMatchObject({ id: 'a1', type: 'next' });
    await attacker.next();
    attacker.send({ id: 'a2', type: 'subscribe', payload: { query: expensive(2) } });
    const refused = await attacker.next();
    expect(refused).toMatchObject({ id: 'a2', type: 'error' });
    expect(refused.payload).toEqual([
      expect.objectContaining({ extensions: { code: ServerErrorCode.ValidationBudgetExceeded } }),
    ]);
    // A document the server has seen costs nothing: served. The other connection has its own budget.
    attacker.send({ id: 'a3', type: 'subscribe', payload: { query: expensive(1) } });
    expect(await attacker.next()).toMatchObject({ id: 'a3', type: 'next' });
    control.send({ id: 'c', type: 'subscribe', payload: { query: expensive(3) } });
    expect(await control.next()).toMatchObject({ id: 'c', type: 'next' });
  });
});

describe('attack 13: field suggestions reveal the schema', () => {
  const savedEnvironment = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = savedEnvironment;
  });

  async function firstError(options: Parameters<typeof startServer>[0], query: string): Promise<string> {
    await using server = await startServer(options);
    const client = await server.client('graphql-transport-ws');
    await client.init();
    client.send({ id: 'q', type: 'subscribe', payload: { query } });
    return JSON.stringify((await client.next()).payload);
  }

  it('suggests names in development, and not with fieldSuggestions: false', async () => {
    expect(await firstError({}, '{ helo }')).toContain('Did you mean');
    const hidden = await firstError({ fieldSuggestions: false }, '{ helo }');
    expect(hidden).toContain('Cannot query field');
    expect(hidden).not.toContain('Did you mean');
    expect(hidden).not.toContain('hello');
  });

  it('turns introspection and suggestions off when NODE_ENV is production', async () => {
    process.env.NODE_ENV = 'production';
    expect(await firstError({}, '{ __schema { queryType { name } } }')).toContain('introspection has been disabled');
    expect(await firstError({}, '{ helo }')).not.toContain('Did you mean');
    // Either can be turned back on explicitly.
    expect(await firstError({ fieldSuggestions: true }, '{ helo }')).toContain('Did you mean');
  });
});
