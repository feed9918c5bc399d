// gws-yoga with graphql-jit as graphql-ws's `subscribe`/`execute`: each document is compiled once
// (when graphql-ws's parse/validate cache first sees it) and every event runs the compiled query.
// The best-tuned graphql-ws peer, for fairness.
import { createPubSub } from '@graphql-yoga/subscription';
import type { DocumentNode, ExecutionArgs } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { ContenderModule } from './api.js';
import { startGws } from './gws-server.js';
import { type YogaTopics, yogaFields } from './gws-yoga.js';
import { buildPeerSchema } from './peer-schema.js';

const contender: ContenderModule = {
  id: 'gws-jit',
  description: 'graphql-ws useServer (ws) + graphql-jit compiled subscribe (cached per document) + Yoga createPubSub',
  role: 'peer',
  packages: ['graphql-ws', 'graphql-jit', 'graphql', '@graphql-yoga/subscription', 'ws'],
  async startServer() {
    const pubsub = createPubSub<YogaTopics>();
    const schema = buildPeerSchema(yogaFields(pubsub));
    // The cache in gws-server parses once per (query, operationName), so a document object
    // identifies its compiled query.
    const compiled = new WeakMap<DocumentNode, CompiledQuery>();
    const compiledFor = (args: ExecutionArgs): CompiledQuery => {
      const query = compiled.get(args.document);
      if (!query) throw new Error('gws-jit: document was not compiled in onSubscribe');
      return query;
    };
    const server = await startGws({
      schema,
      prepare(document, operationName) {
        const query = compileQuery(schema, document, operationName);
        if (!isCompiledQuery(query)) throw new Error(`gws-jit: ${JSON.stringify(query.errors)}`);
        compiled.set(document, query);
      },
      subscribe: (args) => compiledFor(args).subscribe!(args.rootValue, args.contextValue, args.variableValues),
      execute: (args) => compiledFor(args).query(args.rootValue, args.contextValue, args.variableValues),
    });
    return {
      port: server.port,
      path: '/graphql',
      subprotocols: ['graphql-transport-ws'],
      publish: (topic, payload) => pubsub.publish(topic, payload),
      close: () => server.close(),
    };
  },
};

export default contender;
