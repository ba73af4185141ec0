import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type ApiScope = 'user' | 'admin';

export interface ApiKey {
  key: string;
  scope: ApiScope;
}

/** Who called: a stable, non-secret id of the key (for rate limits, idempotency and logs). */
export interface Caller {
  keyId: string;
  scope: ApiScope;
}

const MIN_KEY_LENGTH = 16;

/** `"k1,k2:admin"` → keys; throws with a message naming the bad entry. */
export function parseApiKeys(raw: string): ApiKey[] {
  const keys = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i): ApiKey => {
      const [key, scope, ...rest] = entry.split(':');
      if (rest.length > 0 || (scope !== undefined && scope !== 'admin'))
        throw new Error(`entry ${i + 1}: expected 'key' or 'key:admin'`);
      if (key.length < MIN_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key))
        throw new Error(`entry ${i + 1}: keys need ${MIN_KEY_LENGTH}+ printable characters`);
      return { key, scope: scope === 'admin' ? 'admin' : 'user' };
    });
  if (new Set(keys.map((k) => k.key)).size !== keys.length) throw new Error('duplicate key');
  return keys;
}

export const generateDevKey = (): ApiKey => ({
  key: `dev-${randomBytes(18).toString('base64url')}`,
  scope: 'admin',
});

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Constant-time lookup: every configured key is compared (fixed-length digests, so
 * neither the length nor the position of a match leaks through timing).
 */
export class ApiKeyRing {
  private readonly entries: Array<{ digest: Buffer; caller: Caller }>;

  constructor(keys: readonly ApiKey[]) {
    this.entries = keys.map((k) => ({
      digest: digest(k.key),
      caller: { keyId: digest(k.key).toString('hex').slice(0, 12), scope: k.scope },
    }));
  }

  /** The caller for an `Authorization` header value, or `null`. */
  authenticate(authorization: string | undefined): Caller | null {
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization ?? '');
    if (!m) return null;
    const presented = digest(m[1]);
    let found: Caller | null = null;
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, presented)) found = e.caller;
    }
    return found;
  }
}
