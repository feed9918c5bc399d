import {
  CloseCode,
  ProtocolViolation,
  parseTransportMessage,
  Subprotocol,
  type SubscribePayload,
  type TransportClientMessage,
} from '@gqlcast/core/protocol';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  execute as graphqlExecute,
  parse as graphqlParse,
  subscribe as graphqlSubscribe,
  validate as graphqlValidate,
  type OperationDefinitionNode,
} from 'graphql';
import { CompatPush, CompatPushConnection, type Pushed, pushAllowed } from './push.js';
import type { CompatSocket, Context, InitPayload, OperationResult, Server, ServerOptions } from './types.js';

/**
 * graphql-ws's server semantics, on gqlcast's protocol parser and close-code
 * table: what `makeServer` of graphql-ws 6 does, hook for hook and in the same
 * order, so a program written for it behaves the same. gqlcast's own server
 * (`createGraphqlWsServer`) keeps its own documented choices; this one follows
 * graphql-ws wherever its tests and PROTOCOL.md show a behaviour.
 */
export function makeServer<P extends InitPayload = InitPayload, E = unknown>(options: ServerOptions<P, E>): Server<E> {
  // One set of shared executions for every connection, when push delivery is allowed at all.
  const push = pushAllowed(options as ServerOptions<never, never>)
    ? new CompatPush(options as ServerOptions<never, never>)
    : undefined;
  return {
    opened(socket, extra) {
      return new CompatConnection<P, E>(options, socket, extra, push).closed;
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class CompatConnection<P extends InitPayload, E> {
  readonly #options: ServerOptions<P, E>;
  readonly #socket: CompatSocket;
  readonly #ctx: Mutable<Context<P, E>>;
  readonly #initWait: NodeJS.Timeout | undefined;
  /** The push path, when allowed and the transport reports its buffer (`useServer` does). */
  readonly #push: CompatPushConnection | undefined;
  readonly closed: (code?: number, reason?: string) => Promise<void>;

  constructor(options: ServerOptions<P, E>, socket: CompatSocket, extra: E, push: CompatPush | undefined) {
    this.#options = options;
    this.#socket = socket;
    const pushSocket = socket.gqlcastSocket;
    this.#push =
      push !== undefined && pushSocket !== undefined ? new CompatPushConnection(push, pushSocket) : undefined;
    this.#ctx = { connectionInitReceived: false, acknowledged: false, subscriptions: {}, extra };
    if (socket.protocol !== Subprotocol.TransportWs) {
      void socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      this.#initWait = undefined;
      this.closed = async (code, reason) => {
        await options.onClose?.(this.#ctx, code, reason);
      };
      return;
    }
    const timeout = options.connectionInitWaitTimeout ?? 3_000;
    // "If the server wishes to reject the connection [...] because of the connection initialisation
    // timeout, close with 4408". Only a missing `connection_init` counts: a slow `onConnect` does not.
    this.#initWait =
      timeout > 0 && Number.isFinite(timeout)
        ? setTimeout(() => {
            if (!this.#ctx.connectionInitReceived) {
              void socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
            }
          }, timeout)
        : undefined;
    socket.onMessage((data) => this.#receive(data));
    this.closed = (code, reason) => this.#close(code, reason);
  }

  async #receive(data: string): Promise<void> {
    let message: TransportClientMessage;
    try {
      message = parseTransportMessage(data, this.#options.jsonMessageReviver);
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      // graphql-ws closes with a fixed reason here; gqlcast's own server names what is wrong.
      await this.#socket.close(CloseCode.BadRequest, 'Invalid message received');
      return;
    }
    switch (message.type) {
      case 'connection_init':
        return this.#init(message.payload ?? undefined);
      case 'ping':
        // With an `onPing` listener, the transport answers (or not) itself.
        if (this.#socket.onPing !== undefined) return await this.#socket.onPing(message.payload ?? undefined);
        return this.#send(message.payload ? { type: 'pong', payload: message.payload } : { type: 'pong' });
      case 'pong':
        return await this.#socket.onPong?.(message.payload ?? undefined);
      case 'subscribe':
        return this.#subscribe(message.id, message.payload);
      case 'complete':
        return this.#complete(message.id);
    }
  }

  async #init(payload: Record<string, unknown> | undefined): Promise<void> {
    const ctx = this.#ctx;
    if (ctx.connectionInitReceived) {
      await this.#socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
      return;
    }
    ctx.connectionInitReceived = true;
    if (typeof payload === 'object' && payload !== null) ctx.connectionParams = payload as Readonly<P>;
    const decision = await this.#options.onConnect?.(ctx);
    if (decision === false) {
      await this.#socket.close(CloseCode.Forbidden, 'Forbidden');
      return;
    }
    // Acknowledged before the ack is sent: a `subscribe` racing the ack must be accepted.
    ctx.acknowledged = true;
    const ack =
      typeof decision === 'object' && decision !== null
        ? { type: 'connection_ack', payload: decision }
        : { type: 'connection_ack' };
    await this.#send(ack);
  }

  async #subscribe(id: string, payload: SubscribePayload): Promise<void> {
    const ctx = this.#ctx;
    // "Receiving a Subscribe message before the connection is acknowledged [...] 4401: Unauthorized."
    if (!ctx.acknowledged) {
      await this.#socket.close(CloseCode.Unauthorized, 'Unauthorized');
      return;
    }
    // "If there is already an active subscriber for an operation matching the provided ID [...] 4409".
    if (id in ctx.subscriptions) {
      await this.#socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
      return;
    }
    ctx.subscriptions[id] = null;
    try {
      const prepared = await this.#prepare(id, payload);
      if (prepared === undefined) return;
      const { args, operation, definition, query } = prepared;
      const options = this.#options;
      const push = this.#push;
      let result: OperationResult;
      if (operation === 'subscription' && push?.accepts(args, definition)) {
        const started = await push.start(id, args, query);
        if (!('member' in started)) result = started;
        else {
          const replaced = await this.#runPushed(id, payload, args, started);
          // Served pushed to its end; or `onOperation` replaced it, and the replacement is served below.
          if (replaced === undefined) return;
          result = replaced;
        }
      } else {
        result =
          operation === 'subscription'
            ? await (options.subscribe ?? graphqlSubscribe)(args)
            : await (options.execute ?? graphqlExecute)(args);
        const replaced = await options.onOperation?.(ctx, id, payload, args, result);
        if (replaced) result = replaced;
      }
      if (isAsyncIterable(result)) {
        if (!(id in ctx.subscriptions)) {
          // Completed by the client while it started: end the stream it would have been.
          if (isAsyncGenerator(result)) void result.return(undefined);
        } else {
          ctx.subscriptions[id] = result;
          try {
            for await (const item of result) await this.#next(id, payload, args, item);
          } catch (error) {
            const cause = error instanceof Error ? error : new Error(String(error));
            await this.#error(id, payload, [new GraphQLError(cause.message, { originalError: cause })]);
            delete ctx.subscriptions[id];
          }
        }
      } else if (id in ctx.subscriptions) {
        await this.#next(id, payload, args, result as ExecutionResult);
      }
      await this.#completed(id, payload, id in ctx.subscriptions);
    } finally {
      delete ctx.subscriptions[id];
    }
  }

  /**
   * A pushed subscription, from `onOperation` to its end (`complete` or `error` sent, `onComplete`
   * run). Returns what `onOperation` replaced it with instead, if it did (the push is then over).
   */
  async #runPushed(
    id: string,
    payload: SubscribePayload,
    args: ExecutionArgs,
    started: Pushed,
  ): Promise<OperationResult | undefined> {
    const ctx = this.#ctx;
    let replaced: OperationResult | undefined;
    try {
      // graphql-ws: `onOperation` sees what `subscribe` returned, and may replace it.
      replaced = (await this.#options.onOperation?.(ctx, id, payload, args, started.stream)) || undefined;
    } catch (error) {
      // graphql-ws then closes the socket with 4500; the pushed subscription ends now.
      await started.stream.return(undefined);
      throw error;
    }
    // Replaced, or completed by the client while it started: the push ends here.
    if (replaced !== undefined || !(id in ctx.subscriptions)) {
      await started.stream.return(undefined);
      return replaced;
    }
    ctx.subscriptions[id] = started.stream;
    started.member.activate();
    const end = await started.ended;
    if (end.error !== undefined && id in ctx.subscriptions) {
      const cause = end.error instanceof Error ? end.error : new Error(String(end.error));
      await this.#error(id, payload, [new GraphQLError(cause.message, { originalError: cause })]);
      delete ctx.subscriptions[id];
    }
    await this.#completed(id, payload, id in ctx.subscriptions);
    return undefined;
  }

  /** The execution arguments (from `onSubscribe`, or parsed and validated), or `undefined` when refused. */
  async #prepare(
    id: string,
    payload: SubscribePayload,
  ): Promise<
    | { args: ExecutionArgs; operation: string; definition: OperationDefinitionNode; query: string | undefined }
    | undefined
  > {
    const ctx = this.#ctx;
    const options = this.#options;
    let args: ExecutionArgs;
    /** The text the document was parsed from; `undefined` for a document `onSubscribe` gave. */
    let query: string | undefined;
    const fromHook = await options.onSubscribe?.(ctx, id, payload);
    if (fromHook) {
      if (isGraphQLErrors(fromHook)) {
        if (id in ctx.subscriptions) await this.#error(id, payload, fromHook);
        return undefined;
      }
      if (Array.isArray(fromHook)) {
        throw new Error('Invalid return value from onSubscribe hook, expected an array of GraphQLError objects');
      }
      args = fromHook as ExecutionArgs;
    } else {
      const schemaOption = options.schema;
      if (schemaOption === undefined) throw new Error('The GraphQL schema is not provided');
      const partial = {
        operationName: payload.operationName,
        document: (options.parse ?? graphqlParse)(payload.query),
        variableValues: payload.variables,
      };
      const schema = typeof schemaOption === 'function' ? await schemaOption(ctx, id, payload, partial) : schemaOption;
      args = { ...partial, schema };
      query = payload.query;
      const errors = (options.validate ?? graphqlValidate)(args.schema, args.document);
      if (errors.length > 0) {
        if (id in ctx.subscriptions) await this.#error(id, payload, errors);
        return undefined;
      }
    }
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) {
      if (id in ctx.subscriptions) await this.#error(id, payload, [new GraphQLError('Unable to identify operation')]);
      return undefined;
    }
    if (!('rootValue' in args)) args.rootValue = options.roots?.[operation.operation];
    if (!('contextValue' in args)) {
      const context = options.context;
      args.contextValue = typeof context === 'function' ? await context(ctx, id, payload, args) : context;
    }
    return { args, operation: operation.operation, definition: operation, query };
  }

  async #next(id: string, payload: SubscribePayload, args: ExecutionArgs, result: ExecutionResult): Promise<void> {
    const { errors, ...withoutErrors } = result;
    const replaced = await this.#options.onNext?.(this.#ctx, id, payload, args, result);
    const sent = replaced ?? {
      ...withoutErrors,
      ...(errors ? { errors: errors.map((error) => error.toJSON()) } : {}),
    };
    await this.#send({ id, type: 'next', payload: sent });
  }

  async #error(id: string, payload: SubscribePayload, errors: readonly GraphQLError[]): Promise<void> {
    const replaced = await this.#options.onError?.(this.#ctx, id, payload, errors);
    await this.#send({ id, type: 'error', payload: replaced || errors.map((error) => error.toJSON()) });
  }

  async #completed(id: string, payload: SubscribePayload, notifyClient: boolean): Promise<void> {
    await this.#options.onComplete?.(this.#ctx, id, payload);
    if (notifyClient) await this.#send({ id, type: 'complete' });
  }

  async #complete(id: string): Promise<void> {
    const subscriptions = this.#ctx.subscriptions;
    const stream = subscriptions[id];
    // Deleted first: nothing more may be sent for this id.
    delete subscriptions[id];
    if (isAsyncGenerator(stream)) await stream.return(undefined);
  }

  #send(message: { type: string; id?: string; payload?: unknown }): Promise<void> | void {
    const data = JSON.stringify(message, this.#options.jsonMessageReplacer);
    const outbox = this.#push?.outbox;
    // Once a subscription is pushed, an operation's messages queue behind its notifications
    // (its `complete` comes last), and the sender waits while the socket is behind, as graphql-ws does.
    if (outbox === undefined || message.id === undefined) return this.#socket.send(data);
    outbox.send(message.id, data);
    return outbox.drained();
  }

  async #close(code?: number, reason?: string): Promise<void> {
    clearTimeout(this.#initWait);
    const ctx = this.#ctx;
    this.#push?.close();
    const streams = Object.values(ctx.subscriptions);
    ctx.subscriptions = {};
    await Promise.all(streams.filter(isAsyncGenerator).map((stream) => stream.return(undefined)));
    if (ctx.acknowledged) await this.#options.onDisconnect?.(ctx, code, reason);
    await this.#options.onClose?.(ctx, code, reason);
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown> {
  return (
    isAsyncIterable(value) &&
    typeof (value as AsyncGenerator<unknown>).return === 'function' &&
    typeof (value as AsyncGenerator<unknown>).throw === 'function'
  );
}

function isGraphQLErrors(value: unknown): value is readonly GraphQLError[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => item instanceof GraphQLError);
}
