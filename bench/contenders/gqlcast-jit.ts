// gqlcast with graphql-jit as its `execute` option: the recipe of docs/performance.md. It matters
// where subscribers each get their own execution (S2's per-subscriber publish); shared executions
// run once per broadcast whatever executes them.
import type { ExecuteFunction } from '@gqlcast/server';
import type { DocumentNode } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { gqlcastContender } from './gqlcast.js';

const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();

const execute: ExecuteFunction = (args) => {
  let byName = compiled.get(args.document);
  if (byName === undefined) {
    byName = new Map();
    compiled.set(args.document, byName);
  }
  const name = args.operationName ?? '';
  let query = byName.get(name);
  if (query === undefined) {
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    if (!isCompiledQuery(result)) return result;
    query = result;
    byName.set(name, query);
  }
  return query.query(args.rootValue, args.contextValue, args.variableValues ?? {});
};

export default gqlcastContender({
  id: 'gqlcast-jit',
  description: 'gqlcast with `execute` set to graphql-jit (compiled once per document)',
  packages: ['graphql-jit'],
  execute,
});
