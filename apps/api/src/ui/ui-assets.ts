import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The demo UI's static files live in the source tree, not in `dist/`. */
const PUBLIC_DIR = join('apps', 'api', 'public');

/**
 * Finds `apps/api/public` by walking up from this file, so the same code works from
 * `apps/api/src/ui` (ts-node, jest) and from `dist/apps/api/src/ui` (the built app).
 */
export function findPublicDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, PUBLIC_DIR);
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html')))
      return candidate;
    if (dirname(dir) === dir)
      throw new Error(`ezlive ui: no ${PUBLIC_DIR}/index.html above ${from}`);
  }
}

/** Players bundled from npm (no CDN), resolved through their packages' own entry points. */
export function vendorFiles(): Record<string, string> {
  return {
    'hls.min.js': require.resolve('hls.js/dist/hls.min.js'),
    // dashjs exports only its root: the `require` condition is the UMD build.
    'dash.all.min.js': require.resolve('dashjs'),
  };
}

/** File names the UI may serve from the public directory: flat, no dots or slashes. */
export const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg)$/;

export const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  html: 'text/html; charset=utf-8',
};

/**
 * Only our own scripts and styles; media through MSE (`blob:`); hls.js runs its transmuxer
 * in a blob worker. Players fetch manifests and segments from wherever the job's destination
 * serves them (our /media, an S3 bucket, an HTTP origin), so `connect-src` allows http(s).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self' http: https:",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
