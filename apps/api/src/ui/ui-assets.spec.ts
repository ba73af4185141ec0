import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateJobSpec } from '@ezlive/domain';
import { ASSET_NAME, CONTENT_SECURITY_POLICY, findPublicDir, vendorFiles } from './ui-assets';

const root = join(__dirname, '../../../..');

describe('ui assets', () => {
  it('finds apps/api/public from the source tree and from dist/', () => {
    const expected = join(root, 'apps/api/public');
    expect(findPublicDir(__dirname)).toBe(expected);
    expect(findPublicDir(join(root, 'dist/apps/api/src/ui'))).toBe(expected);
  });

  it('resolves both players from node_modules', () => {
    for (const path of Object.values(vendorFiles())) expect(existsSync(path)).toBe(true);
  });

  it.each(['../package.json', '..', '.env', 'a/b.js', 'index.html', 'x.map', 'App.js'])(
    'refuses the asset name %s',
    (name) => expect(ASSET_NAME.test(name)).toBe(false),
  );

  it('allows no inline script or style', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
  });

  it('offers only templates the API accepts without errors', () => {
    // templates.js is a browser ES module: load it the way a browser would, in a real ESM loader.
    const url = pathToFileURL(join(root, 'apps/api/public/templates.js')).href;
    const json = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const { TEMPLATES } = await import(${JSON.stringify(url)}); console.log(JSON.stringify(TEMPLATES));`,
    ]).toString();
    const templates = JSON.parse(json) as Array<{ id: string; spec: unknown }>;
    expect(templates.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'hls-test',
        'dash-test',
        'hls-1080p',
        'h265',
        'av1',
        'audio-only',
        'srt',
      ]),
    );
    for (const t of templates) {
      const result = validateJobSpec(t.spec);
      expect({ id: t.id, errors: result.ok ? [] : result.errors }).toEqual({
        id: t.id,
        errors: [],
      });
    }
  });
});
