// Recipe: graphql-ws's client resuming gqlcast subscriptions (docs/resume-client.md).
// A gqlcast server gives each notification of a retaining channel a cursor
// (`extensions.gqlcast.cursor`); a client that subscribes again with the last
// one it processed (`extensions.gqlcast.resumeFrom`) gets what it missed, no
// duplicate, or a `gap` report. graphql-ws's client (6.x) serializes the
// payload object given to `subscribe` each time it (re)subscribes, so
// updating that object's `extensions` is how the cursor travels.
import { type Client, type ClientOptions, createClient, type FormattedExecutionResult } from 'graphql-ws';

/** What a gqlcast server adds to the results of a retaining channel. */
interface GqlcastExtensions {
  cursor?: string;
  gap?: { missed?: number };
}

/**
 * graphql-ws's client over several URLs: each (re)connection goes to the next
 * one. After a close with 1012 (Service Restart: a server shutting down for a
 * deploy) it reconnects at once, but not twice within a second, so a server
 * that keeps doing it does not cause a tight loop.
 */
export function createResumingClient(urls: readonly string[], options: Omit<ClientOptions, 'url'> = {}): Client {
  let turn = 0;
  let lastCloseCode = 0;
  let lastImmediate = Number.NEGATIVE_INFINITY;
  return createClient({
    ...options,
    url: () => urls[turn++ % urls.length] as string,
    on: {
      ...options.on,
      closed: (event) => {
        lastCloseCode = (event as { code?: number }).code ?? 0;
        options.on?.closed?.(event);
      },
    },
    retryWait: async (retries) => {
      if (lastCloseCode === 1012 && Date.now() - lastImmediate > 1000) {
        lastImmediate = Date.now();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** retries));
    },
  });
}

/** Where results go; `gap` is told when notifications were lost (`missed`: how many, when countable). */
export interface ResumingSink<Data> {
  next(result: FormattedExecutionResult<Data, unknown>): void;
  gap?(missed: number | undefined): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * Subscribes; after each reconnection, graphql-ws subscribes again from the
 * cursor of the last result handed to `sink.next`. Returns the unsubscribe function.
 */
export function subscribeResuming<Data = Record<string, unknown>>(
  client: Client,
  request: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
  sink: ResumingSink<Data>,
): () => void {
  // The very object graphql-ws sends again when it re-subscribes.
  const payload = { ...request };
  return client.subscribe<Data>(payload, {
    next(result) {
      const gqlcast = (result.extensions as { gqlcast?: GqlcastExtensions } | undefined)?.gqlcast;
      if (gqlcast?.gap) sink.gap?.(gqlcast.gap.missed);
      sink.next(result);
      // Processed: a re-subscription resumes after it. The application's own extensions are kept.
      if (gqlcast?.cursor !== undefined) {
        const own = request.extensions as { gqlcast?: object } | undefined;
        payload.extensions = { ...own, gqlcast: { ...own?.gqlcast, resumeFrom: gqlcast.cursor } };
      }
    },
    error: (error) => sink.error(error),
    complete: () => sink.complete(),
  });
}
