import fc from 'fast-check';
import type { VideoRendition } from '@ezlive/domain';
import { video } from '../../test/fixtures/job-specs';
import { buildFilterGraph } from './filter-graph.builder';

interface Chain {
  inputs: string[];
  filters: string[];
  outputs: string[];
}

/** Parse `[a]f1,f2[b][c];…` into chains. */
function parse(graph: string): Chain[] {
  return graph.split(';').map((text) => {
    const inputs = /^((?:\[[^\]]+\])+)/.exec(text)?.[1] ?? '';
    const outputs = /((?:\[[^\]]+\])+)$/.exec(text)?.[1] ?? '';
    const body = text.slice(inputs.length, text.length - outputs.length);
    const labels = (s: string) => s.match(/\[[^\]]+\]/g) ?? [];
    return { inputs: labels(inputs), filters: body.split(','), outputs: labels(outputs) };
  });
}

/** Filters applied from the decoder to `label`, in order. */
function trace(chains: Chain[], label: string): string[] {
  if (label === '[0:v:0]') return [];
  const producers = chains.filter((c) => c.outputs.includes(label));
  expect(producers).toHaveLength(1);
  const [chain] = producers;
  return [...trace(chains, chain.inputs[0]), ...chain.filters];
}

const renditionArb = fc
  .record({
    h: fc.integer({ min: 45, max: 540 }),
    aspect: fc.constantFrom(16 / 9, 4 / 3, 1),
    fps: fc.constantFrom(undefined, 25, 30, 60),
    main10: fc.boolean(),
  })
  .map(({ h, aspect, fps, main10 }) =>
    video('x', 2 * Math.round((h * aspect) / 2) * 2, 4 * Math.round(h / 2), 500, {
      framerateFps: fps,
      ...(main10 ? { codec: 'h265' as const, profile: 'main10' } : {}),
    }),
  );

describe('buildFilterGraph', () => {
  it('decodes once; every rendition gets its rate, exact size, square pixels and format', () => {
    fc.assert(
      fc.property(
        fc.array(renditionArb, { minLength: 1, maxLength: 6 }),
        (ladder: VideoRendition[]) => {
          const graph = buildFilterGraph(ladder) as string;
          expect(graph.match(/\[0:v:0\]/g)).toHaveLength(1);
          const chains = parse(graph);
          // Every pad is consumed exactly once (FFmpeg rejects dangling or doubly used pads).
          const consumed = chains.flatMap((c) => c.inputs).filter((l) => l !== '[0:v:0]');
          const produced = chains.flatMap((c) => c.outputs).filter((l) => !/^\[v\d+\]$/.test(l));
          expect([...consumed].sort()).toEqual([...produced].sort());
          ladder.forEach((r, i) => {
            const path = trace(chains, `[v${i}]`);
            const scales = path.filter((f) => f.startsWith('scale='));
            expect(scales.at(-1)).toBe(`scale=${r.width}:${r.height}`);
            // A cascade only ever scales down from a picture at least as large in both dimensions.
            for (const s of scales.slice(0, -1)) {
              const [w, h] = s.slice(6).split(':').map(Number);
              expect(w >= r.width && h >= r.height).toBe(true);
            }
            expect(path.filter((f) => f.startsWith('fps='))).toEqual(
              r.framerateFps === undefined ? [] : [`fps=${r.framerateFps}`],
            );
            expect(path.lastIndexOf('setsar=1')).toBeGreaterThan(
              path.lastIndexOf(scales.at(-1) as string),
            );
            expect(path.at(-1)).toBe(
              `format=${r.profile === 'main10' ? 'yuv420p10le' : 'yuv420p'}`,
            );
            expect(path.filter((f) => f.startsWith('format='))).toHaveLength(1);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a descending ladder is one cascade: each rung scaled from the one above', () => {
    const ladder = [video('a', 1280, 720, 1), video('b', 960, 540, 1), video('c', 640, 360, 1)];
    expect(buildFilterGraph(ladder)).toBe(
      '[0:v:0]fps=30,scale=1280:720,setsar=1,split=2[o0][c1];[o0]format=yuv420p[v0];' +
        '[c1]scale=960:540,setsar=1,split=2[o1][c2];[o1]format=yuv420p[v1];' +
        '[c2]scale=640:360,setsar=1,format=yuv420p[v2]',
    );
  });

  it('audio-only jobs have no graph', () => {
    expect(buildFilterGraph([])).toBeUndefined();
  });
});
