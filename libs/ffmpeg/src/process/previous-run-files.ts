import { readdir, stat } from 'node:fs/promises';
import type { TranscodeOutputs } from '../command/transcode-io';

/** The run tag the builder puts in segment and init names: `seg_r3_…`, `init_r3_…`, `seg_0_r3_…`. */
const RUN_TAG = /(?:^|_)r(\d+)(?:_|\.)/;

export interface RunFile {
  path: string;
  run: number;
  mtimeMs: number;
}

/**
 * Segment and init files written by runs before `currentRun`. A restarted FFmpeg does not know
 * them, so its `delete_segments` never removes them; the caller deletes those whose mtime is
 * older than the live window (players may still be fetching the newest ones).
 */
export async function previousRunFiles(
  outputs: TranscodeOutputs,
  currentRun: number,
): Promise<RunFile[]> {
  const dirs = [...new Set(outputs.renditions.map((r) => r.dir))];
  const found: RunFile[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const run = Number(RUN_TAG.exec(name)?.[1]);
      if (!Number.isInteger(run) || run >= currentRun) continue;
      const path = `${dir}/${name}`;
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) found.push({ path, run, mtimeMs: info.mtimeMs });
    }
  }
  return found;
}
