import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { JobSpec } from '@ezlive/domain';
import { av1CodecString } from '../command/codec-strings';
import { listSize } from '../command/hls-muxer-args.builder';
import { allRenditions, runOfMpdName } from '../command/output-layout';
import type { TranscodeOutputs } from '../command/transcode-io';
import {
  stitchPresentation,
  type HlsOptions,
  type PresentationState,
  type StitchRun,
} from '../manifest/presentation';
import { parseRunMpd } from '../manifest/run-mpd';
import { writeAtomically } from './atomic-write';

/** Kept next to the manifests; hidden, so neither served nor uploaded. */
export const PRESENTATION_STATE = '.presentation.json';

export interface PresentationUpdate {
  /** @defaultValue Date.now() */
  nowMs?: number;
  /** The job ended: write a static MPD and end the HLS playlists. @defaultValue false */
  ended?: boolean;
}

/**
 * Keeps a dash-muxer job's public manifests: reads every run's MPD in the output directory
 * (FFmpeg writes `.dash_r<run>.mpd`), stitches them (see `stitchPresentation`) and writes
 * `manifest.mpd` and, for HLS + DASH, the HLS master and media playlists, each atomically
 * (temp file + rename). Call {@link update} whenever a run's MPD may have changed; calls must
 * not overlap. The state that keeps Period starts and sequence numbers stable lives in
 * {@link PRESENTATION_STATE}, written before the manifests that depend on it.
 */
export class DashPresentation {
  private state?: PresentationState;
  private loaded = false;
  private lastWritten = '';
  private readonly codecs = new Map<string, string>(); // init file → AV1 codec string

  constructor(
    private readonly spec: JobSpec,
    private readonly outputs: TranscodeOutputs,
  ) {
    if (!outputs.mpd || !outputs.runMpd) throw new Error('DashPresentation needs a dash layout');
  }

  /** Rewrites the public manifests from the runs' MPDs; false when there was nothing new. */
  async update(u: PresentationUpdate = {}): Promise<boolean> {
    const dir = this.outputs.dir;
    if (!this.loaded) {
      this.state = await readState(join(dir, PRESENTATION_STATE));
      this.loaded = true;
    }
    const runs = await readRuns(dir);
    const result = stitchPresentation(this.state, runs, {
      nowMs: u.nowMs ?? Date.now(),
      windowSec: this.spec.output.windowSec,
      ended: u.ended ?? false,
      hls: this.hlsOptions(),
      codecs: await this.av1Codecs(runs),
    });
    if (!result) return false;
    const comparable = [
      result.mpd.replace(/ publishTime="[^"]*"/, ''),
      ...(result.hls ? [...result.hls.values()] : []),
    ].join('\n');
    if (comparable === this.lastWritten) return false;
    const stateText = JSON.stringify(result.state);
    if (stateText !== JSON.stringify(this.state))
      await writeAtomically(join(dir, PRESENTATION_STATE), stateText);
    this.state = result.state;
    // Media playlists before the master that lists them, the MPD last.
    for (const [name, text] of result.hls ?? []) {
      if (name !== 'master') await writeAtomically(join(dir, name), text);
    }
    const master = result.hls?.get('master');
    if (master && this.outputs.master) await writeAtomically(this.outputs.master, master);
    await writeAtomically(this.outputs.mpd as string, result.mpd);
    this.lastWritten = comparable;
    return true;
  }

  private hlsOptions(): HlsOptions | undefined {
    const master = this.outputs.master;
    if (!master) return undefined;
    const root = join(master, '..');
    const playlists: Record<string, string> = {};
    const names: Record<string, string> = {};
    // Representation ids are output stream indices: video first, then audio.
    allRenditions(this.spec).forEach((r, id) => {
      const out = this.outputs.renditions.find((o) => o.name === r.name);
      if (out?.playlist) playlists[String(id)] = relative(root, out.playlist);
      names[String(id)] = r.name;
    });
    return { playlists, names, listSize: listSize(this.spec) };
  }

  /** FFmpeg 5.1's dash muxer writes AV1 level 0 into `codecs`; the init segment has the truth. */
  private async av1Codecs(runs: StitchRun[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const latest = runs.at(-1)?.mpd;
    for (const r of latest?.representations ?? []) {
      if (!r.codecs.startsWith('av01')) continue;
      let codec = this.codecs.get(r.init);
      if (!codec) {
        const init = await readFile(join(this.outputs.dir, r.init)).catch(() => undefined);
        codec = init ? av1CodecString(init) : undefined;
        if (codec) this.codecs.set(r.init, codec);
      }
      if (codec) out[r.id] = codec;
    }
    return out;
  }
}

async function readState(path: string): Promise<PresentationState | undefined> {
  let state: Partial<PresentationState>;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as Partial<PresentationState>;
  } catch {
    return undefined; // none yet (a fresh output directory)
  }
  // Written by us, possibly by another worker and fetched from the origin: take nothing else.
  const valid =
    Number.isFinite(state.anchorMs) &&
    Array.isArray(state.runs) &&
    state.runs.every(
      (r) =>
        Number.isInteger(r.run) &&
        Number.isInteger(r.ordinal) &&
        Number.isFinite(r.startSec) &&
        Number.isFinite(r.endSec) &&
        typeof r.base === 'object' &&
        typeof r.next === 'object',
    );
  return valid ? (state as PresentationState) : undefined;
}

/** Every run MPD in `dir`, oldest run first; one that does not parse is skipped this time. */
async function readRuns(dir: string): Promise<StitchRun[]> {
  const runs: StitchRun[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const run = runOfMpdName(basename(name));
    if (run === undefined) continue;
    try {
      runs.push({ run, mpd: parseRunMpd(await readFile(join(dir, name), 'utf8')) });
    } catch {
      // removed by the housekeeping, or not an MPD: nothing to stitch from it
    }
  }
  return runs.sort((a, b) => a.run - b.run);
}
