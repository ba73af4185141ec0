import { readFile } from 'node:fs/promises';
import { nextMediaSequence } from '../command/playlist-sequence';
import type { TranscodeIo, TranscodeOutputs } from '../command/transcode-io';

export type RestartIo = Required<Pick<TranscodeIo, 'runNumber' | 'startNumber' | 'discontinuity'>>;

/**
 * The io fields for the next run after `previousRun` stopped or crashed: a new run number (new
 * file names), the highest next media sequence over all media playlists left on disk (so no
 * rendition's sequence goes backwards), and a discontinuity if anything was written before.
 */
export async function restartIo(
  outputs: TranscodeOutputs,
  previousRun: number,
): Promise<RestartIo> {
  const texts = await Promise.all(
    outputs.renditions.map((r) =>
      r.playlist ? readFile(r.playlist, 'utf8').catch(() => undefined) : undefined,
    ),
  );
  const startNumber = Math.max(0, ...texts.map((t) => nextMediaSequence(t)));
  return { runNumber: previousRun + 1, startNumber, discontinuity: startNumber > 0 };
}
