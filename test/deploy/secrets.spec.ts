import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SECRET_VARS } from './support/apps';
import { dockerIgnore } from './support/dockerignore';
import { parseDockerfile } from './support/dockerfile-model';

/** Names that hold credentials, whatever the app: ours plus the usual suspects. */
const isCredential = (name: string) =>
  SECRET_VARS.includes(name) || /PASSWORD|SECRET|TOKEN|ACCESS_KEY|API_KEYS?$/.test(name);

describe('no secret in an image', () => {
  const stages = parseDockerfile('docker/Dockerfile');

  it('no ENV or ARG in the Dockerfile sets a credential', () => {
    for (const s of stages)
      for (const k of Object.keys(s.env)) expect([k, isCredential(k)]).toEqual([k, false]);
    for (const s of stages)
      for (const i of s.instructions.filter((x) => x.getKeyword() === 'ARG')) {
        const name = (i.getArgumentsContent() ?? '').split('=')[0];
        expect([name, isCredential(name)]).toEqual([name, false]);
      }
    // the checker itself
    expect(isCredential('AWS_SECRET_ACCESS_KEY')).toBe(true);
    expect(isCredential('API_KEYS')).toBe(true);
  });

  it('.env files (docker/.env holds the compose credentials) never reach the build context', () => {
    const ignored = dockerIgnore();
    for (const p of ['.env', 'docker/.env', 'docker/.env.local', 'apps/api/.env'])
      expect([p, ignored(p)]).toEqual([p, true]);
  });

  it('no directory the Dockerfile copies holds a .env file', () => {
    const envFiles = (dir: string): string[] =>
      readdirSync(join(ROOT, dir)).flatMap((name) => {
        const rel = `${dir}/${name}`;
        if (name === 'node_modules') return [];
        if (statSync(join(ROOT, rel)).isDirectory()) return envFiles(rel);
        return /^\.env/.test(name) ? [rel] : [];
      });
    for (const src of stages.flatMap((s) => s.contextSources))
      if (statSync(join(ROOT, src)).isDirectory()) expect([src, envFiles(src)]).toEqual([src, []]);
  });
});
