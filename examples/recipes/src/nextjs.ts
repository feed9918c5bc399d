// Recipe: a Next.js custom server. Next.js handles every HTTP request; gqlcast
// takes the WebSocket upgrades to /graphql of the same HTTP server. (Next.js's
// own dev-mode upgrades, for hot reloading, go to its `getUpgradeHandler()`.)
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Layer } from '@gqlcast/core';
import { createGraphqlWsServer } from '@gqlcast/server';
import nextModule from 'next';
import { createRecipeApp } from './schema.js';

// next is CommonJS (`module.exports = createServer`): under Node's ESM the default import is that
// function, which TypeScript's NodeNext view types as the whole module.
const next = nextModule as unknown as typeof import('next/dist/server/next.js').default;

/** The Next.js app of this recipe (one page); `next build` it first for production. */
export const nextAppDir = fileURLToPath(new URL('../next-app', import.meta.url));

export async function startNext(options: { port?: number; layer?: Layer; dev?: boolean } = {}) {
  const { hub, schema } = createRecipeApp(options);
  const app = next({ dev: options.dev ?? false, dir: nextAppDir, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();

  const http: Server = createServer((request, response) => {
    void handle(request, response);
  });
  const gql = createGraphqlWsServer({ schema });
  gql.attach(http, { path: '/graphql' });
  if (options.dev === true) {
    // Hot reloading's WebSocket: every other upgrade path is Next.js's.
    const upgrade = app.getUpgradeHandler();
    http.on('upgrade', (request, socket, head) => {
      if (!request.url?.startsWith('/graphql')) void upgrade(request, socket, head);
    });
  }
  http.listen(options.port ?? 0);
  await new Promise((resolve) => http.once('listening', resolve));

  return {
    http,
    async close() {
      await gql.close(); // ends subscriptions, closes sockets with 1012 (clients reconnect at once)
      await new Promise((resolve) => http.close(resolve));
      await app.close();
      await hub.close();
    },
  };
}
