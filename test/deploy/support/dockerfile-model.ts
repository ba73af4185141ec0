import { existsSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { readRepoFile, ROOT } from './apps';

/** What put a path into a stage's file system. */
export type Origin =
  | { kind: 'context'; src: string } // COPY from the build context
  | { kind: 'stage'; stage: string; src: string } // COPY --from=<stage>
  | { kind: 'npm-ci' } // node_modules made by `npm ci`
  | { kind: 'nest-build' }; // dist/ made by `nest build` / `npm run build`

export interface Stage {
  name: string;
  from: string; // image or parent stage name, ARGs expanded
  parent: Stage | null;
  instructions: Instruction[];
  /** Absolute paths in the image → where they came from (later entries win). */
  paths: Array<[string, Origin]>;
  /** Build-context sources of COPY without --from, as written. */
  contextSources: string[];
  workdir: string;
  user: string | null;
  env: Record<string, string>;
  exposed: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  healthcheck: { flags: Record<string, string>; cmd: string[] } | null;
  stopsignal: string | null;
  runs: string[];
}

const jsonArgs = (i: Instruction): string[] | null => {
  const raw = i.getArgumentsContent();
  if (!raw) return null;
  const text = raw.replace(/^CMD\s+/i, '').trim();
  return text.startsWith('[') ? (JSON.parse(text) as string[]) : null;
};

export function parseDockerfile(path: string): Stage[] {
  const df = DockerfileParser.parse(readRepoFile(path));
  const args: Record<string, string> = {};
  for (const a of df.getInitialARGs()) {
    const p = a.getProperty();
    if (p?.getName()) args[p.getName()] = p.getValue() ?? '';
  }
  const expand = (s: string) => s.replace(/\$\{?(\w+)\}?/g, (_, n: string) => args[n] ?? '');
  const stages: Stage[] = [];
  let stage: Stage | null = null;
  for (const i of df.getInstructions()) {
    const kw = i.getKeyword();
    const values = i.getArguments().map((a) => a.getValue());
    if (kw === 'FROM') {
      const from = expand(values[0]);
      const parent = stages.find((s) => s.name === from) ?? null;
      stage = {
        name: values[1]?.toUpperCase() === 'AS' ? values[2] : String(stages.length),
        from,
        parent,
        instructions: [],
        paths: parent ? [...parent.paths] : [],
        contextSources: [],
        workdir: parent?.workdir ?? '/',
        user: parent?.user ?? null,
        env: { ...(parent?.env ?? {}) },
        exposed: [...(parent?.exposed ?? [])],
        cmd: parent?.cmd ?? null,
        entrypoint: parent?.entrypoint ?? null,
        healthcheck: parent?.healthcheck ?? null,
        stopsignal: parent?.stopsignal ?? null,
        runs: [],
      };
      stages.push(stage);
      continue;
    }
    if (!stage) continue;
    stage.instructions.push(i);
    const abs = (p: string) => posix.resolve(stage!.workdir, p);
    switch (kw) {
      case 'WORKDIR':
        stage.workdir = abs(values[0]);
        break;
      case 'USER':
        stage.user = values[0];
        break;
      case 'ENV':
        for (const p of (
          i as unknown as {
            getProperties(): Array<{ getName(): string; getValue(): string | null }>;
          }
        ).getProperties())
          stage.env[p.getName()] = p.getValue() ?? '';
        break;
      case 'EXPOSE':
        stage.exposed.push(...values);
        break;
      case 'STOPSIGNAL':
        stage.stopsignal = values[0];
        break;
      case 'CMD':
        stage.cmd = jsonArgs(i);
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = jsonArgs(i);
        break;
      case 'HEALTHCHECK': {
        const flags = Object.fromEntries(
          (i as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> })
            .getFlags()
            .map((f) => [f.getName(), f.getValue() ?? '']),
        );
        const cmd = jsonArgs(i);
        stage.healthcheck = cmd ? { flags, cmd } : null;
        break;
      }
      case 'RUN': {
        const run = i.getArgumentsContent() ?? '';
        stage.runs.push(run);
        if (/\bnpm ci\b/.test(run)) stage.paths.push([abs('node_modules'), { kind: 'npm-ci' }]);
        if (/\bnest build\b|\bnpm run build\b/.test(run))
          stage.paths.push([abs('dist'), { kind: 'nest-build' }]);
        break;
      }
      case 'COPY':
      case 'ADD': {
        const flags = (
          i as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> }
        ).getFlags();
        const fromStage = flags.find((f) => f.getName() === 'from')?.getValue() ?? null;
        const srcs = values.slice(0, -1);
        const dest = values[values.length - 1];
        const destIsDir = dest.endsWith('/') || srcs.length > 1;
        for (const src of srcs) {
          const target = destIsDir ? abs(posix.join(dest, posix.basename(src))) : abs(dest);
          if (fromStage) stage.paths.push([target, { kind: 'stage', stage: fromStage, src }]);
          else {
            stage.contextSources.push(src);
            stage.paths.push([target, { kind: 'context', src }]);
          }
        }
        break;
      }
    }
  }
  return stages;
}

/**
 * Why `path` exists in `stage` (an Origin chain), or null. A path under a copied directory
 * exists if it exists at the source; under `dist/` only if `isBuildOutput` says nest build
 * makes it; under `node_modules/` whenever `npm ci` ran.
 */
export function resolvePath(
  stages: Stage[],
  stageName: string,
  path: string,
  isBuildOutput: (relativeToWorkdir: string, stage: Stage) => boolean,
): string | null {
  const stage = stages.find((s) => s.name === stageName);
  if (!stage) return null;
  // A directory that only holds copied entries (COPY --from=app /app …) exists too.
  if (stage.paths.some(([root]) => root.startsWith(`${path === '/' ? '' : path}/`)))
    return `${stage.name}:${path} (directory)`;
  for (const [root, origin] of [...stage.paths].reverse()) {
    if (path !== root && !path.startsWith(`${root}/`)) continue;
    const rest = path.slice(root.length);
    switch (origin.kind) {
      case 'context': {
        const local = join(ROOT, origin.src + rest);
        if (existsSync(local)) return `${stage.name}:${root} ← context ${origin.src}${rest}`;
        break;
      }
      case 'stage': {
        const found = resolvePath(
          stages,
          origin.stage,
          posix.join(origin.src) + rest,
          isBuildOutput,
        );
        if (found) return `${stage.name}:${root} ← ${found}`;
        break;
      }
      case 'npm-ci':
        return `${stage.name}:${root} ← npm ci`;
      case 'nest-build': {
        const rel = posix.relative(stage.workdir, path);
        if (isBuildOutput(rel, stage)) return `${stage.name}:${path} ← nest build`;
        break;
      }
    }
  }
  return null;
}

export const isDirectory = (path: string): boolean => statSync(join(ROOT, path)).isDirectory();
