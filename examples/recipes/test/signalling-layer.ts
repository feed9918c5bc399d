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
  /** Resolves once a topic whose name ends with `suffix` was subscribed. */
  const until = async (suffix: string) => {
    const seen = () => [...subscribed.keys()].some((topic) => topic.endsWith(suffix));
    while (!seen()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { layer, until };
}
