// GraphiQL over the WebSocket endpoint: queries, mutations and subscriptions all through @gqlcast/client.
import { createClient, webSocketTransport } from '@gqlcast/client';
import { GraphiQL } from 'graphiql';
import { getOperationAST, parse } from 'graphql';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';

const endpoint = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
const client = createClient({ transport: webSocketTransport(endpoint) });

// GraphiQL takes a promise of one result, or an async iterable of many (a subscription).
const fetcher = (params: {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}) => {
  const request = {
    query: params.query,
    variables: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
  };
  if (!isSubscription(params)) return client.execute(request);
  const subscription = client.subscribe(request);
  // Confirmed by the server: from now on nothing sent is missed (also a hook for the browser test).
  void subscription.ready.then(() => {
    document.body.dataset.subscriptionsReady = String(Number(document.body.dataset.subscriptionsReady ?? 0) + 1);
  });
  return subscription;
};

/** Whether the operation GraphiQL runs is a subscription (it sends the whole editor's text). */
function isSubscription(params: { query: string; operationName?: string | null }): boolean {
  try {
    return getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false; // Not parseable: let the server report the syntax error.
  }
}

// DjangoChannelsGraphqlWs's sample operations, one per tab.
const samples: { query: string }[] = [
  { query: '# Check there are no messages.\nquery read { history(chatroom: "kittens") { chatroom text sender } }\n' },
  {
    query:
      '# Send a message as Anonymous.\nmutation send { sendChatMessage(chatroom: "kittens", text: "Hi all!") { ok } }\n',
  },
  { query: '# Login as `user`.\nmutation login { login(username: "user", password: "pass") { ok } }\n' },
  { query: '# Who am I?\nquery me { me { id username } }\n' },
  {
    query:
      '# Subscribe, then send from another tab or the chat page: it waits for events.\nsubscription s { onNewChatMessage(chatroom: "kittens") { text sender createdAt } }\n',
  },
];
const requested = new URLSearchParams(location.search).get('query');
const forgetful: Storage = {
  getItem: () => null,
  setItem: () => undefined,
  removeItem: () => undefined,
  clear: () => undefined,
  key: () => null,
  length: 0,
};

const root = createRoot(document.getElementById('graphiql') as HTMLElement);
root.render(
  <GraphiQL
    fetcher={fetcher as never}
    defaultTabs={requested ? [{ query: requested }] : samples}
    defaultEditorToolsVisibility
    shouldPersistHeaders={false}
    // A tab given in the URL starts clean instead of restoring the last session's tabs.
    {...(requested ? { storage: forgetful } : {})}
  />,
);
