// Proves the README's first command: the chat that `npm start` started answers
// on its port. Checks that the page is served, then runs a GraphQL query over the
// WebSocket (graphql-transport-ws) and expects its answer. Exits non-zero with the
// reason otherwise; .ci/check-start.sh shows the server's output then.
import { createRequire } from 'node:module';

const port = Number(process.env.PORT ?? 4000);
// The process group leader of `npm start`: if it exits, waiting longer is pointless.
const leader = Number(process.env.START_PID ?? 0);
const deadline = Date.now() + Number(process.env.START_TIMEOUT_MS ?? 600_000);
// `ws` is a dependency of @gqlcast/server; resolve it from there.
const WebSocket = createRequire(new URL('../packages/server/package.json', import.meta.url))('ws');

const fail = (message) => {
  console.error(`check-start: ${message}`);
  process.exit(1);
};

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForPage() {
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      const body = await response.text();
      if (response.status !== 200) fail(`GET / answered ${response.status}`);
      if (!body.includes('<html')) fail(`GET / did not serve the page: ${body.slice(0, 200)}`);
      return;
    } catch (error) {
      // Not listening yet (the first run installs and builds first).
      if (leader && !isAlive(leader)) fail('npm start exited before the chat answered');
      if (Date.now() > deadline) fail(`nothing answered on port ${port} in time (${error.cause?.code ?? error})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function queryOverWebSocket() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const timer = setTimeout(() => reject(new Error('no answer over the WebSocket in 30 s')), 30_000);
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: '{ me { username } history(chatroom: "ci") { text } }' },
          }),
        );
      } else if (message.type === 'next' && message.id === '1') {
        clearTimeout(timer);
        socket.close(1000);
        resolve(message.payload);
      } else {
        reject(new Error(`unexpected message: ${String(data).slice(0, 300)}`));
      }
    });
  });
}

await waitForPage();
console.log(`check-start: the page is served on http://127.0.0.1:${port}/`);
const result = await queryOverWebSocket().catch((error) => fail(String(error)));
if (result.errors || !result.data || result.data.me !== null || !Array.isArray(result.data.history)) {
  fail(`the query's answer is wrong: ${JSON.stringify(result)}`);
}
console.log(`check-start: a GraphQL query over the WebSocket answered ${JSON.stringify(result)}`);
