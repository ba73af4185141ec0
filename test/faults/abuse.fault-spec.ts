import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { publish } from '../support/publisher';
import { FaultCluster, sleep } from './support/cluster';
import { LIGHT_SPEC, mediaPlaylist } from './support/media';

jest.setTimeout(150_000);

const SRT_SPEC = { ...LIGHT_SPEC, name: 'srt channel', input: { protocol: 'srt' } };

/** Specs and bodies an attacker or a broken client sends; each must be refused with a 4xx. */
const renamed = (name: string) => ({
  ...LIGHT_SPEC,
  video: [{ ...LIGHT_SPEC.video[0], name }],
});
/** 10,000 levels in ~60 KB: under the body limit, so the parser and validator meet it. */
const DEEP = `${'{"name":'.repeat(10_000)}{}${'}'.repeat(10_000)}`;
const ROWS: Array<[string, unknown, Record<string, string>?]> = [
  ['path traversal in a rendition name', renamed('../../etc')],
  ['an absolute path as a name', renamed('/tmp/x')],
  ['shell metacharacters', renamed('a;rm -rf /')],
  ['command substitution', renamed('$(reboot)')],
  ['FFmpeg filter syntax', renamed('v[0];[0:v]split=2')],
  ['FFmpeg option injection', renamed('-f lavfi -i')],
  ['newline in a name', renamed('a\nb')],
  ['huge bitrate', { ...LIGHT_SPEC, video: [{ ...LIGHT_SPEC.video[0], bitrateKbps: 1e308 }] }],
  [
    'a width past any screen',
    { ...LIGHT_SPEC, video: [{ ...LIGHT_SPEC.video[0], width: 2 ** 53 }] },
  ],
  [
    'a negative segment',
    { ...LIGHT_SPEC, output: { ...LIGHT_SPEC.output, segmentDurationSec: -1 } },
  ],
  [
    'a number as a string',
    { ...LIGHT_SPEC, input: { protocol: 'rtmp', reconnectWindowSec: '1e9' } },
  ],
  [
    'an S3 bucket with traversal',
    {
      ...LIGHT_SPEC,
      output: { ...LIGHT_SPEC.output, destination: { type: 's3', bucket: '../x' } },
    },
  ],
  [
    'an HTTP origin that is a local file',
    {
      ...LIGHT_SPEC,
      output: { ...LIGHT_SPEC.output, destination: { type: 'http', baseUrl: 'file:///etc/' } },
    },
  ],
  ['prototype pollution', JSON.parse('{"__proto__":{"admin":true},"name":"x"}')],
  ['deep nesting', DEEP, { 'content-type': 'application/json' }],
  ['a 10 MB body', 'TEN_MB'],
  ['not JSON', '{"name": ', { 'content-type': 'application/json' }],
  ['not JSON at all', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['an array', [LIGHT_SPEC]],
  ['null', 'null', { 'content-type': 'application/json' }],
];
/**
 * Every row gets all three entries: jest-each hands a short row's missing argument to the test
 * as a `done` callback and then waits for it forever.
 */
const BAD = ROWS.map(([what, body, headers = {}]) => [what, body, headers] as const);

describe('abuse and bad input (real stack on loopback)', () => {
  let cluster: FaultCluster;

  beforeAll(async () => {
    cluster = await FaultCluster.start({ workers: 1 });
  });
  afterAll(async () => {
    if (cluster) {
      // No secret in any log line of any app during this whole file.
      expect(cluster.leakedSecrets()).toEqual([]);
      await cluster.stop();
    }
  });

  it.each(BAD)('%s → 4xx problem, no job, nothing spawned', async (_, given, headers) => {
    // Built here, not in the table: Jest keeps (and may print) the table's values.
    const body =
      given === 'TEN_MB'
        ? JSON.stringify({ ...LIGHT_SPEC, name: 'x'.repeat(10 * 1024 * 1024) })
        : given;
    const before = ((await cluster.request('GET', '/v1/jobs?limit=100')).body as { items: [] })
      .items.length;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await cluster.upload('POST', '/v1/jobs', text, headers);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const after = ((await cluster.request('GET', '/v1/jobs?limit=100')).body as { items: [] }).items
      .length;
    expect(after).toBe(before);
    expect(cluster.ffmpegPids()).toEqual([]);
    expect(cluster.node('api').alive).toBe(true);
  });

  it('names the field of each validation error', async () => {
    const res = await cluster.request('POST', '/v1/jobs', renamed('../../etc'));
    expect(res.status).toBe(400);
    expect((res.body as { errors: Array<{ path: string }> }).errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'video[0].name' })]),
    );
  });

  it('a wrong stream key is refused: nothing transcoded, nothing written', async () => {
    const job = await cluster.createJob(LIGHT_SPEC);
    const ready = await cluster.waitFor('ingest ready', async () => {
      const j = await cluster.job(job.id);
      return j.ingest.status === 'ready' && j;
    });
    const wrong = ready.ingest.rtmp!.replace(job.streamKey, `${job.streamKey.slice(0, -4)}AAAA`);
    const publisher = publish(wrong, { seconds: 10 });
    const { code } = await publisher.done;
    expect(code).not.toBe(0);
    expect(cluster.ffmpegPids()).toEqual([]);
    expect(existsSync(join(cluster.mediaDir, job.id))).toBe(false);
    expect((await cluster.events(job.id)).map((e) => e.type)).not.toContain('IngestStarted');
  });

  it('a wrong SRT passphrase is refused again and again without using up restarts; the right one plays', async () => {
    const job = await cluster.createJob(SRT_SPEC);
    const ready = await cluster.waitFor('SRT ingest ready', async () => {
      const j = await cluster.job(job.id);
      return j.ingest.status === 'ready' && typeof j.ingest.srt === 'object' && j;
    });
    const srt = ready.ingest.srt as { url: string; passphrase: string };
    const port = new URL(srt.url).port;
    for (let i = 0; i < 3; i++) {
      const p = publish(`srt://127.0.0.1:${port}?passphrase=wrong-passphrase-${i}&pbkeylen=16`, {
        seconds: 5,
      });
      const { code } = await p.done;
      expect(code).not.toBe(0);
    }
    await sleep(500);
    const events = (await cluster.events(job.id)).map((e) => e.type);
    expect(events).not.toContain('IngestStarted');
    expect(events).not.toContain('TranscoderRestarted');
    expect(events).not.toContain('JobFailed');
    expect(
      existsSync(join(cluster.mediaDir, job.id, '240p'))
        ? readdirSync(join(cluster.mediaDir, job.id, '240p')).filter((f) => f.endsWith('.m4s'))
        : [],
    ).toEqual([]);

    const good = publish(`srt://127.0.0.1:${port}?passphrase=${srt.passphrase}&pbkeylen=16`, {
      seconds: 30,
    });
    try {
      await cluster.waitFor(
        'segments from the right passphrase',
        async () => ((await mediaPlaylist(ready.playback.hls!))?.segments.length ?? 0) >= 2,
        40_000,
      );
    } finally {
      good.stop();
    }
  });

  it('no route lets a request in without the API key, or a user key into admin', async () => {
    for (const [method, path] of [
      ['GET', '/v1/jobs'],
      ['POST', '/v1/jobs'],
      ['GET', '/v1/workers'],
      ['GET', '/v1/events/stream'],
      ['POST', '/v1/admin/projections/rebuild'],
    ]) {
      const res = await fetch(`${cluster.api}${path}`, { method });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    const wrong = await fetch(`${cluster.api}/v1/jobs`, {
      headers: { authorization: `Bearer ${cluster.apiKey.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(401);
  });
});
