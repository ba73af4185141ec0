import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis/redis-keys';

export interface JobSecrets {
  /** RTMP stream key: the path segment a publisher must present. */
  streamKey: string;
  /** SRT passphrase (10–79 chars per the SRT spec). */
  srtPassphrase: string;
}

/** Short, non-reversible tag of a secret for events and logs (never the secret itself). */
export const fingerprint = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex').slice(0, 12);

/** 128-bit random stream key / passphrase, URL-safe. */
export function mintJobSecrets(): JobSecrets {
  return {
    streamKey: randomBytes(16).toString('base64url'),
    srtPassphrase: randomBytes(18).toString('base64url'),
  };
}

/**
 * Secrets live outside the event streams so deleting a job can erase them (events are
 * immutable). An index from the key's hash to the job lets ingest route by stream key.
 */
export class JobSecretsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private byKey(streamKey: string): string {
    return `${this.keys.prefix}:streamkey:${createHash('sha256').update(streamKey).digest('hex')}`;
  }

  async put(jobId: string, secrets: JobSecrets): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.secrets(jobId), {
        streamKey: secrets.streamKey,
        srtPassphrase: secrets.srtPassphrase,
      })
      .set(this.byKey(secrets.streamKey), jobId)
      .exec();
  }

  async get(jobId: string): Promise<JobSecrets | null> {
    const s = await this.redis.hgetall(this.keys.secrets(jobId));
    return s.streamKey && s.srtPassphrase
      ? { streamKey: s.streamKey, srtPassphrase: s.srtPassphrase }
      : null;
  }

  /** The job a stream key belongs to, compared in constant time; `null` if unknown. */
  async jobForStreamKey(streamKey: string): Promise<string | null> {
    const jobId = await this.redis.get(this.byKey(streamKey));
    if (!jobId) return null;
    const stored = await this.get(jobId);
    if (!stored) return null;
    const a = Buffer.from(stored.streamKey);
    const b = Buffer.from(streamKey);
    return a.length === b.length && timingSafeEqual(a, b) ? jobId : null;
  }

  async delete(jobId: string): Promise<void> {
    const s = await this.get(jobId);
    const tx = this.redis.multi().del(this.keys.secrets(jobId));
    if (s) tx.del(this.byKey(s.streamKey));
    await tx.exec();
  }
}
