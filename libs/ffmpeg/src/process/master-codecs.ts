import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { JobSpec } from '@ezlive/domain';
import { audioCodecString, av1CodecString, withCodecs } from '../command/codec-strings';
import type { TranscodeOutputs } from '../command/transcode-io';
import { writeAtomically } from './atomic-write';

/**
 * Complete the master playlist's `CODECS` for AV1 variants from their init segments. Call it
 * once the master exists (FFmpeg writes it once per run, with the first segments). Returns
 * whether the master was rewritten (atomically: temp file + rename).
 */
export async function completeMasterCodecs(
  spec: JobSpec,
  outputs: TranscodeOutputs,
): Promise<boolean> {
  if (!outputs.master || !spec.video.some((v) => v.codec === 'av1')) return false;
  const root = dirname(outputs.master);
  // Variants refer to the audio group, so their CODECS lists the group's codec too.
  const audio = spec.audio[0] ? `,${audioCodecString(spec.audio[0].codec)}` : '';
  const codecs: Record<string, string> = {};
  for (const r of outputs.renditions) {
    if (r.kind !== 'video' || spec.video[r.streamIndex].codec !== 'av1') continue;
    if (!r.playlist || !r.initFile) continue;
    const av1 = av1CodecString(await readFile(r.initFile));
    if (av1) codecs[relative(root, r.playlist)] = `${av1}${audio}`;
  }
  const before = await readFile(outputs.master, 'utf8');
  const after = withCodecs(before, codecs);
  if (after === before) return false;
  await writeAtomically(outputs.master, after, '.codecs.tmp');
  return true;
}
