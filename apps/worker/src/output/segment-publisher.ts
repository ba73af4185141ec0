import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { PRESENTATION_STATE } from '@ezlive/ffmpeg';
import { CoalescedTask } from '../runtime/coalesced-task';
import type { OriginSink } from './origin-sink';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
  '.json': 'application/json',
};
/** Uploaded after the media of a pass, never cached. */
const MANIFEST = new Set(['.m3u8', '.mpd', '.json']);

export interface PublisherTiming {
  /** A pass at least this often, events or not. @defaultValue 1000 */
  intervalMs?: number;
  /** Every file stat-ed at least this often (a dropped file-system event). @defaultValue 10000 */
  fullScanMs?: number;
  /**
   * Files that left the window are deleted at most this often, in one request: the renditions
   * close their segments one pass apart, and nothing waits for a delete. @defaultValue 2000
   */
  deleteEveryMs?: number;
}

export interface PublishStats {
  uploads: number;
  deletes: number;
  failures: number;
  /** Milliseconds from a file's last write to its object being stored, most recent first. */
  lagMs: number[];
}

/**
 * Mirrors a job's local output directory to its origin while FFmpeg writes it. Each pass
 * uploads media (segments, init files) before manifests, and no manifest in a pass where a
 * media upload failed, so a manifest never references an object that is not there yet. It
 * deletes objects whose files left the live window (FFmpeg's `delete_segments`), gathered into
 * one request every `deleteEveryMs` where the origin allows it. Passes run on file-system events
 * and on a short timer as a safety net; they never overlap.
 *
 * A pass lists the directories but stats only what may have changed: names it has not
 * published and names a file-system event touched. Every `fullScanMs` it stats everything, in
 * case the kernel dropped an event (an overflowing inotify queue).
 */
export class SegmentPublisher {
  private readonly watchers: FSWatcher[] = [];
  private readonly published = new Map<string, number>(); // path → mtimeMs uploaded
  /** Paths a file-system event touched since the last pass began. */
  private touched = new Set<string>();
  private lastFullScan = 0;
  private lastDelete = 0;
  private readonly timing: Required<PublisherTiming>;
  private timer?: NodeJS.Timeout;
  private readonly passes = new CoalescedTask(() => this.pass());
  private closed = false;
  readonly stats: PublishStats = { uploads: 0, deletes: 0, failures: 0, lagMs: [] };

  constructor(
    private readonly dir: string,
    private readonly sink: OriginSink,
    private readonly onError: (err: Error) => void,
    timing: PublisherTiming = {},
  ) {
    this.timing = { intervalMs: 1000, fullScanMs: 10_000, deleteEveryMs: 2000, ...timing };
  }

  /** Starts watching `dirs` (the job's output directories, which must exist). */
  start(dirs: string[]): void {
    for (const d of dirs) {
      // FFmpeg writes every file as `<name>.tmp` and renames it into place: only the rename
      // makes something to publish, while the writes to the temp file would start a pass
      // for every 32 KiB a segment grows.
      const w = watch(d, (_event, name) => {
        if (name && String(name).endsWith('.tmp')) return;
        if (name) this.touched.add(relative(this.dir, join(d, String(name))));
        this.passes.request();
      });
      w.on('error', () => undefined); // a removed directory: the timer pass still runs
      this.watchers.push(w);
    }
    this.timer = setInterval(() => this.passes.request(), this.timing.intervalMs);
    this.passes.request();
  }

  /** Stops watching after one last pass, so the final segments and manifests are published. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const w of this.watchers) w.close();
    await this.passes.idle();
    await this.pass(true);
    this.sink.close();
  }

  private async pass(last = false): Promise<void> {
    const touched = this.touched;
    this.touched = new Set();
    // The last pass stats everything: an event still in flight when the watchers closed (the
    // runner's final playlist with EXT-X-ENDLIST) must not be missed.
    const full = last || Date.now() - this.lastFullScan >= this.timing.fullScanMs;
    if (full) this.lastFullScan = Date.now();
    // The mtime a pass may assume without a stat: what it published, unless an event says the
    // file changed since.
    const files = await listFiles(
      this.dir,
      full ? () => undefined : (path) => (touched.has(path) ? undefined : this.published.get(path)),
    );
    const media: Array<[string, number]> = [];
    const manifests: Array<[string, number]> = [];
    for (const [path, mtime] of files) {
      const ext = extname(path);
      if (!(ext in CONTENT_TYPES) || this.published.get(path) === mtime) continue;
      (MANIFEST.has(ext) ? manifests : media).push([path, mtime]);
    }
    let mediaFailed = false;
    for (const [path, mtime] of media)
      mediaFailed = !(await this.upload(path, mtime)) || mediaFailed;
    // A manifest waits for the next pass while any media failed: it may reference that media.
    if (!mediaFailed) for (const [path, mtime] of manifests) await this.upload(path, mtime);
    if (!last && Date.now() - this.lastDelete < this.timing.deleteEveryMs) return;
    const gone = [...this.published.keys()].filter((path) => !files.has(path));
    if (gone.length === 0) return;
    this.lastDelete = Date.now();
    try {
      await this.sink.deleteMany(gone);
      for (const path of gone) this.published.delete(path);
      this.stats.deletes += gone.length;
    } catch (err) {
      this.stats.failures++; // still published: the next pass deletes them again
      this.onError(err as Error);
    }
  }

  /** False when the origin did not take it (retried on the next pass). */
  private async upload(path: string, mtime: number): Promise<boolean> {
    try {
      const body = await readFile(join(this.dir, path));
      const ext = extname(path);
      await this.sink.put(
        path,
        body,
        CONTENT_TYPES[ext],
        MANIFEST.has(ext) ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
      this.published.set(path, mtime);
      this.stats.uploads++;
      if (!MANIFEST.has(ext))
        this.stats.lagMs = [Date.now() - mtime, ...this.stats.lagMs].slice(0, 500);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true; // left the window
      this.stats.failures++;
      this.onError(err as Error);
      return false;
    }
  }
}

/**
 * Relative path → mtime of every file under `dir`, except temp files and hidden ones (FFmpeg's
 * per-run MPDs, which only feed the stitched manifest). The DASH presentation state is the
 * exception: a worker that takes the job over reads it from the origin to continue the clock.
 * `knownMtime` answers for files that need no stat.
 */
async function listFiles(
  dir: string,
  knownMtime: (path: string) => number | undefined,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (
        !e.name.endsWith('.tmp') &&
        (!e.name.startsWith('.') || e.name === PRESENTATION_STATE)
      ) {
        const path = relative(dir, p);
        try {
          out.set(path, knownMtime(path) ?? (await stat(p)).mtimeMs);
        } catch {
          // removed between readdir and stat
        }
      }
    }
  };
  await walk(dir);
  return out;
}
