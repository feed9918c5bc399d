// Recipe: Relay. The network layer sends every operation over graphql-ws's
// client; Relay's environment calls `execute` with the compiled operation's
// text (or id, with persisted queries) and variables.
import { createClient, type Sink } from 'graphql-ws';
import {
  Environment,
  type FetchFunction,
  type GraphQLResponse,
  Network,
  Observable,
  RecordSource,
  type RequestParameters,
  Store,
  type SubscribeFunction,
  type Variables,
} from 'relay-runtime';
import WebSocket from 'ws';

export function createRelayNetwork(url: string) {
  const ws = createClient({ url, webSocketImpl: WebSocket });

  const overWebSocket = (operation: RequestParameters, variables: Variables) =>
    Observable.create<GraphQLResponse>((sink) => {
      if (!operation.text) {
        sink.error(new Error('The operation has no text: persisted queries need a server-side store'));
        return;
      }
      return ws.subscribe({ operationName: operation.name, query: operation.text, variables }, sink as unknown as Sink);
    });

  const fetchFn: FetchFunction = (operation, variables) => overWebSocket(operation, variables);
  const subscribeFn: SubscribeFunction = (operation, variables) => overWebSocket(operation, variables);
  const network = Network.create(fetchFn, subscribeFn);
  const environment = new Environment({ network, store: new Store(new RecordSource()) });
  return { network, environment, close: () => ws.dispose() };
}
