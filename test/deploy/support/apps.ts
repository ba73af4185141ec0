import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ENV } from '../../../apps/api/src/api.config';
import { SCHEDULER_ENV } from '../../../apps/scheduler/src/scheduler.config';
import { WORKER_ENV } from '../../../apps/worker/src/worker.config';

export const ROOT = join(__dirname, '..', '..', '..');
export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

export type AppName = 'api' | 'scheduler' | 'worker';
type Spec = { default?: unknown; desc?: string };

/** The apps' typed env specs: the single list of settings every manifest is checked against. */
export const APP_ENV: Record<AppName, Record<string, Spec>> = {
  api: API_ENV as Record<string, Spec>,
  scheduler: SCHEDULER_ENV as Record<string, Spec>,
  worker: WORKER_ENV as Record<string, Spec>,
};
export const APPS = Object.keys(APP_ENV) as AppName[];

/** Every variable any app reads. */
export const ALL_VARS = [...new Set(APPS.flatMap((app) => Object.keys(APP_ENV[app])))];

/**
 * Variables that hold credentials: they may appear in Secrets only, never in a ConfigMap,
 * an image or an inline compose value. Checked against the specs so a renamed variable fails.
 */
export const SECRET_VARS = ['API_KEYS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/** The app's HTTP port variable (`API_PORT`, …) and its default, from the spec. */
export function httpPortOf(app: AppName): { name: string; port: number } {
  const name = `${app.toUpperCase()}_PORT`;
  const spec = APP_ENV[app][name];
  if (!spec || typeof spec.default !== 'number')
    throw new Error(`${app}: no ${name} in its env spec`);
  return { name, port: spec.default };
}

/** Default of a numeric setting (ports), straight from the spec. */
export function numDefault(app: AppName, name: string): number {
  const def = APP_ENV[app][name]?.default;
  if (typeof def !== 'number') throw new Error(`${app}: ${name} has no numeric default`);
  return def;
}

/**
 * Where `nest build` writes each app's entry point: nest-cli.json's `entryFile` under the
 * build tsconfig's outDir (rootDir is the repository root, so paths are kept), plus `.js`.
 */
export function buildOutput(): { outDir: string; entries: Record<AppName, string> } {
  const nest = JSON.parse(readRepoFile('nest-cli.json')) as {
    compilerOptions: { tsConfigPath: string };
    projects: Record<string, { entryFile: string; compilerOptions?: { tsConfigPath?: string } }>;
  };
  const outDirOf = (tsconfigPath: string): string => {
    const ts = JSON.parse(readRepoFile(tsconfigPath)) as {
      extends?: string;
      compilerOptions?: { outDir?: string; rootDir?: string };
    };
    const base = ts.extends
      ? (JSON.parse(readRepoFile(ts.extends)) as { compilerOptions?: { rootDir?: string } })
      : {};
    const rootDir = ts.compilerOptions?.rootDir ?? base.compilerOptions?.rootDir;
    if (rootDir !== '.') throw new Error(`${tsconfigPath}: rootDir must be the repo root`);
    const outDir = ts.compilerOptions?.outDir;
    if (!outDir) throw new Error(`${tsconfigPath}: no outDir`);
    return outDir.replace(/^\.\//, '').replace(/\/$/, '');
  };
  const outDir = outDirOf(nest.compilerOptions.tsConfigPath);
  const entries = {} as Record<AppName, string>;
  for (const app of APPS) {
    const project = nest.projects[app];
    const tsconfig = project.compilerOptions?.tsConfigPath ?? nest.compilerOptions.tsConfigPath;
    if (outDirOf(tsconfig) !== outDir) throw new Error(`${app}: a different outDir`);
    entries[app] = `${outDir}/${project.entryFile}.js`;
  }
  return { outDir, entries };
}
