import type { ClientEvents } from './types.js';

type Listener<E extends keyof ClientEvents> = (details: ClientEvents[E]) => void;

/** The client's event listeners: `on` to listen, `emit` to tell them. */
export interface ClientEmitter {
  on<E extends keyof ClientEvents>(event: E, listener: Listener<E>): () => void;
  emit<E extends keyof ClientEvents>(event: E, details: ClientEvents[E]): void;
}

export function createEmitter(): ClientEmitter {
  const listeners = new Map<keyof ClientEvents, Set<(details: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (details: never) => void);
      return () => set.delete(listener as (details: never) => void);
    },
    emit(event, details) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as Listener<typeof event>)(details);
        } catch (error) {
          // A listener's bug must not stop the client: report it and go on.
          console.error(`@gqlcast/client: a "${event}" listener threw`, error);
        }
      }
    },
  };
}
