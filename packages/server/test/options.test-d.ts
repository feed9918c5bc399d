// Type tests: checked by `tsc` in the test command (not run by vitest).
// Every `@ts-expect-error` line must fail to compile, or tsc reports the directive as unused.
import { buildSchema, type GraphQLSchema } from 'graphql';
import { expectTypeOf } from 'vitest';
import { type Connection, createGraphqlWsServer } from '../src/index.js';

const schemaA = buildSchema('type Query { a: String }');
const schemaB = buildSchema('type Query { b: String }');

// `schema` is a schema, or a function of the connection (typed with the server's State) and the request.
createGraphqlWsServer<unknown, { tenant: 'a' | 'b' }>({
  schema: (connection, payload) => {
    expectTypeOf(connection).toEqualTypeOf<Connection<{ tenant: 'a' | 'b' }>>();
    expectTypeOf(payload.query).toEqualTypeOf<string>();
    return connection.state.tenant === 'a' ? schemaA : schemaB;
  },
});
createGraphqlWsServer({ schema: async () => schemaA });
createGraphqlWsServer({ schema: schemaA });

// @ts-expect-error the function must give a GraphQLSchema
createGraphqlWsServer({ schema: () => 'schema' });
// @ts-expect-error a schema is required
createGraphqlWsServer({});
expectTypeOf<Parameters<typeof createGraphqlWsServer>[0]['schema']>().toExtend<
  GraphQLSchema | ((...args: never[]) => unknown)
>();
