import { SPEC } from '../job/job.fixtures';
import type { JobSpec, VideoRendition } from '../job/spec/job-spec';
import { capacityForCores, estimateJobCost, observedJobLoad, renditionCost } from './job-cost';

const rendition = (over: Partial<VideoRendition>): VideoRendition => ({
  name: 'r',
  codec: 'h264',
  width: 1280,
  height: 720,
  framerateFps: 30,
  bitrateKbps: 3000,
  maxBitrateKbps: 3000,
  bufferSizeKbps: 6000,
  preset: 'veryfast',
  ...over,
});

const spec = (video: VideoRendition[], audio = SPEC.audio): JobSpec => ({ ...SPEC, video, audio });

describe('job cost model', () => {
  it('given the same spec, then the same integer cost (redelivery reserves the same amount)', () => {
    const s = spec([rendition({})]);
    expect(estimateJobCost(s)).toBe(estimateJobCost(structuredClone(s)));
    expect(Number.isInteger(estimateJobCost(s))).toBe(true);
  });

  it('scales with pixels per second', () => {
    const p720 = renditionCost(rendition({}));
    expect(renditionCost(rendition({ width: 1920, height: 1080 }))).toBeCloseTo(p720 * 2.25, 6);
    expect(renditionCost(rendition({ framerateFps: 60 }))).toBeCloseTo(p720 * 2, 6);
  });

  it('orders codecs at their live presets as measured: h264 < av1 (2.5–3×) < h265 (3–3.5×)', () => {
    const h264 = renditionCost(rendition({}));
    const h265 = renditionCost(rendition({ codec: 'h265' }));
    const av1 = renditionCost(rendition({ codec: 'av1', preset: '10' }));
    expect(h265 / h264).toBeGreaterThanOrEqual(3);
    expect(h265 / h264).toBeLessThanOrEqual(3.5);
    expect(av1 / h264).toBeGreaterThanOrEqual(2.5);
    expect(av1 / h264).toBeLessThanOrEqual(3);
  });

  it('slower presets cost more, monotonically (fastest first in the preset lists)', () => {
    const costs = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'].map(
      (preset) => renditionCost(rendition({ preset })),
    );
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
    const av1 = ['12', '10', '8', '6'].map((preset) =>
      renditionCost(rendition({ codec: 'av1', preset })),
    );
    expect([...av1].sort((a, b) => a - b)).toEqual(av1);
  });

  it('a ladder costs more than its top rendition alone; audio and overhead add a little', () => {
    const top = spec([rendition({ width: 1920, height: 1080 })]);
    const ladder = spec([
      rendition({ width: 1920, height: 1080 }),
      rendition({ width: 1280, height: 720 }),
      rendition({ width: 640, height: 360 }),
    ]);
    expect(estimateJobCost(ladder)).toBeGreaterThan(estimateJobCost(top));
    expect(estimateJobCost(spec([], SPEC.audio))).toBeGreaterThanOrEqual(1);
    expect(estimateJobCost(spec([], SPEC.audio))).toBeLessThan(10);
  });

  it('predicts the benchmark ladder within 15 % of its measured 0.70–0.74 CPU-s per media-s', () => {
    // bench/ffmpeg-ladder on the reference machine (docs/scheduler.md#cost-model): 1080p30
    // input → 720p/540p/360p h264 veryfast + AAC 128k, one FFmpeg, 0.70–0.74 CPU-s per media-s.
    const ladder = spec([
      rendition({ width: 1280, height: 720 }),
      rendition({ width: 960, height: 540, bitrateKbps: 2000 }),
      rendition({ width: 640, height: 360, bitrateKbps: 800 }),
    ]);
    expect(estimateJobCost(ladder) / 72).toBeGreaterThan(0.85);
    expect(estimateJobCost(ladder) / 72).toBeLessThan(1.15);
  });

  it('a 1080/720/360 h264 veryfast ladder needs about 1.2 cores: five fit an 8-core worker', () => {
    const ladder = spec([
      rendition({ width: 1920, height: 1080 }),
      rendition({ width: 1280, height: 720 }),
      rendition({ width: 640, height: 360 }),
    ]);
    expect(estimateJobCost(ladder)).toBeGreaterThan(100);
    expect(estimateJobCost(ladder)).toBeLessThan(140);
    expect(Math.floor(capacityForCores(8) / estimateJobCost(ladder))).toBe(5);
  });

  it('a job counts as its estimate or its measured FFmpeg CPU, whichever is higher', () => {
    expect(observedJobLoad(70, null)).toBe(70); // no sample yet, or waiting for input
    expect(observedJobLoad(70, 12.5)).toBe(70); // idle or cheaper than estimated
    expect(observedJobLoad(70, 158.2)).toBe(159); // a slower machine: the measurement wins
  });

  it('an unknown preset costs as the slowest one (never underestimated)', () => {
    expect(renditionCost(rendition({ preset: 'placebo' }))).toBe(
      renditionCost(rendition({ preset: 'veryslow' })),
    );
  });
});
