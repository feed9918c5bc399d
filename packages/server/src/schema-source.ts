import type { SubscribePayload, WireError } from '@gqlcast/core/protocol';
import { GraphQLSchema } from 'graphql';
import type { Connection } from './connection-types.js';
import { ServerErrorCode } from './error-codes.js';
import { applyMiddleware } from './middleware.js';
import type { Middleware } from './option-types.js';
import { isThenable } from './thenable.js';

/**
 * The `schema` option: one schema, or a function choosing each operation's
 * (multi-tenant servers: by the connection's state, its `connectionParams`, the
 * request's headers, or the operation itself).
 */
export type SchemaOption<State extends object = Record<string, unknown>> =
  | GraphQLSchema
  | ((connection: Connection<State>, payload: SubscribePayload) => GraphQLSchema | PromiseLike<GraphQLSchema>);

/**
 * A chosen schema (with the server's middleware applied), or the refusal the client gets
 * and the cause the server logs (the client is not told the server's reasons).
 */
export type ChosenSchema = { readonly schema: GraphQLSchema } | { readonly refusal: WireError; readonly cause: string };

/**
 * Which schema an operation runs against. Every per-schema cache downstream (documents,
 * automatic sharing verdicts, projection plans) is keyed by the schema it returns, so
 * tenants never share a plan; the middleware is applied once per distinct schema.
 */
export class SchemaSource {
  readonly #option: SchemaOption<never>;
  readonly #middleware: readonly Middleware[];
  readonly #applied = new WeakMap<GraphQLSchema, ChosenSchema>();
  /** The one schema, chosen once, when the option is a value: no promise per operation. */
  readonly #fixed: ChosenSchema | undefined;

  constructor(option: SchemaOption<never>, middleware: readonly Middleware[]) {
    this.#option = option;
    this.#middleware = middleware;
    this.#fixed = option instanceof GraphQLSchema ? this.#withMiddleware(option) : undefined;
  }

  /** The schema of one operation: at once for a fixed schema, else what the function answers. */
  choose(connection: Connection<object>, payload: SubscribePayload): ChosenSchema | Promise<ChosenSchema> {
    if (this.#fixed !== undefined) return this.#fixed;
    const choose = this.#option as (connection: Connection<object>, payload: SubscribePayload) => unknown;
    let answer: unknown;
    try {
      answer = choose(connection, payload);
    } catch (error) {
      return refusal(`the schema function threw: ${messageOf(error)}`);
    }
    if (!isThenable(answer)) return this.#check(answer);
    return Promise.resolve(answer).then(
      (schema) => this.#check(schema),
      (error: unknown) => refusal(`the schema function rejected: ${messageOf(error)}`),
    );
  }

  #check(answer: unknown): ChosenSchema {
    if (!(answer instanceof GraphQLSchema)) {
      return refusal(
        'the schema function did not return a GraphQLSchema (if it did, two copies of graphql are installed)',
      );
    }
    return this.#withMiddleware(answer);
  }

  #withMiddleware(schema: GraphQLSchema): ChosenSchema {
    let chosen = this.#applied.get(schema);
    if (chosen === undefined) {
      chosen = { schema: applyMiddleware(schema, this.#middleware) };
      this.#applied.set(schema, chosen);
    }
    return chosen;
  }
}

function refusal(cause: string): ChosenSchema {
  return {
    refusal: {
      message: 'No schema is available for this operation.',
      extensions: { code: ServerErrorCode.SchemaUnavailable },
    },
    cause,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
