import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { JobSpec } from '@ezlive/domain';
import {
  buildTranscode,
  FfmpegProcess,
  type FfmpegProgress,
  type TranscodeIo,
} from '@ezlive/ffmpeg';

const run = promisify(execFile);

/** CPU seconds (user + system) of all children this process has waited for. */
export function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime) in clock ticks; Linux reports them at 100 Hz.
  return (Number(f[13]) + Number(f[14])) / 100;
}

export async function makeInput(file: string, seconds: number): Promise<void> {
  try {
    await access(file);
    return;
  } catch {
    // not cached yet
  }
  // What OBS sends for "1080p30" by default: x264 veryfast, high profile (CABAC, B-frames),
  // 6 Mbit/s, 2 s keyframe interval. Decode cost depends on it: an ultrafast (CAVLC, no
  // B-frame) source decodes at half the cost, understating what one decode per rendition wastes.
  const video =
    '-c:v libx264 -preset veryfast -profile:v high -b:v 6M -maxrate 6M -bufsize 12M -g 60';
  await run('ffmpeg', [
    ...'-hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30'.split(' '),
    ...'-f lavfi -i sine=frequency=440:sample_rate=48000'.split(' '),
    ...['-t', String(seconds), ...video.split(' '), '-pix_fmt', 'yuv420p'],
    ...'-c:a aac -b:a 160k -ac 2 -f flv'.split(' '),
    file,
  ]);
}

export interface RunResult {
  last?: FfmpegProgress;
  /** Lowest media-seconds per wall-second over any 2 s window after the first seconds. */
  minSpeed?: number;
  wallSec: number;
}

/** Build and run one transcode to completion; returns the last progress block. */
export async function runPlan(
  spec: JobSpec,
  io: TranscodeIo,
  skipFirstSec = 2,
): Promise<RunResult> {
  const plan = buildTranscode(spec, io);
  for (const d of plan.outputs.directories) await mkdir(d, { recursive: true });
  const ffmpeg = new FfmpegProcess({ args: plan.args });
  let last: FfmpegProgress | undefined;
  let minSpeed: number | undefined;
  // FFmpeg's own `speed` is cumulative since start (start-up included); a windowed rate shows
  // whether the encode keeps up with real time now.
  const samples: Array<{ wall: number; media: number }> = [];
  ffmpeg.on('progress', (p) => {
    last = p;
    if (p.outTimeSec === undefined || p.done) return;
    const now = { wall: Date.now() / 1000, media: p.outTimeSec };
    samples.push(now);
    const from = samples.find((x) => now.wall - x.wall <= 2.05);
    if (from && from !== now && now.media > skipFirstSec) {
      const rate = (now.media - from.media) / (now.wall - from.wall);
      minSpeed = Math.min(minSpeed ?? Infinity, rate);
    }
  });
  const t0 = Date.now();
  await ffmpeg.start();
  const exit = await ffmpeg.exited;
  if (exit.kind !== 'clean') throw new Error(`ffmpeg ${exit.kind}: ${exit.stderrTail.join('\n')}`);
  return { last, minSpeed, wallSec: (Date.now() - t0) / 1000 };
}

/** True once the master, one media playlist with a segment, and that segment exist. */
export async function playable(master: string, playlist: string): Promise<boolean> {
  try {
    await access(master);
    const text = await readFile(playlist, 'utf8');
    const uri = text.split('\n').find((l) => l.length > 0 && !l.startsWith('#'));
    if (!uri) return false;
    await access(`${playlist.slice(0, playlist.lastIndexOf('/'))}/${uri}`);
    return true;
  } catch {
    return false;
  }
}
