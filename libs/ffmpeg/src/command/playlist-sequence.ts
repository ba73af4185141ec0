/**
 * The media sequence number the next run should start at, read from the media playlist the
 * previous run left: `EXT-X-MEDIA-SEQUENCE` plus the number of segments listed. Returns 0 for
 * an empty or missing playlist. Pure, so the worker reads the file and passes the text.
 */
export function nextMediaSequence(playlist: string | undefined): number {
  if (!playlist) return 0;
  const lines = playlist.split(/\r?\n/);
  const header = lines.find((l) => l.startsWith('#EXT-X-MEDIA-SEQUENCE:'));
  const first = header ? Number.parseInt(header.slice('#EXT-X-MEDIA-SEQUENCE:'.length), 10) : 0;
  const segments = lines.filter((l) => l.startsWith('#EXTINF:')).length;
  return (Number.isFinite(first) ? first : 0) + segments;
}

/**
 * The media playlist with `#EXT-X-ENDLIST` (the stream is over), for a job that stopped: runs
 * write `omit_endlist` so that a crash never ends the stream. Unchanged if already ended.
 */
export function withEndList(playlist: string): string {
  if (/^#EXT-X-ENDLIST\s*$/m.test(playlist)) return playlist;
  return `${playlist.replace(/\s*$/, '')}\n#EXT-X-ENDLIST\n`;
}
