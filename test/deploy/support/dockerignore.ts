import { readRepoFile } from './apps';

/** A .dockerignore pattern as a regular expression over context-relative paths. */
function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (pattern.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Docker's rule: the last pattern that matches the path or one of its parent directories
 * decides; `!` re-includes.
 */
export function dockerIgnore(path = '.dockerignore'): (file: string) => boolean {
  const rules = readRepoFile(path)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const p = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      return { negate, re: toRegExp(p) };
    });
  return (file: string) => {
    const parts = file.replace(/^\.\/|\/$/g, '').split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const { negate, re } of rules) if (candidates.some((c) => re.test(c))) excluded = !negate;
    return excluded;
  };
}
