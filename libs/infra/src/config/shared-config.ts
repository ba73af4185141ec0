import { cleanEnv, num, port, str, url, type CleanedEnv, type Spec } from 'envalid';

/**
 * Environment parsing shared by the three apps. Each app declares its own spec (these
 * shared entries plus its own); the spec objects are also the single list of settings
 * that docs and deployment manifests are checked against.
 */
export const SHARED_ENV = {
  REDIS_URL: url({
    default: 'redis://127.0.0.1:6379',
    desc: 'Redis for the event store, read models and BullMQ',
  }),
  EZ_KEY_PREFIX: str({ default: 'ez', desc: 'Prefix of every Redis key ezlive writes' }),
  EZ_PARTITIONS: num({
    default: 16,
    desc: 'Global event stream partitions (fixed per deployment)',
  }),
  LOG_LEVEL: str({
    default: 'info',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    desc: 'pino log level',
  }),
};

export const httpPort = (defaultPort: number, desc: string) => port({ default: defaultPort, desc });

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Parses and validates; a bad value stops the app with a message naming the variable. */
export function parseEnv<S extends Record<string, Spec<unknown>>>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
): CleanedEnv<S> {
  return cleanEnv(env, spec, {
    reporter: ({ errors }) => {
      const lines = Object.entries(errors).map(
        ([key, err]) => `  ${key}: ${(err as Error).message}`,
      );
      if (lines.length > 0) throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
    },
  }) as CleanedEnv<S>;
}
