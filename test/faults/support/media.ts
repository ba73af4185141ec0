import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The smallest ladder that still exercises everything: one 240p rendition and AAC. */
export const LIGHT_SPEC = {
  name: 'fault channel',
  input: { protocol: 'rtmp', reconnectWindowSec: 5 },
  output: { formats: ['hls'], segmentDurationSec: 1, windowSec: 30 },
  video: [
    { name: '240p', codec: 'h264', width: 426, height: 240, bitrateKbps: 300, preset: 'ultrafast' },
  ],
  audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 64 }],
};

/** A rendition playlist over HTTP, with its media sequence, segments and discontinuities. */
export async function mediaPlaylist(master: string, rendition = '240p') {
  const res = await fetch(new URL(`${rendition}/index.m3u8`, master));
  if (!res.ok) return null;
  const text = await res.text();
  const lines = text.split('\n');
  return {
    text,
    sequence: Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0),
    segments: lines.filter((l) => l && !l.startsWith('#')),
    discontinuities: lines.filter((l) => l.startsWith('#EXT-X-DISCONTINUITY')).length,
  };
}

/** ffprobe decodes the stream behind the master playlist: the video's size, and audio present. */
export async function probePlayback(master: string): Promise<{ video: string[]; audio: boolean }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', master], {
    timeout: 20_000,
  });
  const streams = (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams;
  return {
    video: streams.filter((s) => s.codec_type === 'video').map((s) => `${s.width}x${s.height}`),
    audio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/**
 * Prints a recovery time and, when `EZ_FAULT_TIMINGS` names a file (as `npm run bench`
 * does), appends it there as one JSON line for the performance report.
 */
export function recordTiming(scenario: string, ms: number, targetMs?: number): void {
  const target = targetMs === undefined ? '' : ` (target ≤ ${targetMs} ms)`;
  console.log(`⏱ ${scenario}: ${ms} ms${target}`);
  const file = process.env.EZ_FAULT_TIMINGS;
  if (file) appendFileSync(file, `${JSON.stringify({ scenario, ms, targetMs })}\n`);
}

/** Figures that are not one duration (load: rates and percentiles), for the same report. */
export function recordFigures(scenario: string, figures: Record<string, number>): void {
  console.log(`⏱ ${scenario}: ${JSON.stringify(figures)}`);
  const file = process.env.EZ_FAULT_TIMINGS;
  if (file) appendFileSync(file, `${JSON.stringify({ scenario, figures })}\n`);
}
