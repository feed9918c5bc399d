// The two profiles of the method (quick: CI-sized; full: the published run) and the flags.
export interface Profile {
  name: 'quick' | 'full' | 'custom';
  /** Connections of the S1–S4 connection set (and of S7). */
  connections: number;
  rounds: number;
  windowMs: number;
  /** S2: offered events/s to random rooms (10 subscribers each: rooms = connections / 10). */
  s2Rate: number;
  /** S3: offered load as fractions of the reference S1 broadcast rate. */
  s3Loads: number[];
  /** S4: connections that take 5 more subscriptions. */
  s4Extra: number;
  /** S5: subscribers, in 100 rooms, and the offered rate steps. */
  s5Subscribers: number;
  s5Rooms: number;
  s5Rates: number[];
  /** Handshakes in flight while connecting. */
  connectBatch: number;
}

export const profiles: Record<'quick' | 'full', Profile> = {
  quick: {
    name: 'quick',
    connections: 2_000,
    rounds: 1,
    windowMs: 2_000,
    s2Rate: 2_000,
    s3Loads: [0.25, 0.5, 0.75],
    s4Extra: 2_000,
    s5Subscribers: 1_000,
    s5Rooms: 100,
    s5Rates: [1_000, 5_000, 20_000],
    connectBatch: 200,
  },
  full: {
    name: 'full',
    connections: 10_000,
    rounds: 3,
    windowMs: 5_000,
    s2Rate: 10_000,
    s3Loads: [0.25, 0.5, 0.75],
    s4Extra: 2_000,
    s5Subscribers: 5_000,
    s5Rooms: 100,
    s5Rates: [1_000, 5_000, 20_000],
    connectBatch: 250,
  },
};

/** S1/S1b: events in flight, so the server always has the next broadcast at hand. */
export function windowFor(connections: number): number {
  return connections >= 1_000 ? 2 : 8;
}

/** Scenario ids, for `--scenarios`. */
export const scenarioIds = ['S1', 'S1b', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'] as const;
export type ScenarioId = (typeof scenarioIds)[number];
