/** One `-progress` block: FFmpeg writes `key=value` lines and ends each block with `progress=`. */
export interface FfmpegProgress {
  /** Video frames output so far (first video stream). */
  frame?: number;
  fps?: number;
  /** Output bitrate so far; undefined when FFmpeg reports N/A (segmenting muxers do). */
  bitrateKbps?: number;
  totalSizeBytes?: number;
  /** Media time written, seconds. */
  outTimeSec?: number;
  /** Encode speed relative to real time (1.0 = keeping up). */
  speed?: number;
  dupFrames: number;
  dropFrames: number;
  /** `progress=end`: the last block before exit. */
  done: boolean;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parse one block of `key=value` lines. Unknown keys are ignored; `N/A` becomes undefined. */
export function parseProgress(block: string): FfmpegProgress {
  const kv = new Map<string, string>();
  for (const line of block.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const outUs = num(kv.get('out_time_us')) ?? num(kv.get('out_time_ms'));
  const bitrate = kv.get('bitrate');
  const progress: FfmpegProgress = {
    frame: num(kv.get('frame')),
    fps: num(kv.get('fps')),
    // FFmpeg prints "1234.5kbits/s".
    bitrateKbps: bitrate?.endsWith('kbits/s') ? num(bitrate) : undefined,
    totalSizeBytes: num(kv.get('total_size')),
    // out_time_ms is microseconds too (a historical misnomer in FFmpeg).
    outTimeSec: outUs === undefined ? undefined : outUs / 1e6,
    speed: num(kv.get('speed')?.replace(/x$/, '')),
    dupFrames: num(kv.get('dup_frames')) ?? 0,
    dropFrames: num(kv.get('drop_frames')) ?? 0,
    done: kv.get('progress') === 'end',
  };
  // Before the first output packet FFmpeg reports N/A or negative times.
  if (progress.outTimeSec !== undefined && progress.outTimeSec < 0) progress.outTimeSec = undefined;
  return progress;
}

/** Splits the progress stream (arbitrary chunks) into complete blocks. */
export class ProgressSplitter {
  private pending = '';

  push(chunk: string): FfmpegProgress[] {
    this.pending += chunk;
    const blocks: FfmpegProgress[] = [];
    for (;;) {
      const m = /^progress=\w+[^\n]*\n/m.exec(this.pending);
      if (!m) break;
      const end = m.index + m[0].length;
      blocks.push(parseProgress(this.pending.slice(0, end)));
      this.pending = this.pending.slice(end);
    }
    return blocks;
  }
}
