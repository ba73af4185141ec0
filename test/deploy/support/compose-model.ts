import { parse } from 'yaml';
import { readRepoFile } from './apps';

export const COMPOSE_FILE = 'docker/compose.yaml';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  stop_signal?: string;
  stop_grace_period?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The compose file with YAML merge keys (`<<`) applied, as Compose does. */
export const loadCompose = (path = COMPOSE_FILE): ComposeFile =>
  parse(readRepoFile(path), { merge: true }) as ComposeFile;

export class MissingVariableError extends Error {}

/**
 * Compose interpolation: `$$` → `$`, `${X}`, `${X:-default}`, `${X-default}`,
 * `${X:?error}` / `${X?error}` (a missing required variable is an error).
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g,
    (whole: string, name?: string, op?: string, arg?: string) => {
      if (whole === '$$') return '$';
      const v = env[name!];
      const unset = op?.startsWith(':') ? !v : v === undefined;
      if (!unset) return v!;
      if (op?.endsWith('?')) throw new MissingVariableError(`${name}: ${arg}`);
      return op ? (arg ?? '') : '';
    },
  );
}

/** A service's environment, interpolated, every value a string (what the process sees). */
export function serviceEnv(
  service: ComposeService,
  env: Record<string, string | undefined>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [
      k,
      interpolate(v === null ? '' : String(v), env),
    ]),
  );
}

/** `"1935:1935/tcp"`, `"10000-10049:10000-10049/udp"` → host and container port lists. */
export function parsePort(spec: string): { host: number[]; container: number[]; proto: string } {
  const m = /^(?:([\d.]+):)??(?:(\d+)(?:-(\d+))?:)?(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/.exec(spec);
  if (!m) throw new Error(`unparsable port ${spec}`);
  const range = (a?: string, b?: string) => {
    if (!a) return [];
    const lo = Number(a);
    const hi = Number(b ?? a);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  };
  return { host: range(m[2], m[3]), container: range(m[4], m[5]), proto: m[6] ?? 'tcp' };
}
