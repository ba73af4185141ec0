import { mkdirSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Explicit types: the mime database disagrees across versions on .m4s and .ts. */
const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.m4s': 'video/iso.segment',
  '.ts': 'video/mp2t',
  '.mp4': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.vtt': 'text/vtt',
};

/**
 * The local destination's origin: `<MEDIA_DIR>/<jobId>/…` at `/media/<jobId>/…`.
 * Playlists change every segment, so they must not be cached; segments are immutable.
 */
export function serveMedia(app: NestFastifyApplication, mediaDir: string): void {
  mkdirSync(mediaDir, { recursive: true });
  app.useStaticAssets({
    root: mediaDir,
    prefix: '/media/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    cacheControl: false,
    // @fastify/static 10 passes the Fastify reply here (Nest's type still says `setHeader`).
    setHeaders: (res: unknown, path: string) => {
      const reply = res as { header(name: string, value: string): unknown };
      const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
      const type = CONTENT_TYPES[ext];
      if (type) reply.header('content-type', type);
      const playlist = ext === '.m3u8' || ext === '.mpd';
      reply.header('cache-control', playlist ? 'no-cache' : 'public, max-age=86400, immutable');
      reply.header('access-control-allow-origin', '*');
    },
  });
}
