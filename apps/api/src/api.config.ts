import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { bool, num, str } from 'envalid';
import { ConfigError, httpPort, parseEnv, SHARED_ENV, SQS_ENV, sqsOptions } from '@ezlive/infra';
import { generateDevKey, parseApiKeys, type ApiKey } from './auth/api-keys';

/** The repository (or image) root, found from this file whether run from source or dist/. */
function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** Every setting of the api app (README: Configuration). */
export const API_ENV = {
  ...SHARED_ENV,
  API_PORT: httpPort(8080, 'HTTP port of the api app'),
  API_HOST: str({ default: '0.0.0.0', desc: 'Interface the api app listens on' }),
  NODE_ENV: str({
    default: 'development',
    desc: "'production' makes API_KEYS mandatory (no generated development key)",
  }),
  API_KEYS: str({
    default: '',
    desc: "Comma-separated API keys, each 'key' or 'key:admin' (admin may call /v1/admin). Keys must be 16+ characters. Unset outside production: one admin key is generated and logged once",
  }),
  ...SQS_ENV,
  INTAKE_RESEND_AFTER_MS: num({
    default: 10_000,
    desc: 'A created or resumed job whose SQS send is not confirmed after this long is re-sent by the reconciler',
  }),
  INTAKE_SWEEP_INTERVAL_MS: num({
    default: 5_000,
    desc: 'How often the intake reconciler looks for unsent jobs (0 disables it)',
  }),
  MEDIA_DIR: str({
    default: '.media',
    desc: 'Directory of local-destination output, served at /media/ (relative to the repository root)',
  }),
  PLAYBACK_BASE_URL: str({
    default: '',
    desc: 'Base of playback URLs (<base>/<jobId>/master.m3u8); empty means http://localhost:<API_PORT>/media',
  }),
  SERVE_MEDIA: bool({ default: true, desc: 'Serve MEDIA_DIR at /media/ from the api app' }),
  CORS_ORIGINS: str({
    default: '',
    desc: "Comma-separated allowed CORS origins, '*' for any; empty disables CORS",
  }),
  RATE_LIMIT_PER_MIN: num({
    default: 600,
    desc: 'Requests per minute per API key and api instance (0 disables the limit)',
  }),
  BODY_LIMIT_BYTES: num({ default: 64 * 1024, desc: 'Largest accepted request body' }),
};

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(API_ENV, env);
  const production = e.NODE_ENV === 'production';
  if (production && !e.API_KEYS.trim()) {
    throw new ConfigError('invalid configuration:\n  API_KEYS: required when NODE_ENV=production');
  }
  let apiKeys: ApiKey[];
  try {
    apiKeys = parseApiKeys(e.API_KEYS);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  API_KEYS: ${(err as Error).message}`);
  }
  const generatedKey = apiKeys.length === 0 ? generateDevKey() : null;
  if (generatedKey) apiKeys = [generatedKey];
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0)
      throw new ConfigError(`invalid configuration:\n  ${name}: must be a non-negative integer`);
    return v;
  };
  if (e.BODY_LIMIT_BYTES < 1024)
    throw new ConfigError('invalid configuration:\n  BODY_LIMIT_BYTES: must be at least 1024');
  if (e.SQS_ENDPOINT && !/^https?:\/\/[^\s]+$/.test(e.SQS_ENDPOINT))
    throw new ConfigError('invalid configuration:\n  SQS_ENDPOINT: must be an http(s) URL');
  if (e.PLAYBACK_BASE_URL && !/^https?:\/\/[^\s]+$/.test(e.PLAYBACK_BASE_URL))
    throw new ConfigError('invalid configuration:\n  PLAYBACK_BASE_URL: must be an http(s) URL');
  return {
    port: e.API_PORT,
    host: e.API_HOST,
    production,
    redisUrl: e.REDIS_URL,
    keyPrefix: e.EZ_KEY_PREFIX,
    partitions: e.EZ_PARTITIONS,
    logLevel: e.LOG_LEVEL,
    apiKeys,
    /** Set when no key was configured: logged once at boot so a developer can call the API. */
    generatedKey: generatedKey?.key ?? null,
    sqs: sqsOptions(e),
    intake: {
      resendAfterMs: positive('INTAKE_RESEND_AFTER_MS', e.INTAKE_RESEND_AFTER_MS),
      sweepIntervalMs: positive('INTAKE_SWEEP_INTERVAL_MS', e.INTAKE_SWEEP_INTERVAL_MS),
    },
    mediaDir: isAbsolute(e.MEDIA_DIR) ? e.MEDIA_DIR : join(repoRoot(), e.MEDIA_DIR),
    serveMedia: e.SERVE_MEDIA,
    playbackBaseUrl: (e.PLAYBACK_BASE_URL || `http://localhost:${e.API_PORT}/media`).replace(
      /\/+$/,
      '',
    ),
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimitPerMin: positive('RATE_LIMIT_PER_MIN', e.RATE_LIMIT_PER_MIN),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
  };
}
