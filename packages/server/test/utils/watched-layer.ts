import { type Layer, memoryLayer } from '@gqlcast/core';

/**
 * A memory layer that reports each topic subscription it confirmed, so tests know
 * when a subscription is active (from then on a broadcast reaches it) without timers
 * or confirmation messages. `confirmationGate`: like a slow network layer, each
 * confirmation waits until the test opens the gate.
 */
export function watchedLayer(confirmationGate?: Promise<void>) {
  const inner = memoryLayer();
  const confirmed = new Map<string, number>();
  const waiters: (() => void)[] = [];
  const layer: Layer = {
    ...inner,
    async subscribe(topic, onMessage) {
      if (confirmationGate) await confirmationGate;
      const subscription = await inner.subscribe(topic, onMessage);
      confirmed.set(topic, (confirmed.get(topic) ?? 0) + 1);
      for (const wake of waiters.splice(0)) wake();
      return subscription;
    },
  };
  /** Resolves once the layer confirmed `topic` at least `times` times in all. */
  const topicSubscribed = async (topic: string, times = 1) => {
    while ((confirmed.get(topic) ?? 0) < times) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { layer, topicSubscribed };
}
