import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobSpec } from '@ezlive/domain';
import {
  buildTranscode,
  DashPresentation,
  FfmpegProcess,
  type FfmpegExit,
  type TranscodeIo,
  type TranscodePlan,
} from '@ezlive/ffmpeg';

const run = promisify(execFile);

/** Seconds of synthetic input: ≥ 8 s of full 2 s segments for the bitrate checks. */
export const INPUT_SECONDS = 10;

/**
 * An RTMP-like source file (FLV, h264 + stereo AAC at 48 kHz) from lavfi `testsrc2` + `sine`,
 * made once per suite. testsrc2 moves every frame, so encoders have real work at every rate.
 */
export async function makeSource(dir: string, size = '640x360'): Promise<string> {
  const file = join(dir, `source-${size}.flv`);
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=30`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(INPUT_SECONDS),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '30',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ac',
    '2',
    '-f',
    'flv',
    file,
  ]);
  return file;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `ezlive-${prefix}-`));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** Build, create the output directories, run FFmpeg to the end of the file input. */
export async function transcode(
  spec: JobSpec,
  io: TranscodeIo,
): Promise<{ plan: TranscodePlan; exit: FfmpegExit }> {
  const plan = buildTranscode(spec, io);
  for (const d of plan.outputs.directories) await mkdir(d, { recursive: true });
  const ffmpeg = new FfmpegProcess({ args: plan.args });
  await ffmpeg.start();
  const exit = await ffmpeg.exited;
  // The worker keeps a dash-muxer job's public manifests from the runs' MPDs (the end included).
  if (plan.outputs.runMpd) await new DashPresentation(spec, plan.outputs).update({ ended: true });
  return { plan, exit };
}

/** The fixture ladders with an h264 preset that uses CABAC/8x8dct, so profiles are observable. */
export function withObservableProfiles(spec: JobSpec): JobSpec {
  return {
    ...spec,
    video: spec.video.map((v) => (v.codec === 'h264' ? { ...v, preset: 'superfast' } : v)),
  };
}
