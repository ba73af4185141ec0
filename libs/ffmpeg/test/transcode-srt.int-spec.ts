import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildTranscode, FfmpegProcess } from '@ezlive/ffmpeg';
import { FIXTURES } from './fixtures/job-specs';
import { hlsSegments } from './media-assertions';
import { probeSegment } from './media-checks';
import { makeSource, removeDir, tempDir } from './transcode-harness';

const run = promisify(execFile);
const PASSPHRASE = 'correct-horse-battery';

let work: string;
let source: string;
beforeAll(async () => {
  work = await tempDir('srt');
  source = await makeSource(work, '320x180');
});
afterAll(() => removeDir(work));

/** A publisher pushing MPEG-TS at real time, as OBS or a hardware encoder would. */
function publish(port: number, passphrase: string, seconds: number) {
  const url = `srt://127.0.0.1:${port}?passphrase=${passphrase}&pbkeylen=16`;
  return run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-i',
    source,
    '-t',
    String(seconds),
    '-c',
    'copy',
    '-f',
    'mpegts',
    url,
  ]);
}

describe('SRT listener input with a passphrase', () => {
  const port = 30000 + Math.floor(Math.random() * 10000);
  const plan = () =>
    buildTranscode(FIXTURES.videoOnly, {
      input: { kind: 'srt', url: `srt://127.0.0.1:${port}`, passphrase: PASSPHRASE },
      outputDir: join(work, 'out'),
    });

  it('accepts the right passphrase, refuses a wrong one, and transcodes the feed', async () => {
    const { args, outputs } = plan();
    for (const d of outputs.directories) await mkdir(d, { recursive: true });
    const ffmpeg = new FfmpegProcess({ args, killTimeoutMs: 2000 });
    await ffmpeg.start();
    await new Promise((r) => setTimeout(r, 500)); // listening

    const wrong = publish(port, 'wrong-passphrase-x', 2);
    await expect(wrong).rejects.toMatchObject({
      stderr: expect.stringMatching(/Input\/output error/),
    });
    expect(ffmpeg.running).toBe(true);
    expect(ffmpeg.stderrTail().join('\n')).toMatch(/passphrase|BADSECRET/i);

    await publish(port, PASSPHRASE, 7);
    const exit = await ffmpeg.exited;
    // The publisher hanging up ends the input: FFmpeg 5.1 logs an I/O error and exits 0.
    expect(exit.kind).toBe('clean');
    const segments = await hlsSegments(outputs.renditions[0].playlist as string);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const first = await probeSegment(segments[0].file, segments[0].init, work);
    expect([first.codec, first.width, first.height, first.firstPacketKey]).toEqual([
      'h264',
      640,
      360,
      true,
    ]);
  }, 60_000);
});
