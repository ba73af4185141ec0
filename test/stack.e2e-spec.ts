import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publish, type Publisher } from './support/publisher';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(240_000);

interface JobView {
  id: string;
  state: string;
  ingest: { status: string; rtmp: string | null };
  playback: { hls: string | null; dash: string | null };
}

/** ffmpeg processes writing into this stack's media directory (none may outlive it). */
function ffmpegsOf(mediaDir: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mediaDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('the whole stack through npm start (real Redis, SQS server, FFmpeg)', () => {
  let stack: Stack;
  const publishers: Publisher[] = [];

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    publishers.forEach((p) => p.stop());
    if (stack) {
      expect(await stack.stop()).toBe(0);
      expect(ffmpegsOf(stack.mediaDir)).toEqual([]);
    }
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.apiKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const job = async (id: string) => (await api('GET', `/v1/jobs/${id}`)).body as JobView;

  async function until<T>(
    what: string,
    fn: () => Promise<T | null | undefined | false>,
    timeoutMs = 30_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\n${stack.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The master playlist and every rendition playlist parse and decode with ffprobe. */
  async function expectPlayable(master: string, renditions: string[]): Promise<void> {
    await until('every rendition playlist with 2 segments', async () => {
      for (const r of renditions) {
        const res = await fetch(new URL(`${r}/index.m3u8`, master));
        if (!res.ok || (await res.text()).split('\n').filter((l) => l.endsWith('.m4s')).length < 2)
          return false;
      }
      return true;
    });
    const probe = (url: string) =>
      JSON.parse(
        execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', url], {
          timeout: 20_000,
        }).toString(),
      ) as {
        streams: Array<{ codec_type: string; width?: number; height?: number }>;
      };
    const all = probe(master).streams;
    expect(
      all
        .filter((s) => s.codec_type === 'video')
        .map((s) => `${s.width}x${s.height}`)
        .sort(),
    ).toEqual(['256x144', '426x240']);
    expect(all.some((s) => s.codec_type === 'audio')).toBe(true);
    for (const r of renditions)
      expect(probe(new URL(`${r}/index.m3u8`, master).toString()).streams.length).toBeGreaterThan(
        0,
      );
  }

  it('create → publish → play → stop → resume → publish → play at the same URL → delete', async () => {
    const created = await api('POST', '/v1/jobs', {
      name: 'e2e channel',
      input: { protocol: 'rtmp', reconnectWindowSec: 5 },
      output: { segmentDurationSec: 1, windowSec: 20 },
      video: [
        {
          name: '240p',
          codec: 'h264',
          width: 426,
          height: 240,
          bitrateKbps: 400,
          preset: 'ultrafast',
        },
        {
          name: '144p',
          codec: 'h264',
          width: 256,
          height: 144,
          bitrateKbps: 150,
          preset: 'ultrafast',
        },
      ],
      audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 64 }],
    });
    expect(created.status).toBe(201);
    const id = (created.body as JobView).id;
    const hls = (created.body as JobView).playback.hls!;
    expect(hls).toContain(`/media/${id}/master.m3u8`);

    const running = await until('running with an RTMP URL', async () => {
      const j = await job(id);
      return j.state === 'running' && j.ingest.rtmp?.startsWith('rtmp://') ? j : null;
    });
    const rtmp = running.ingest.rtmp!.replace('localhost', '127.0.0.1');
    let publisher = publish(rtmp, { seconds: 60 });
    publishers.push(publisher);
    await until('streaming', async () => (await job(id)).state === 'streaming');
    await expectPlayable(hls, ['240p', '144p', 'aac']);

    expect((await api('POST', `/v1/jobs/${id}/stop`)).status).toBe(202);
    await until('stopped', async () => (await job(id)).state === 'stopped');
    await until('no FFmpeg left for the job', async () => ffmpegsOf(stack.mediaDir).length === 0);
    publisher.stop();

    expect((await api('POST', `/v1/jobs/${id}/resume`)).status).toBe(202);
    const resumed = await until('running again', async () => {
      const j = await job(id);
      return j.state === 'running' && j.ingest.rtmp ? j : null;
    });
    expect(resumed.playback.hls).toBe(hls); // the playback URL survives stop/resume
    // …and so does the stream key: the encoder's settings stay valid (same job id, same key).
    expect(resumed.ingest.rtmp!.split('/').pop()).toBe(rtmp.split('/').pop());
    publisher = publish(resumed.ingest.rtmp!.replace('localhost', '127.0.0.1'), { seconds: 60 });
    publishers.push(publisher);
    await until('streaming again', async () => (await job(id)).state === 'streaming');
    const before = readFileSync(join(stack.mediaDir, id, '240p', 'index.m3u8'), 'utf8');
    await until(
      'the resumed run writes new segments',
      async () => readFileSync(join(stack.mediaDir, id, '240p', 'index.m3u8'), 'utf8') !== before,
    );
    await expectPlayable(hls, ['240p', '144p', 'aac']);

    expect((await api('DELETE', `/v1/jobs/${id}`)).status).toBe(409); // still running
    expect((await api('POST', `/v1/jobs/${id}/stop`)).status).toBe(202);
    await until('stopped', async () => (await job(id)).state === 'stopped');
    publisher.stop();
    expect((await api('DELETE', `/v1/jobs/${id}`)).status).toBe(204);
    expect((await api('GET', `/v1/jobs/${id}`)).status).toBe(404);
    expect(existsSync(join(stack.mediaDir, id))).toBe(false);
    expect((await fetch(hls)).status).toBe(404);
  });
});
