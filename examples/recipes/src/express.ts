// Recipe: Express. gqlcast takes the WebSocket upgrades of the HTTP server that
// Express listens on; Express keeps every ordinary request.
import type { Server } from 'node:http';
import type { Layer } from '@gqlcast/core';
import { createGraphqlWsServer } from '@gqlcast/server';
import express from 'express';
import { createRecipeApp } from './schema.js';

export function startExpress(options: { port?: number; layer?: Layer } = {}) {
  const { hub, schema } = createRecipeApp(options);
  const app = express();
  app.get('/health', (_request, response) => {
    response.json({ ok: true });
  });

  const http: Server = app.listen(options.port ?? 0);
  const gql = createGraphqlWsServer({ schema });
  gql.attach(http, { path: '/graphql' });

  return {
    http,
    async close() {
      await gql.close(); // ends subscriptions, closes sockets with 1012 (clients reconnect at once)
      await new Promise((resolve) => http.close(resolve));
      await hub.close();
    },
  };
}
