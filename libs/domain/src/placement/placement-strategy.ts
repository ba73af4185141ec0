/** A worker as placement sees it: what it can carry and what it already carries. */
export interface PlacementCandidate {
  workerId: string;
  /** Cost units the worker can carry in total. */
  capacity: number;
  /**
   * Cost units in use: the larger of the scheduler's reservations and the worker's own
   * observed load, so neither an optimistic estimate nor a lagging report overfills it.
   */
  load: number;
  /** Jobs placed on it. */
  jobs: number;
  /** Milliseconds since the epoch; older workers win ties (stable, deterministic order). */
  registeredAt: number;
}

export type PlacementStrategyName = 'least-loaded' | 'round-robin' | 'random' | 'bin-pack';

export const PLACEMENT_STRATEGIES: readonly PlacementStrategyName[] = [
  'least-loaded',
  'round-robin',
  'random',
  'bin-pack',
];

/**
 * Chooses a worker for a job of `cost` units among `candidates`, or `null` when none can
 * carry it. Only candidates with `load + cost ≤ capacity` are ever chosen. Randomness comes
 * in as `rng` (a `[0, 1)` source), so every strategy is deterministic under test.
 */
export interface PlacementStrategy {
  readonly name: PlacementStrategyName;
  choose(cost: number, candidates: readonly PlacementCandidate[], rng: () => number): string | null;
}

export const fits = (cost: number, c: PlacementCandidate): boolean => c.load + cost <= c.capacity;

/** Stable order: oldest registration first, then id. */
const byAge = (a: PlacementCandidate, b: PlacementCandidate): number =>
  a.registeredAt - b.registeredAt ||
  (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0);

function best(
  fitting: PlacementCandidate[],
  score: (c: PlacementCandidate) => number,
): string | null {
  let chosen: PlacementCandidate | null = null;
  for (const c of fitting) {
    if (!chosen) chosen = c;
    else {
      const d = score(c) - score(chosen);
      if (
        d < 0 ||
        (d === 0 && (c.jobs < chosen.jobs || (c.jobs === chosen.jobs && byAge(c, chosen) < 0)))
      )
        chosen = c;
    }
  }
  return chosen?.workerId ?? null;
}

/** Spreads load: the worker whose utilisation after placement is lowest. */
export const leastLoaded: PlacementStrategy = {
  name: 'least-loaded',
  choose: (cost, candidates) =>
    best(
      candidates.filter((c) => fits(cost, c)),
      (c) => (c.load + cost) / c.capacity,
    ),
};

/** Packs tightly (best fit): the worker left with the least free capacity, so others stay empty and can be scaled in. */
export const binPack: PlacementStrategy = {
  name: 'bin-pack',
  choose: (cost, candidates) =>
    best(
      candidates.filter((c) => fits(cost, c)),
      (c) => c.capacity - c.load - cost,
    ),
};

/** Uniform among the workers that fit. */
export const random: PlacementStrategy = {
  name: 'random',
  choose: (cost, candidates, rng) => {
    const fitting = candidates.filter((c) => fits(cost, c)).sort(byAge);
    if (fitting.length === 0) return null;
    return fitting[Math.min(fitting.length - 1, Math.floor(rng() * fitting.length))].workerId;
  },
};

/**
 * Takes turns in worker-id order, skipping workers that cannot carry the job. The turn is
 * the last chosen id (not an index), so workers joining or leaving do not reshuffle it.
 * Each scheduler instance keeps its own turn.
 */
export function roundRobin(): PlacementStrategy {
  let last: string | null = null;
  return {
    name: 'round-robin',
    choose: (cost, candidates) => {
      const ids = candidates
        .filter((c) => fits(cost, c))
        .map((c) => c.workerId)
        .sort();
      if (ids.length === 0) return null;
      const next = ids.find((id) => last === null || id > last) ?? ids[0];
      last = next;
      return next;
    },
  };
}

export function placementStrategy(name: PlacementStrategyName): PlacementStrategy {
  switch (name) {
    case 'least-loaded':
      return leastLoaded;
    case 'round-robin':
      return roundRobin();
    case 'random':
      return random;
    case 'bin-pack':
      return binPack;
    default: {
      const unreachable: never = name;
      throw new Error(`unknown placement strategy ${String(unreachable)}`);
    }
  }
}
