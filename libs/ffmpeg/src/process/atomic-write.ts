import { rename, writeFile } from 'node:fs/promises';

/**
 * Writes `path` through a temp file and a rename, so a reader (a player, the publisher) sees
 * the old file or the new one, never half of it. The `.tmp` name is one the publisher skips.
 */
export async function writeAtomically(
  path: string,
  text: string,
  tmpSuffix = '.tmp',
): Promise<void> {
  const tmp = `${path}${tmpSuffix}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
