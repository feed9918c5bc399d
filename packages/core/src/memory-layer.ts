import { ErrorCode, GqlcastError } from './errors.js';
import type { Layer, LayerHealth, LayerSubscription } from './layer.js';
import { type Logger, loggerFrom } from './logger.js';
import { TopicHistory } from './topic-history.js';

/** Options of {@link memoryLayer}. */
export interface MemoryLayerOptions {
  /** Where a throwing handler is reported. @defaultValue `consoleLogger` */
  logger?: Logger | undefined;
  /** The clock of retention by age (tests set it). @defaultValue `Date.now` */
  now?: (() => number) | undefined;
}

type Handler = (message: Uint8Array, id?: string) => void;

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
  // One ring per retaining topic, created by its first retained publish.
  const histories = new Map<string, TopicHistory>();
  const now = options.now ?? Date.now;
  let closed = false;

  const closedError = (action: string) =>
    new GqlcastError(ErrorCode.LayerClosed, `Cannot ${action}: the memory layer is closed.`);

  function deliver(topic: string, handlers: readonly Handler[], message: Uint8Array, id: string | undefined): void {
    for (const handler of handlers) {
      // A handler unsubscribed after the publish call gets nothing more.
      if (closed || !topics.get(topic)?.has(handler)) continue;
      try {
        if (id === undefined) handler(message);
        else handler(message, id);
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

    publish(topic, message, retain) {
      if (closed) return Promise.reject(closedError(`publish to "${topic}"`));
      let id: string | undefined;
      if (retain !== undefined) {
        let history = histories.get(topic);
        if (history === undefined) {
          history = new TopicHistory();
          histories.set(topic, history);
        }
        // Stored now, at call time: history order is publish order, as for delivery.
        id = history.append(message, retain, now());
      }
      const handlers = topics.get(topic);
      if (handlers === undefined || handlers.size === 0) return Promise.resolve();
      const snapshot = [...handlers];
      return new Promise<void>((resolve) => {
        queueMicrotask(() => {
          deliver(topic, snapshot, message, id);
          resolve();
        });
      });
    },

    subscribe(topic, onMessage) {
      if (closed) return Promise.reject(closedError(`subscribe to "${topic}"`));
      // Wrap so that the same function subscribed twice is two subscriptions.
      const handler: Handler = (message, id) => (id === undefined ? onMessage(message) : onMessage(message, id));
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

    lastEventId(topic) {
      if (closed) return Promise.reject(closedError(`read the last id of "${topic}"`));
      return Promise.resolve(histories.get(topic)?.lastId ?? '0');
    },

    history(topic, afterId) {
      if (closed) return Promise.reject(closedError(`read the history of "${topic}"`));
      const history = histories.get(topic);
      return Promise.resolve(history === undefined ? TopicHistory.empty(afterId) : history.after(afterId, now()));
    },

    health(): LayerHealth {
      return closed ? { status: 'closed', detail: 'close() was called' } : { status: 'up' };
    },

    close() {
      closed = true;
      topics.clear();
      histories.clear();
      return Promise.resolve();
    },
  };
}
