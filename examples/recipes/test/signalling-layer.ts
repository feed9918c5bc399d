// A memory layer that tells the test when a group is subscribed: a subscription
// is active then, so a broadcast reaches it. No timers, no confirmation frames
// (Apollo, urql and Relay would see them as results).
import { type Layer, memoryLayer } from '@gqlcast/core';

export function signallingLayer() {
  const inner = memoryLayer();
  const subscribed = new Map<string, number>();
  const waiters: (() => void)[] = [];
  const layer: Layer = {
    ...inner,
    async subscribe(topic, onMessage) {
      const subscription = await inner.subscribe(topic, onMessage);
      subscribed.set(topic, (subscribed.get(topic) ?? 0) + 1);
      for (const wake of waiters.splice(0)) wake();
      return subscription;
    },
  };
  /** Resolves once topics whose name ends with `suffix` were subscribed `times` times in all. */
  const until = async (suffix: string, times = 1) => {
    const count = () => [...subscribed].reduce((sum, [topic, n]) => (topic.endsWith(suffix) ? sum + n : sum), 0);
    while (count() < times) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { layer, until };
}
