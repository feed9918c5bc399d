import type { SubscribePayload } from '@gqlcast/core/protocol';
import { GraphQLError } from 'graphql';
import { ServerErrorCode } from './error-codes.js';
import type { SubscribeDecision } from './options.js';

/** Where `persistedDocuments` finds a document's text by its id. */
export interface PersistedDocumentsOptions {
  /**
   * The document text stored under `id` (a hash or a name your build wrote),
   * or `undefined` when there is none. May be async (a database, a CDN).
   */
  find(id: string): string | undefined | Promise<string | undefined>;
  /**
   * `true`: only persisted documents run ("trusted documents"); a request
   * with a query text of its own is refused with
   * `GQLCAST_PERSISTED_DOCUMENT_REQUIRED`. `false`: such a request runs as
   * sent (with every validation limit).
   * @defaultValue `false`
   */
  required?: boolean | undefined;
}

/**
 * An `onSubscribe` hook serving persisted documents: the request names a
 * stored document by id, in `extensions.persistedQuery.sha256Hash` (Apollo's
 * and urql's automatic persisted queries) or `extensions.documentId` (the
 * GraphQL-over-HTTP persisted documents proposal), and the server runs the
 * stored text, validated and limited like any other. An unknown id is refused
 * with `GQLCAST_PERSISTED_DOCUMENT_NOT_FOUND`: the server never accepts a
 * text it was sent under an id it does not know.
 *
 * @example
 * ```ts
 * const documents = new Map(Object.entries(JSON.parse(readFileSync('persisted.json', 'utf8'))));
 * createGraphqlWsServer({ schema, onSubscribe: persistedDocuments({ find: (id) => documents.get(id), required: true }) });
 * ```
 */
export function persistedDocuments(
  options: PersistedDocumentsOptions,
): (connection: unknown, id: string, payload: SubscribePayload) => Promise<SubscribeDecision> {
  if (typeof options?.find !== 'function') {
    throw new TypeError('persistedDocuments: find must be a function of a document id.');
  }
  const required = options.required ?? false;
  return async (_connection, _id, payload) => {
    const documentId = documentIdOf(payload.extensions);
    if (documentId === undefined) {
      if (!required) return undefined;
      return [
        new GraphQLError('This server runs persisted documents only: send the document id, not its text.', {
          extensions: { code: ServerErrorCode.PersistedDocumentRequired },
        }),
      ];
    }
    const query = await options.find(documentId);
    if (query === undefined) {
      return [
        new GraphQLError(`No persisted document has the id "${documentId.slice(0, 128)}".`, {
          extensions: { code: ServerErrorCode.PersistedDocumentNotFound },
        }),
      ];
    }
    return { query };
  };
}

function documentIdOf(extensions: Readonly<Record<string, unknown>> | null | undefined): string | undefined {
  if (extensions === undefined || extensions === null) return undefined;
  const persisted = extensions.persistedQuery as { sha256Hash?: unknown } | undefined;
  if (typeof persisted?.sha256Hash === 'string') return persisted.sha256Hash;
  return typeof extensions.documentId === 'string' ? extensions.documentId : undefined;
}
