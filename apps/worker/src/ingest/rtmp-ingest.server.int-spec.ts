import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publish } from '../../../../test/support/publisher';
import { RtmpIngestServer, type Publication } from './rtmp-ingest.server';

jest.setTimeout(30_000);

/** Reads an FLV feed through ffprobe: proves the bytes are a decodable stream. */
function probeFeed(pub: Publication): Promise<{
  streams: Array<{
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    sample_rate?: string;
    channels?: number;
    extradata_size?: number;
  }>;
}> {
  const probe = spawn('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', '-i', 'pipe:0'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let out = '';
  probe.stdout.on('data', (d: Buffer) => (out += d.toString()));
  pub.feed.attach(probe.stdin);
  return new Promise((resolve, reject) => {
    probe.once('close', () => {
      pub.feed.detach(probe.stdin);
      try {
        resolve(JSON.parse(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}

describe('RtmpIngestServer (real FFmpeg publishers)', () => {
  let server: RtmpIngestServer;
  let port: number;
  const refused: string[] = [];

  beforeEach(async () => {
    server = new RtmpIngestServer((key) => (key === 'good-key-123' ? 'JOB1' : null));
    server.on('refused', (r) => refused.push(r.reason));
    port = await server.listen(0, '127.0.0.1');
  });
  afterEach(async () => {
    await server.close();
    refused.length = 0;
  });

  it('refuses an unknown stream key before accepting any media', async () => {
    let published = 0;
    server.on('published', () => published++);
    const pub = publish(`rtmp://127.0.0.1:${port}/live/wrong-key`, { seconds: 5 });
    const { code } = await pub.done;
    expect(code).not.toBe(0);
    expect(published).toBe(0);
    expect(refused).toEqual(['unknown stream key']);
  });

  it('refuses another application name', async () => {
    const pub = publish(`rtmp://127.0.0.1:${port}/other/good-key-123`, { seconds: 5 });
    expect((await pub.done).code).not.toBe(0);
    expect(refused).toEqual(["unknown application 'other'"]);
  });

  it('accepts the right key, routes it to its job and yields a decodable FLV feed', async () => {
    const pub = publish(`rtmp://127.0.0.1:${port}/live/good-key-123`, { seconds: 4 });
    const [publication] = (await once(server, 'published')) as [Publication];
    expect(publication.jobId).toBe('JOB1');
    const probed = await probeFeed(publication);
    expect(probed.streams.map((s) => [s.codec_type, s.codec_name])).toEqual(
      expect.arrayContaining([
        ['video', 'h264'],
        ['audio', 'aac'],
      ]),
    );
    expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({
      width: 426,
      height: 240,
    });
    const [, reason] = await once(server, 'unpublished');
    expect(reason).toBe('publisher disconnected');
    expect(publication.feed.bytesIn).toBeGreaterThan(10_000);
    await pub.done;
  });

  it('gives a reader that attaches later (a restarted FFmpeg) the configuration the publisher sent first', async () => {
    const pub = publish(`rtmp://127.0.0.1:${port}/live/good-key-123`, { seconds: 6 });
    const [publication] = (await once(server, 'published')) as [Publication];
    // Long after the sequence headers: the parser has reused their buffers for many frames.
    await new Promise((r) => setTimeout(r, 2_000));
    const probed = await probeFeed(publication);
    expect(probed.streams.find((s) => s.codec_type === 'audio')).toMatchObject({
      codec_name: 'aac',
      sample_rate: '48000',
      channels: 1,
      extradata_size: 5, // the encoder's AudioSpecificConfig, intact
    });
    expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({
      width: 426,
      height: 240,
    });
    pub.stop();
    await pub.done;
  });

  it('merged reads keep up with an 80 Mbit/s publisher', async () => {
    // Resting 50 ms after every read would cap the ingest at one 64 KiB read per rest, about
    // 10 Mbit/s: this publisher would need a minute for its 8 s. A read that fills the buffer
    // is followed by the next one at once.
    const dir = mkdtempSync(join(tmpdir(), 'ezlive-cbr-'));
    try {
      const file = join(dir, 'cbr80.flv');
      execFileSync('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
        ...['-i', 'testsrc2=size=426x240:rate=25', '-t', '8'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p'],
        // Constant 80 Mbit/s: x264 pads every frame with filler data.
        ...['-b:v', '80M', '-minrate', '80M', '-maxrate', '80M', '-bufsize', '4M'],
        ...['-x264-params', 'nal-hrd=cbr', '-f', 'flv', file],
      ]);
      const publisher = spawn(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'flv'].concat(
          `rtmp://127.0.0.1:${port}/live/good-key-123`,
        ),
        { stdio: 'ignore' },
      );
      const [publication] = (await once(server, 'published')) as [Publication];
      // Both listened for now: the server may see the socket close before the process exits.
      const unpublished = once(server, 'unpublished');
      const exited = once(publisher, 'exit');
      const late = setTimeout(() => publisher.kill('SIGKILL'), 20_000);
      const [code, signal] = (await exited) as [number | null, string | null];
      clearTimeout(late);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      await unpublished;
      expect(publication.feed.bytesIn).toBeGreaterThan(0.9 * statSync(file).size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second publisher on a job that has one, and kicks on demand', async () => {
    const first = publish(`rtmp://127.0.0.1:${port}/live/good-key-123`, { seconds: 20 });
    await once(server, 'published');
    const second = publish(`rtmp://127.0.0.1:${port}/live/good-key-123`, { seconds: 5 });
    expect((await second.done).code).not.toBe(0);
    expect(refused).toEqual(['the job already has a publisher']);
    server.kick('JOB1', 'job stopped');
    const [, reason] = await once(server, 'unpublished');
    expect(reason).toBe('job stopped');
    expect((await first.done).code).not.toBe(0);
  });
});
