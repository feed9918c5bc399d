import type { Fanout } from './fanout.js';
import { compareEventIds, type LayerHistory } from './layer.js';
import { topicOf } from './names.js';
import { type CursorPosition, channelWideKey, type ResumeSeam, type SeamItem } from './resume-seam.js';
import type { ResumeGap, Subscription } from './subscription.js';

/** Where to resume a subscription: a decoded cursor (see `decodeCursor`). */
export interface ResumePoint {
  /** The last event id delivered, per group (`''`: the channel-wide topic). */
  readonly position: CursorPosition;
  /** The whole retained history (the cursor `"0"`). */
  readonly all: boolean;
}

/** One topic of a subscription: its key in a cursor, its layer topic, its group. */
export interface TopicOfSubscription {
  readonly key: string;
  readonly topic: string;
  readonly group: string | undefined;
}

/**
 * A retaining subscription's start, once every topic is subscribed in the layer; live
 * notifications wait in the seam until then.
 *
 * Without `resumeFrom`, each group starts where it stood when the subscriber joined (so a
 * cursor covers groups that sent nothing yet). With it, the seam joins history and live: live
 * notifications were held since the topics were subscribed; each group's history after
 * the cursor is read, decoded and checked like a live message, replayed in id order,
 * and the held live ones follow, minus what the history already delivered. A group the
 * cursor does not name, or whose history no longer reaches back to it, is a gap,
 * reported on the subscription before the first replayed notification.
 */
export async function startRetained(
  subscription: Subscription<unknown>,
  seam: ResumeSeam<unknown>,
  fanout: Fanout,
  topics: readonly TopicOfSubscription[],
  /** Where each topic starts for this subscriber (`Fanout.attach`), in the order of `topics`. */
  starts: readonly (string | undefined)[],
  resumeFrom: ResumePoint | undefined,
): Promise<void> {
  const seedAll = () => {
    topics.forEach(({ key }, index) => {
      const start = starts[index];
      if (start !== undefined) seam.seed(key, start);
    });
  };
  if (resumeFrom === undefined) {
    // Live notifications waited for this: each cursor they carry covers every group.
    seedAll();
    seam.open();
    return;
  }
  const reads = await Promise.all(
    topics.map(async (entry) => {
      const known = resumeFrom.all ? '0' : resumeFrom.position.get(entry.key);
      const history = await fanout.history(entry.topic, known ?? '0');
      return { entry, known, history };
    }),
  );
  if (subscription.endReason !== undefined) return;
  const items: SeamItem<unknown>[] = [];
  for (const { entry, history } of reads) {
    for (const event of history.events) {
      const decoded = fanout.decodeNotification(subscription.channel, entry.group, event.message);
      if (decoded !== undefined) items.push({ group: entry.key, id: event.id, payload: decoded.payload });
    }
  }
  // Ids order each group; across groups, Redis stream ids are times, so this is also time order.
  items.sort((a, b) => compareEventIds(a.id as string, b.id as string));
  // The replay is bounded like any backlog: at most `queueLimit`, the newest. What is left out
  // is said in the gap (a silent drop downstream would lose it without the client knowing).
  const leftOut = Math.max(0, items.length - subscription.queueLimit);
  // "0" asks for whatever is retained: what retention let go is not a gap in that answer.
  subscription.resumeGap = withLeftOut(resumeFrom.all ? undefined : gapOf(reads), leftOut);
  seam.replay(leftOut === 0 ? items : items.slice(leftOut));
  // A group the history said nothing of (nothing retained, or no id known) starts where its topic stands.
  seedAll();
  seam.open();
}

/** The gap, counting `leftOut` more notifications that the replay did not deliver. */
function withLeftOut(gap: ResumeGap | undefined, leftOut: number): ResumeGap | undefined {
  if (leftOut === 0) return gap;
  if (gap === undefined) return { missed: leftOut };
  return gap.missed === undefined ? gap : { missed: gap.missed + leftOut };
}

/** What the resume could not honour, or `undefined` when it was exact. */
function gapOf(reads: readonly { known: string | undefined; history: LayerHistory }[]): ResumeGap | undefined {
  let gap = false;
  let missed: number | undefined = 0;
  for (const { known, history } of reads) {
    if (known !== undefined && history.complete) continue;
    gap = true;
    // Countable only when every incomplete group is: an unknown group's losses are unknown.
    if (known === undefined || history.missed === undefined) missed = undefined;
    else if (missed !== undefined) missed += history.missed;
  }
  if (!gap) return undefined;
  return missed === undefined ? {} : { missed };
}

/** The topics of a subscription: the channel-wide one (key `''`), then each group's. */
export function topicsOf(channel: string, groups: readonly string[]): TopicOfSubscription[] {
  return [
    { key: channelWideKey, topic: channel, group: undefined },
    ...groups.map((group) => ({ key: group, topic: topicOf(channel, group), group })),
  ];
}
