import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ENV } from '../../apps/api/src/api.config';
import { SCHEDULER_ENV } from '../../apps/scheduler/src/scheduler.config';
import { WORKER_ENV } from '../../apps/worker/src/worker.config';

/** The README's configuration table, parsed: variable → default column. */
function readmeTable(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\|\s*`([A-Z0-9_]+)`\s*\|[^|]+\|\s*([^|]+?)\s*\|/.exec(line);
    if (m) rows.set(m[1], m[2].trim());
  }
  return rows;
}

describe('README configuration table', () => {
  const table = readmeTable();
  const specs = { ...API_ENV, ...SCHEDULER_ENV, ...WORKER_ENV } as Record<
    string,
    { default?: unknown; desc?: string }
  >;

  it.each(Object.keys(specs))('documents %s with its default', (name) => {
    expect(table.has(name)).toBe(true);
    const def = specs[name].default;
    if (def !== undefined && def !== '') expect(table.get(name)).toContain(`\`${String(def)}\``);
  });

  it('lists no variable the apps do not read', () => {
    expect([...table.keys()].filter((k) => !(k in specs))).toEqual([]);
  });

  it('every setting has a description', () => {
    for (const [name, spec] of Object.entries(specs))
      expect([name, typeof spec.desc]).toEqual([name, 'string']);
  });
});
