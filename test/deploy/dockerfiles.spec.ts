import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  APP_ENV,
  APPS,
  buildOutput,
  httpPortOf,
  numDefault,
  readRepoFile,
  ROOT,
  type AppName,
} from './support/apps';
import { dockerIgnore } from './support/dockerignore';
import { parseDockerfile, resolvePath, type Stage } from './support/dockerfile-model';

const DOCKERFILE = 'docker/Dockerfile';
const stages = parseDockerfile(DOCKERFILE);
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`${DOCKERFILE}: no stage ${name}`);
  return s;
};
const { outDir, entries } = buildOutput();
const pkg = JSON.parse(readRepoFile('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** tsconfig.build.json's include globs as regular expressions. */
const buildIncludes = (
  JSON.parse(readRepoFile('tsconfig.build.json')) as { include: string[] }
).include.map(
  (g) =>
    new RegExp(
      `^${g
        .replace(/\*\*\//g, '(?:.*/)?')
        .replace(/\*(?!\))/g, '[^/]*')
        .replace(/\./g, '\\.')}(?:/|$)`,
    ),
);

const buildIncludeRoots = [
  ...new Set(
    (JSON.parse(readRepoFile('tsconfig.build.json')) as { include: string[] }).include.map(
      (g) => g.split('/')[0],
    ),
  ),
];

/**
 * `nest build` in `stage` makes `rel` (relative to the stage's WORKDIR) when the compiler
 * config and the source were copied in: `dist` itself, or `dist/<x>.js` for an included `<x>.ts`.
 */
function isBuildOutput(rel: string, s: Stage): boolean {
  const has = (p: string) => resolvePath(stages, s.name, posix.join(s.workdir, p), () => false);
  const configured = ['package.json', 'nest-cli.json', 'tsconfig.json', 'tsconfig.build.json']
    .concat('node_modules')
    // every directory the build program includes (apps, libs, …): the entry imports libs
    .concat(buildIncludeRoots)
    .every(has);
  if (!configured) return false;
  if (rel === outDir) return true;
  if (!rel.startsWith(`${outDir}/`) || !rel.endsWith('.js')) return false;
  const source = rel.slice(outDir.length + 1).replace(/\.js$/, '.ts');
  return buildIncludes.some((re) => re.test(source)) && has(source) !== null;
}

const exists = (stageName: string, path: string) =>
  resolvePath(stages, stageName, path, isBuildOutput);

describe('docker/Dockerfile', () => {
  it('has one target per app', () => {
    for (const app of APPS) expect(stage(app).name).toBe(app);
  });

  it('runs on a slim Node LTS image whose major matches package.json engines', () => {
    const major = /(\d+)/.exec(pkg.engines.node)![1];
    const images = stages
      .map((s) => s.from)
      .filter((f) => f !== 'scratch' && !stages.some((s) => s.name === f));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(new RegExp(`^node:${major}-[a-z]+-slim$`));
    // Every app target ends on that image, not on the build stage's full toolchain.
    for (const app of APPS) {
      let s: Stage | null = stage(app);
      while (s?.parent) s = s.parent;
      expect(s?.name).not.toBe('build');
      expect(images).toContain(s!.from);
    }
  });

  it('every COPY source from the context exists and is not excluded by .dockerignore', () => {
    const ignored = dockerIgnore();
    const sources = stages.flatMap((s) => s.contextSources);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect([src, statSync(join(ROOT, src), { throwIfNoEntry: false }) !== undefined]).toEqual([
        src,
        true,
      ]);
      expect([src, ignored(src)]).toEqual([src, false]);
    }
  });

  it('every COPY --from names an earlier stage and a path that stage has', () => {
    for (const s of stages)
      for (const [target, origin] of s.paths) {
        if (origin.kind !== 'stage') continue;
        const from = stages.findIndex((x) => x.name === origin.stage);
        expect([target, from >= 0 && from < stages.indexOf(s)]).toEqual([target, true]);
        expect([target, exists(origin.stage, origin.src)]).toEqual([target, expect.any(String)]);
      }
  });

  it.each(APPS)('%s: CMD runs the entry point nest build emits', (app: AppName) => {
    const s = stage(app);
    expect(entries[app]).toBe(`dist/apps/${app}/src/main.js`);
    expect(s.cmd).toEqual(['node', entries[app]]);
    const trace = exists(app, posix.join(s.workdir, entries[app]));
    expect(trace).toMatch(/← nest build$/);
    // the TypeScript source nest compiles it from
    expect(statSync(join(ROOT, `apps/${app}/src/main.ts`)).isFile()).toBe(true);
  });

  it('the build stage compiles with every dependency; runtime node_modules are production-only', () => {
    const build = stage('build');
    expect(build.runs.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
    expect(build.runs.some((r) => /\bnpm run build\b|\bnest build\b/.test(r))).toBe(true);
    expect(pkg.scripts.build).toMatch(/nest build/);
    for (const app of APPS) {
      const trace = exists(app, `${stage(app).workdir}/node_modules`) ?? '';
      const producer = /([\w-]+):\/app\/node_modules ← npm ci$/.exec(trace)?.[1];
      expect([app, producer]).toEqual([app, expect.any(String)]);
      expect(stage(producer!).runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    }
  });

  it('every package the apps import at run time is a production dependency', () => {
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(join(ROOT, dir))) {
        const rel = `${dir}/${name}`;
        if (/(^|\/)(testing|test)$/.test(rel)) continue;
        if (statSync(join(ROOT, rel)).isDirectory()) walk(rel);
        else if (/\.ts$/.test(name) && !/\.(spec|int-spec|e2e-spec|fixtures)\.ts$/.test(name)) {
          // type-only imports are erased by the compiler
          const text = readFileSync(join(ROOT, rel), 'utf8').replace(/import\s+type\s[^;]+;/g, '');
          for (const m of text.matchAll(
            /(?:from\s+|require(?:\.resolve)?\(|import\()\s*'([^'.][^']*)'/g,
          )) {
            if (m[1].startsWith('node:') || m[1].startsWith('@ezlive/')) continue;
            const parts = m[1].split('/');
            imported.add(m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
          }
        }
      }
    };
    for (const app of APPS) walk(`apps/${app}/src`);
    for (const lib of readdirSync(join(ROOT, 'libs'))) walk(`libs/${lib}/src`);
    expect(imported).toContain('hls.js'); // the UI's player, served from node_modules
    expect(imported).toContain('dashjs');
    const missing = [...imported].filter((p) => !(p in pkg.dependencies));
    expect(missing).toEqual([]);
  });

  it('the api image has the demo UI and the files its root lookups walk up to', () => {
    const wd = stage('api').workdir;
    for (const f of ['apps/api/public/index.html', 'package.json', 'nest-cli.json'])
      expect([f, exists('api', posix.join(wd, f))]).toEqual([f, expect.any(String)]);
  });

  it('the ezlive CLI launcher and the compiled CLI it loads are in the images', () => {
    const launcher = readRepoFile('scripts/ezlive.js');
    const compiled = /'(dist\/[^']+\.js)'/.exec(launcher)?.[1];
    expect(compiled).toMatch(/^dist\/.*\.js$/);
    // Everything the launcher requires from the repo (its own helpers) ships with it.
    const local = [...launcher.matchAll(/require\('\.\/([^']+)'\)/g)].map(
      (m) => `scripts/${m[1]}.js`,
    );
    expect(local).toContain('scripts/lib/prereqs.js');
    for (const app of APPS) {
      const wd = stage(app).workdir;
      for (const file of ['scripts/ezlive.js', ...local]) {
        expect([app, exists(app, posix.join(wd, file))]).toEqual([app, expect.any(String)]);
      }
      expect([app, exists(app, posix.join(wd, compiled!))]).toEqual([
        app,
        expect.stringMatching(/nest build$/),
      ]);
    }
  });

  it.each(APPS)('%s: runs as a non-root user', (app: AppName) => {
    const user = stage(app).user;
    expect(user).toBeTruthy();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it.each(APPS)('%s: HEALTHCHECK asks its own port variable for readiness', (app: AppName) => {
    const { name, port } = httpPortOf(app);
    const hc = stage(app).healthcheck;
    expect(hc?.cmd).toEqual(['node', 'docker/healthcheck.js', name, String(port), '/health/ready']);
    expect(exists(app, posix.join(stage(app).workdir, 'docker/healthcheck.js'))).toBeTruthy();
    expect(hc?.flags).toEqual(expect.objectContaining({ interval: expect.any(String) }));
    // the script reads the variable it is given, then asks that path
    const script = readRepoFile('docker/healthcheck.js');
    expect(script).toMatch(/process\.env\[portVariable\]/);
    expect(script).toMatch(/process\.exit\(res\.ok \? 0 : 1\)/);
  });

  it.each(APPS)('%s: STOPSIGNAL SIGTERM (the apps drain on SIGTERM)', (app: AppName) => {
    expect(stage(app).stopsignal).toBe('SIGTERM');
  });

  it('exposes the ports of the app config', () => {
    expect(stage('api').exposed).toEqual([`${httpPortOf('api').port}/tcp`]);
    expect(stage('scheduler').exposed).toEqual([`${httpPortOf('scheduler').port}/tcp`]);
    expect(stage('worker').exposed.sort()).toEqual(
      [
        `${httpPortOf('worker').port}/tcp`,
        `${numDefault('worker', 'RTMP_PORT')}/tcp`,
        `${numDefault('worker', 'SRT_PORT_MIN')}-${numDefault('worker', 'SRT_PORT_MAX')}/udp`,
      ].sort(),
    );
  });

  it("the worker adds Debian's ffmpeg (ffmpeg + ffprobe) and an init that reaps orphans", () => {
    const worker = stage('worker');
    const apt = worker.runs.find((r) => /apt-get install/.test(r)) ?? '';
    expect(apt).toMatch(/--no-install-recommends/);
    expect(apt).toMatch(/\bffmpeg\b/);
    expect(apt).toMatch(/\btini\b/);
    expect(apt).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(worker.entrypoint).toEqual(['/usr/bin/tini', '--']);
    // FFMPEG_PATH/FFPROBE_PATH defaults are bare names, found on PATH where Debian puts them
    expect(APP_ENV.worker.FFMPEG_PATH.default).toBe('ffmpeg');
    expect(APP_ENV.worker.FFPROBE_PATH.default).toBe('ffprobe');
    for (const app of ['api', 'scheduler'] as const)
      expect(stage(app).runs.some((r) => /ffmpeg/.test(r))).toBe(false);
  });

  it('is built from the local source, never a clone or a download', () => {
    for (const s of stages)
      for (const run of s.runs) expect(run).not.toMatch(/git clone|curl |wget |github\.com/);
    for (const s of stages) for (const i of s.instructions) expect(i.getKeyword()).not.toBe('ADD');
  });
});

describe('.dockerignore', () => {
  const ignored = dockerIgnore();
  it.each([
    'node_modules',
    'apps/api/node_modules',
    'dist',
    '.media',
    '.ezlive',
    'coverage',
    'test-output',
    '.git',
    '.env',
    'bench/results/scheduler.json',
    'apps/api/src/api.config.spec.ts',
  ])('keeps %s out of the build context', (path) => {
    expect(ignored(path)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'apps/api/src/main.ts',
    'apps/api/public/index.html',
    'docker/healthcheck.js',
  ])('keeps %s in', (path) => {
    expect(ignored(path)).toBe(false);
  });
});
