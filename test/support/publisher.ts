import { spawn, type ChildProcess } from 'node:child_process';

export interface Publisher {
  child: ChildProcess;
  /** Resolves with FFmpeg's exit code and its stderr. */
  done: Promise<{ code: number | null; stderr: string }>;
  stop(): void;
}

/**
 * A synthetic live publisher: FFmpeg's test pattern + a tone, encoded like OBS would
 * (H.264 + AAC, 1 s GOP), sent in real time to an RTMP or SRT URL.
 */
export function publish(
  url: string,
  options: { seconds?: number; size?: string; fps?: number } = {},
): Publisher {
  const fps = options.fps ?? 25;
  const format = url.startsWith('srt://') ? 'mpegts' : 'flv';
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.size ?? '426x240'}:rate=${fps}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    ...(options.seconds ? ['-t', String(options.seconds)] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    String(fps),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-f',
    format,
    url,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stderr })),
  );
  return { child, done, stop: () => child.kill('SIGTERM') };
}
