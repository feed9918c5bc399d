// graphql-ws 6 `useServer` on a ws 8 server, shared by every graphql-ws peer. The parse/validate
// cache is the one graphql-ws documents: `onSubscribe` returns ready execution args, which skips
// the library's own parse + validate on every subscribe.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, type ExecutionArgs, type GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export interface GwsOptions {
  schema: GraphQLSchema;
  /** Replaces graphql-js `subscribe` (gws-jit). */
  subscribe?: ServerOptions['subscribe'];
  /** Replaces graphql-js `execute` (gws-jit). */
  execute?: ServerOptions['execute'];
  /** Called once per cached, valid document (gws-jit compiles it here). */
  prepare?: (document: DocumentNode, operationName: string | undefined) => void;
  /** The `useServer` to run: graphql-ws's own, or gqlcast's compatibility entry (gws-compat). */
  useServer?: typeof useServer;
}

export interface GwsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Distinct documents in the benchmark are few; the cap only guards against a runaway client. */
const cacheLimit = 1000;

export async function startGws(options: GwsOptions): Promise<GwsServer> {
  const { schema } = options;
  const cache = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const onSubscribe: ServerOptions['onSubscribe'] = (_ctx, _id, payload) => {
    const operationName = payload.operationName ?? undefined;
    const key = `${operationName ?? ''}\n${payload.query}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      const document = parse(payload.query);
      const errors = validate(schema, document);
      entry = errors.length > 0 ? errors : document;
      if (errors.length === 0) options.prepare?.(document, operationName);
      if (cache.size >= cacheLimit) cache.clear();
      cache.set(key, entry);
    }
    if (Array.isArray(entry)) return entry as readonly GraphQLError[];
    const args: ExecutionArgs = {
      schema,
      document: entry as DocumentNode,
      operationName,
      variableValues: payload.variables,
    };
    return args;
  };

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/graphql', perMessageDeflate: false });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  // Sockets whose subscriptions graphql-ws has not finished cleaning up: `close` waits for
  // them, so a Redis peer quits its clients only after the last UNSUBSCRIBE was sent.
  let open = 0;
  let drained: (() => void) | undefined;
  wss.on('connection', () => open++);
  const server = (options.useServer ?? useServer)(
    {
      schema,
      onSubscribe,
      onClose: () => {
        if (--open === 0) drained?.();
      },
      ...(options.subscribe ? { subscribe: options.subscribe } : {}),
      ...(options.execute ? { execute: options.execute } : {}),
    },
    wss,
    // No server pings: the benchmark's connections are loopback and live for minutes, and a
    // ping the raw load generator leaves unanswered would get the socket terminated (24 s).
    0,
  );
  return {
    port,
    async close() {
      const done = open === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
      // Terminate rather than close: a load generator need not answer the closing handshake.
      for (const socket of wss.clients) socket.terminate();
      await done;
      await server.dispose();
    },
  };
}
