// A scripted `ws` server on loopback: the test plays the server's side frame by frame, for what a
// real server rarely does on demand (pings, odd messages, cursors and gaps of resumable subscriptions).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export type Frame = Record<string, unknown>;

/** One connection as the script sees it: the socket, and every client frame in order. */
export interface ScriptedConnection {
  readonly socket: WebSocket;
  /** The next frame the client sent (parsed), waiting for it if needed. */
  next(): Promise<Frame>;
  /** Sends one message. */
  send(message: object): void;
}

const servers: WebSocketServer[] = [];

/** Closes every scripted server (call it in `afterEach`). */
export async function closeScriptedServers(): Promise<void> {
  for (const server of servers.splice(0)) {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A server that runs `script` for each connection (`index` counts them from 0); resolves with its URL. */
export async function scripted(
  script: (connection: ScriptedConnection, index: number) => Promise<void> | void,
): Promise<string> {
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (offered) => [...offered][0] ?? false,
  });
  servers.push(server);
  await once(server, 'listening');
  let connections = 0;
  server.on('connection', (socket) => {
    const queue: Frame[] = [];
    let wake: (() => void) | undefined;
    socket.on('message', (data) => {
      queue.push(JSON.parse(data.toString()) as Frame);
      wake?.();
    });
    const connection: ScriptedConnection = {
      socket,
      async next() {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return queue.shift() as Frame;
      },
      send: (message) => socket.send(JSON.stringify(message)),
    };
    void script(connection, connections++);
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
