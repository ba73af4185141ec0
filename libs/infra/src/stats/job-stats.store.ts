import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys';

/**
 * One sample of a running job, reported by its worker every ~2 s. High-rate and
 * disposable, so it lives beside the event streams, never in them.
 */
export interface JobStats {
  /** ISO-8601 time the worker took the sample. */
  at: string;
  /** Assignment attempt that produced the sample (stale attempts are ignored by readers). */
  attempt: number;
  /** Bitrate of the publisher's feed, kbps; `null` while nothing is published. */
  ingestBitrateKbps: number | null;
  /**
   * Bytes of the feed received during this assignment; `null` for SRT, where FFmpeg's own
   * listener reads the feed and counts nothing it reports.
   */
  ingestBytes: number | null;
  /** Frames per second FFmpeg is producing. */
  outputFps: number | null;
  /** FFmpeg `speed` (1.0 = real time). */
  speed: number | null;
  droppedFrames: number;
  dupFrames: number;
  /** CPU of the FFmpeg process, percent of one core. */
  ffmpegCpuPercent: number | null;
  /** Resident memory of the FFmpeg process. */
  rssBytes: number | null;
  /** Seconds since the transcoder of this attempt started. */
  uptimeSec: number;
  /** Seconds of this attempt with a publisher connected. */
  activeSec: number;
  restarts: number;
  lastError: string | null;
}

export interface JobStatsStoreOptions {
  /** Samples kept in the series (150 × 2 s = 5 min). @defaultValue 150 */
  seriesLength?: number;
  /** Both keys expire this long after the last write. @defaultValue 3600 */
  ttlSec?: number;
}

const NUMBER_FIELDS = [
  'attempt',
  'ingestBitrateKbps',
  'ingestBytes',
  'outputFps',
  'speed',
  'droppedFrames',
  'dupFrames',
  'ffmpegCpuPercent',
  'rssBytes',
  'uptimeSec',
  'activeSec',
  'restarts',
] as const satisfies readonly (keyof JobStats)[];

/** Latest sample in a hash (cheap for `GET /v1/jobs/:id`) plus a capped recent series. */
export class JobStatsStore {
  private readonly seriesLength: number;
  private readonly ttlSec: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: JobStatsStoreOptions = {},
  ) {
    this.seriesLength = options.seriesLength ?? 150;
    this.ttlSec = options.ttlSec ?? 3600;
  }

  private latestKey(jobId: string): string {
    return `${this.keys.prefix}:stats:job:${jobId}`;
  }

  private seriesKey(jobId: string): string {
    return `${this.keys.prefix}:stats:series:${jobId}`;
  }

  async write(jobId: string, stats: JobStats): Promise<void> {
    const hash: Record<string, string> = { at: stats.at, lastError: stats.lastError ?? '' };
    // Hash fields are strings; '' stands for null so a reader can tell "unknown" from 0.
    for (const f of NUMBER_FIELDS) hash[f] = stats[f] === null ? '' : String(stats[f]);
    await this.redis
      .multi()
      .hset(this.latestKey(jobId), hash)
      .expire(this.latestKey(jobId), this.ttlSec)
      .lpush(this.seriesKey(jobId), JSON.stringify(stats))
      .ltrim(this.seriesKey(jobId), 0, this.seriesLength - 1)
      .expire(this.seriesKey(jobId), this.ttlSec)
      .exec();
  }

  async latest(jobId: string): Promise<JobStats | null> {
    const h = await this.redis.hgetall(this.latestKey(jobId));
    if (!h.at) return null;
    const num = (v: string | undefined): number | null =>
      v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v);
    return {
      at: h.at,
      attempt: num(h.attempt) ?? 0,
      ingestBitrateKbps: num(h.ingestBitrateKbps),
      ingestBytes: num(h.ingestBytes),
      outputFps: num(h.outputFps),
      speed: num(h.speed),
      droppedFrames: num(h.droppedFrames) ?? 0,
      dupFrames: num(h.dupFrames) ?? 0,
      ffmpegCpuPercent: num(h.ffmpegCpuPercent),
      rssBytes: num(h.rssBytes),
      uptimeSec: num(h.uptimeSec) ?? 0,
      activeSec: num(h.activeSec) ?? 0,
      restarts: num(h.restarts) ?? 0,
      lastError: h.lastError ? h.lastError : null,
    };
  }

  /** Recent samples, oldest first. */
  async series(jobId: string, limit = this.seriesLength): Promise<JobStats[]> {
    const raw = await this.redis.lrange(this.seriesKey(jobId), 0, Math.max(0, limit - 1));
    return raw.reverse().flatMap((s) => {
      try {
        return [JSON.parse(s) as JobStats];
      } catch {
        return [];
      }
    });
  }

  async delete(jobId: string): Promise<void> {
    await this.redis.unlink(this.latestKey(jobId), this.seriesKey(jobId));
  }
}
