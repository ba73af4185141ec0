import fc from 'fast-check';
import {
  PLACEMENT_STRATEGIES,
  binPack,
  fits,
  leastLoaded,
  placementStrategy,
  random,
  roundRobin,
  type PlacementCandidate,
} from './placement-strategy';

const worker = (workerId: string, load: number, capacity = 100, jobs = 0): PlacementCandidate => ({
  workerId,
  capacity,
  load,
  jobs,
  registeredAt: 1000 + Number(workerId.replace(/\D/g, '') || 0),
});

describe('placement strategies', () => {
  const pool = [worker('w1', 60), worker('w2', 20), worker('w3', 85), worker('w4', 40)];

  it('least-loaded: given workers at 60/20/85/40 %, when placing 10, then the one at 20 %', () => {
    expect(leastLoaded.choose(10, pool, () => 0)).toBe('w2');
  });

  it('least-loaded compares utilisation, not absolute load', () => {
    expect(leastLoaded.choose(10, [worker('w1', 50, 400), worker('w2', 30, 100)], () => 0)).toBe(
      'w1',
    );
  });

  it('least-loaded breaks ties by fewer jobs, then by age', () => {
    expect(
      leastLoaded.choose(5, [worker('w2', 10, 100, 3), worker('w1', 10, 100, 1)], () => 0),
    ).toBe('w1');
    expect(leastLoaded.choose(5, [worker('w2', 10), worker('w1', 10)], () => 0)).toBe('w1');
  });

  it('bin-pack: given 60/20/85/40, when placing 10, then the fullest that fits (85)', () => {
    expect(binPack.choose(10, pool, () => 0)).toBe('w3');
    expect(binPack.choose(20, pool, () => 0)).toBe('w1');
  });

  it('random: picks by the rng among the fitting workers only', () => {
    expect(random.choose(20, pool, () => 0)).toBe('w1');
    expect(random.choose(20, pool, () => 0.99)).toBe('w4');
    expect(random.choose(20, pool, () => 0.5)).toBe('w2');
  });

  it('round-robin: takes turns in id order, skipping workers that cannot carry the job', () => {
    const rr = roundRobin();
    const picks = Array.from({ length: 6 }, () => rr.choose(20, pool, () => 0));
    expect(picks).toEqual(['w1', 'w2', 'w4', 'w1', 'w2', 'w4']);
  });

  it('round-robin keeps its turn when a worker joins', () => {
    const rr = roundRobin();
    expect(rr.choose(1, [worker('w1', 0), worker('w3', 0)], () => 0)).toBe('w1');
    expect(rr.choose(1, [worker('w1', 0), worker('w2', 0), worker('w3', 0)], () => 0)).toBe('w2');
  });

  it.each(PLACEMENT_STRATEGIES)('%s: no worker fits → null', (name) => {
    expect(placementStrategy(name).choose(81, pool, () => 0.3)).toBeNull();
    expect(placementStrategy(name).choose(1, [], () => 0.3)).toBeNull();
  });

  it.each(PLACEMENT_STRATEGIES)(
    '%s: never chooses a worker that cannot carry the job, and finds one whenever one fits',
    (name) => {
      const strategy = placementStrategy(name);
      const candidate = fc
        .record({ id: fc.integer({ min: 0, max: 50 }), capacity: fc.integer({ min: 1, max: 800 }) })
        .chain(({ id, capacity }) =>
          fc.record({
            workerId: fc.constant(`w${id}`),
            capacity: fc.constant(capacity),
            load: fc.integer({ min: 0, max: capacity }),
            jobs: fc.nat(20),
            registeredAt: fc.nat(1e6),
          }),
        );
      fc.assert(
        fc.property(
          fc.uniqueArray(candidate, { selector: (c) => c.workerId, maxLength: 12 }),
          fc.integer({ min: 1, max: 400 }),
          fc.double({ min: 0, max: 0.999, noNaN: true }),
          (candidates, cost, r) => {
            const chosen = strategy.choose(cost, candidates, () => r);
            const anyFits = candidates.some((c) => fits(cost, c));
            if (!anyFits) return chosen === null;
            const c = candidates.find((x) => x.workerId === chosen);
            return c !== undefined && fits(cost, c);
          },
        ),
      );
    },
  );

  it('spreads evenly: least-loaded and round-robin place 40 equal jobs 10 per worker', () => {
    for (const strategy of [leastLoaded, roundRobin()]) {
      const ws = [worker('w1', 0), worker('w2', 0), worker('w3', 0), worker('w4', 0)];
      for (let i = 0; i < 40; i++) {
        const id = strategy.choose(2, ws, () => 0)!;
        const w = ws.find((x) => x.workerId === id)!;
        w.load += 2;
        w.jobs += 1;
      }
      expect(ws.map((w) => w.jobs)).toEqual([10, 10, 10, 10]);
    }
  });

  it('bin-pack fills one worker before the next', () => {
    const ws = [worker('w1', 0, 10), worker('w2', 0, 10)];
    const picks: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = binPack.choose(2, ws, () => 0)!;
      picks.push(id);
      ws.find((x) => x.workerId === id)!.load += 2;
    }
    expect(picks).toEqual(['w1', 'w1', 'w1', 'w1', 'w1', 'w2', 'w2']);
  });
});
