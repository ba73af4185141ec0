import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type Claim = { claimed: true } | { claimed: false; jobId: string; bodyHash: string };

/** Keys are remembered for a day, like most payment APIs. */
const TTL_SEC = 24 * 3600;
/**
 * A claim whose job was never created (the api crashed between the claim and the append)
 * lapses after this, so the client's retry with the same key can succeed.
 */
export const PENDING_TTL_SEC = 120;

/** Stable hash of a JSON body: key order does not matter, values do. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * `Idempotency-Key` records, scoped per API key. The job id is reserved atomically with
 * the key (SET NX), so concurrent duplicates agree on one job id before any work is done.
 * Only the id and body hash are stored: a replay re-renders the creation response from the
 * job's first event, so no secret sits in this record.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** The Redis key of a claim. */
  key(keyId: string, idempotencyKey: string): string {
    const k = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
    return `${this.prefix}:idem:${keyId}:${k}`;
  }

  async claim(keyId: string, idempotencyKey: string, hash: string, jobId: string): Promise<Claim> {
    const key = this.key(keyId, idempotencyKey);
    const value = JSON.stringify({ jobId, bodyHash: hash });
    if ((await this.redis.set(key, value, 'EX', PENDING_TTL_SEC, 'NX')) === 'OK')
      return { claimed: true };
    const stored = await this.redis.get(key);
    if (!stored) return this.claim(keyId, idempotencyKey, hash, jobId); // expired in between
    const parsed = JSON.parse(stored) as { jobId: string; bodyHash: string };
    return { claimed: false, jobId: parsed.jobId, bodyHash: parsed.bodyHash };
  }

  /** The job exists: remember the key for the full day. */
  async settle(keyId: string, idempotencyKey: string): Promise<void> {
    await this.redis.expire(this.key(keyId, idempotencyKey), TTL_SEC);
  }

  /** Forgets a claim whose creation failed, so a retry can succeed. */
  async release(keyId: string, idempotencyKey: string): Promise<void> {
    await this.redis.del(this.key(keyId, idempotencyKey));
  }
}
