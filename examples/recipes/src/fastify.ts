// Recipe: Fastify. Attach to `fastify.server` (its node:http server) once
// Fastify is ready; Fastify keeps its routes.
import type { Layer } from '@gqlcast/core';
import { createGraphqlWsServer } from '@gqlcast/server';
import Fastify from 'fastify';
import { createRecipeApp } from './schema.js';

export async function startFastify(options: { port?: number; layer?: Layer } = {}) {
  const { hub, schema } = createRecipeApp(options);
  const fastify = Fastify();
  fastify.get('/health', async () => ({ ok: true }));

  const gql = createGraphqlWsServer({ schema });
  gql.attach(fastify.server, { path: '/graphql' });
  await fastify.listen({ port: options.port ?? 0, host: '127.0.0.1' });

  return {
    http: fastify.server,
    async close() {
      await gql.close();
      await fastify.close();
      await hub.close();
    },
  };
}
