/**
 * Prints the README's configuration table from the apps' env specs (the single source of
 * truth): `npx ts-node -r tsconfig-paths/register --transpile-only scripts/config-table.ts`.
 * `test/docs/readme-config.spec.ts` fails when the README and the specs disagree.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ENV } from '../apps/api/src/api.config';
import { SCHEDULER_ENV } from '../apps/scheduler/src/scheduler.config';
import { WORKER_ENV } from '../apps/worker/src/worker.config';

type Spec = { default?: unknown; desc?: string; choices?: readonly unknown[] };
const apps: Array<[string, Record<string, Spec>]> = [
  ['api', API_ENV as Record<string, Spec>],
  ['scheduler', SCHEDULER_ENV as Record<string, Spec>],
  ['worker', WORKER_ENV as Record<string, Spec>],
];

const rows = new Map<string, { apps: string[]; spec: Spec }>();
for (const [app, env] of apps) {
  for (const [name, spec] of Object.entries(env)) {
    const row = rows.get(name) ?? { apps: [], spec };
    row.apps.push(app);
    rows.set(name, row);
  }
}

const lines: string[] = [];
const fmt = (v: unknown) =>
  v === undefined ? '(required)' : v === '' ? '(empty)' : `\`${String(v)}\``;
lines.push('| variable | apps | default | meaning |', '| --- | --- | --- | --- |');
for (const [name, { apps: used, spec }] of rows) {
  const where = used.length === apps.length ? 'all' : used.join(', ');
  const choices = spec.choices
    ? ` (one of ${spec.choices.map((c) => `\`${String(c)}\``).join(', ')})`
    : '';
  lines.push(
    `| \`${name}\` | ${where} | ${fmt(spec.default)} | ${(spec.desc ?? '').replace(/\|/g, '\\|')}${choices} |`,
  );
}

// With --write, replace the table between the README's markers; otherwise print it.
if (process.argv.includes('--write')) {
  const path = join(__dirname, '..', 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf('<!-- config:start -->');
  const end = readme.indexOf('<!-- config:end -->');
  if (start < 0 || end < start)
    throw new Error('README.md lacks the <!-- config:start/end --> markers');
  writeFileSync(
    path,
    `${readme.slice(0, start)}<!-- config:start -->\n\n${lines.join('\n')}\n\n${readme.slice(end)}`,
  );
  execFileSync('npx', ['prettier', '--write', path], { stdio: 'ignore' }); // align the table
} else {
  console.log(lines.join('\n'));
}
