import { ErrorCode, GqlcastError } from './errors.js';
import type { Layer, LayerHealth, LayerSubscription } from './layer.js';
import { type Logger, loggerFrom } from './logger.js';

/** Options of {@link memoryLayer}. */
export interface MemoryLayerOptions {
  /** Where a throwing handler is reported. @defaultValue `consoleLogger` */
  logger?: Logger | undefined;
}

type Handler = (message: Uint8Array) => void;

/**
 * A layer inside one process: the default of `createHub`. Broadcasts from
 * other processes (workers, scripts) do not arrive; use `@gqlcast/redis` for those.
 *
 * @remarks
 * Delivery happens on a microtask, never inside `publish`, so a handler that
 * broadcasts cannot re-enter the caller; microtasks run in order, so order holds.
 */
export function memoryLayer(options: MemoryLayerOptions = {}): Layer {
  const logger = loggerFrom(options.logger, 'memoryLayer');
  const topics = new Map<string, Set<Handler>>();
  let closed = false;

  const closedError = (action: string) =>
    new GqlcastError(ErrorCode.LayerClosed, `Cannot ${action}: the memory layer is closed.`);

  function deliver(topic: string, handlers: readonly Handler[], message: Uint8Array): void {
    for (const handler of handlers) {
      // A handler unsubscribed after the publish call gets nothing more.
      if (closed || !topics.get(topic)?.has(handler)) continue;
      try {
        handler(message);
      } catch (error) {
        logger.error(`A memory layer handler of topic "${topic}" threw; other handlers still received the message.`, {
          topic,
          error,
        });
      }
    }
  }

  return {
    name: 'memory',

    publish(topic, message) {
      if (closed) return Promise.reject(closedError(`publish to "${topic}"`));
      const handlers = topics.get(topic);
      if (handlers === undefined || handlers.size === 0) return Promise.resolve();
      const snapshot = [...handlers];
      return new Promise<void>((resolve) => {
        queueMicrotask(() => {
          deliver(topic, snapshot, message);
          resolve();
        });
      });
    },

    subscribe(topic, onMessage) {
      if (closed) return Promise.reject(closedError(`subscribe to "${topic}"`));
      // Wrap so that the same function subscribed twice is two subscriptions.
      const handler: Handler = (message) => onMessage(message);
      let handlers = topics.get(topic);
      if (handlers === undefined) {
        handlers = new Set();
        topics.set(topic, handlers);
      }
      handlers.add(handler);
      const subscription: LayerSubscription = {
        unsubscribe() {
          const current = topics.get(topic);
          if (current?.delete(handler) && current.size === 0) topics.delete(topic);
          return Promise.resolve();
        },
      };
      return Promise.resolve(subscription);
    },

    health(): LayerHealth {
      return closed ? { status: 'closed', detail: 'close() was called' } : { status: 'up' };
    },

    close() {
      closed = true;
      topics.clear();
      return Promise.resolve();
    },
  };
}
