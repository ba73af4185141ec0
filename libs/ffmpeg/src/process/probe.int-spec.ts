import { makeSource, removeDir, tempDir } from '../../test/transcode-harness';
import { probe } from './probe';

let work: string;
beforeAll(async () => {
  work = await tempDir('probe');
});
afterAll(() => removeDir(work));

describe('probe with real ffprobe', () => {
  it('returns typed info for an RTMP-like FLV', async () => {
    const info = await probe(await makeSource(work, '320x180'));
    expect(info.video).toMatchObject({ codec: 'h264', width: 320, height: 180, fps: 30 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRateHz: 48000, channels: 2 });
    expect(info.durationSec).toBeCloseTo(10, 0);
  }, 30_000);

  it('a silent live URL times out with a typed error and ffprobe is killed', async () => {
    const port = 40000 + Math.floor(Math.random() * 20000);
    await expect(
      probe(`tcp://127.0.0.1:${port}?listen=1`, { timeoutMs: 500 }),
    ).rejects.toMatchObject({
      code: 'PROBE_TIMEOUT',
    });
  });

  it('a missing file fails with PROBE_FAILED and the ffprobe error line', async () => {
    await expect(probe(`${work}/missing.flv`)).rejects.toMatchObject({
      code: 'PROBE_FAILED',
      stderrTail: [expect.stringContaining('No such file')],
    });
  });
});
