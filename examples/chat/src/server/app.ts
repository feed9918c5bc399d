// The chat server: static pages, and GraphQL over WebSocket at /graphql, on one plain Node HTTP server.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@gqlcast/core';
import { createGraphqlWsServer, type GraphqlWsServer, type Middleware } from '@gqlcast/server';
import { createChatHub } from './channels.js';
import { type ChatDatabase, openDatabase } from './database.js';
import { redisMessageHistory } from './message-history.js';
import { buildSchema, type ChatContext, type ConnectionState } from './schema.js';

export interface ChatServerOptions {
  /** 0 picks a free port. @defaultValue 4000 */
  port?: number;
  /** Use the Redis layer (many processes); otherwise the memory layer. */
  redisUrl?: string | undefined;
  /** The SQLite file (users; messages too without Redis). @defaultValue `examples/chat/data/chat.sqlite` */
  databaseFile?: string;
  /** A name for logs, e.g. when two servers run. */
  name?: string;
  log?: (line: string) => void;
  /** Protocol keep-alive, as DjangoChannelsGraphqlWs's example (every second). @defaultValue 1000 */
  keepAlive?: number;
  /** Serves `/metrics` (the Prometheus exporter's handler, see telemetry.ts). */
  metrics?: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
}

const webRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));
const pages: Record<string, string> = { '/': 'index.html', '/graphiql': 'graphiql.html' };
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export async function startChatServer(options: ChatServerOptions = {}) {
  const name = options.name ?? 'chat';
  const log = options.log ?? ((line: string) => console.log(`[${name}] ${line}`));
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => log(message),
    warn: (message) => log(`warning: ${message}`),
    error: (message, details) =>
      log(`error: ${message} ${details?.error instanceof Error ? details.error.message : ''}`),
  };
  const databaseFile = options.databaseFile ?? fileURLToPath(new URL('../../data/chat.sqlite', import.meta.url));
  // With Redis, every server reads and writes the same history there; users stay in the file.
  const db: ChatDatabase = await openDatabase(databaseFile, {
    log,
    messages: options.redisUrl ? redisMessageHistory(options.redisUrl) : undefined,
  });
  const { hub, chatMessages } = createChatHub({ redisUrl: options.redisUrl, logger });

  // DjangoChannelsGraphqlWs's demo middleware logged each operation; this one logs each root field, named or not.
  const logOperations: Middleware = (next, root, args, context, info) => {
    if (info.path.prev === undefined) {
      log(`${info.operation.operation} ${info.operation.name?.value ?? '(anonymous)'}: ${info.fieldName}`);
    }
    return next(root, args, context, info);
  };

  const gql: GraphqlWsServer = createGraphqlWsServer<ChatContext, ConnectionState>({
    schema: buildSchema(chatMessages),
    keepAlive: options.keepAlive ?? 1_000,
    confirmSubscriptions: true,
    middleware: [logOperations],
    onConnect: (connection) => {
      connection.state.identity = randomUUID();
      connection.state.user = null;
    },
    context: (connection) => ({ state: connection.state, db, chatMessages }),
    logger,
  });

  const http: Server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics' && options.metrics !== undefined) {
      options.metrics(request, response);
      return;
    }
    const file = pages[path] ?? (path.startsWith('/assets/') ? path.slice('/assets/'.length) : undefined);
    if (file === undefined || file.includes('..')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    try {
      const body = await readFile(join(webRoot, file));
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found (did the web build run?)');
    }
  });
  gql.attach(http, { path: '/graphql' });
  http.listen(options.port ?? 4000);
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  log(
    `Chat on http://localhost:${port} (GraphiQL: http://localhost:${port}/graphiql), ${options.redisUrl ? `Redis layer on ${options.redisUrl}` : 'memory layer'}.`,
  );

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://localhost:${port}`,
    hub,
    chatMessages,
    gql,
    db,
    /** Clean shutdown: subscriptions end, sockets close with 1012, then the hub and the database. */
    close() {
      closing ??= (async () => {
        await gql.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await hub.close();
        await db.close();
      })();
      return closing;
    },
  };
}

export type ChatServer = Awaited<ReturnType<typeof startChatServer>>;
