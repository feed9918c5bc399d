// Recipe: graphql-ws's client with `confirmSubscriptions`. The server sends
// each subscription's confirmation as its first `next` (`{ data: null }` by
// default) once its groups are subscribed in the layer. A client that
// broadcasts right after subscribing (subscribe, then mutate) waits for it,
// so it cannot miss its own notification. graphql-ws's client knows nothing of
// the extension: this helper reads the first `next` and hands back the rest.
import type { Client, FormattedExecutionResult, SubscribePayload } from 'graphql-ws';

/**
 * Subscribes and resolves once the server confirmed the subscription, with an
 * iterator of the notifications that follow. Rejects with the server's errors
 * when the subscription is refused.
 */
export async function subscribeConfirmed<Data = Record<string, unknown>>(
  client: Client,
  payload: SubscribePayload,
): Promise<AsyncIterableIterator<FormattedExecutionResult<Data, unknown>>> {
  const results = client.iterate<Data>(payload);
  const confirmation = await results.next();
  if (confirmation.done) throw new Error('The subscription ended before it was confirmed');
  return results;
}
