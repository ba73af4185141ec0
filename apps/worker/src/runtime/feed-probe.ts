import { spawn } from 'node:child_process';
import { parseProbe, type InputInfo } from '@ezlive/ffmpeg';
import type { FlvFeed } from '../ingest/flv-feed';

/**
 * Probes a live FLV feed by attaching ffprobe as a second reader: codecs, size and frame rate
 * of what the publisher sends, for the `IngestStarted` event and the GOP length. Gives up
 * after `timeoutMs` (the transcode starts either way).
 */
export function probeFeed(
  feed: FlvFeed,
  ffprobePath = 'ffprobe',
  timeoutMs = 4000,
): Promise<InputInfo | null> {
  const child = spawn(
    ffprobePath,
    [
      '-v',
      'error',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-print_format',
      'json',
      '-show_streams',
      '-show_format',
      '-i',
      'pipe:0',
    ],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  feed.attach(child.stdin, { probe: true });
  return new Promise((resolve) => {
    child.once('error', () => resolve(null));
    child.once('close', (code) => {
      clearTimeout(timer);
      feed.detach(child.stdin);
      try {
        resolve(code === 0 ? parseProbe(out) : null);
      } catch {
        resolve(null);
      }
    });
  });
}
