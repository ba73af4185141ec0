import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpSink } from './origin-sink';
import { SegmentPublisher } from './segment-publisher';

/**
 * A real HTTP origin on loopback that records what it is asked to store and delete; a request
 * in `failures` (`'PUT /job1/…'`) is answered 503 that many times first.
 */
function origin(failures = new Map<string, number>()): Promise<{
  server: Server;
  base: string;
  log: string[];
  store: Map<string, string>;
}> {
  const log: string[] = [];
  const store = new Map<string, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const request = `${req.method} ${req.url}`;
      const left = failures.get(request) ?? 0;
      if (left > 0) {
        failures.set(request, left - 1);
        log.push(`FAILED ${req.method} ${req.url}`);
        res.writeHead(503).end();
        return;
      }
      log.push(
        `${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${req.headers['cache-control'] ?? ''}`.trim(),
      );
      if (req.method === 'PUT') store.set(req.url!, body);
      if (req.method === 'GET') {
        const stored = store.get(req.url!);
        res.writeHead(stored === undefined ? 404 : 200).end(stored);
        return;
      }
      // A collection DELETE (trailing slash) removes everything under it, as WebDAV does.
      if (req.method === 'DELETE')
        for (const k of [...store.keys()])
          if (k === req.url || (req.url!.endsWith('/') && k.startsWith(req.url!))) store.delete(k);
      res.writeHead(req.method === 'PUT' ? 201 : 204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address() as { port: number };
      resolve({ server, base: `http://127.0.0.1:${a.port}/job1/`, log, store });
    }),
  );
}

const until = async (fn: () => boolean) => {
  for (let i = 0; i < 100 && !fn(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(fn()).toBe(true);
};

describe('SegmentPublisher → HTTP origin', () => {
  it('uploads media before manifests, with content types and cache policies, and deletes what leaves the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ezlive-pub-'));
    mkdirSync(join(dir, '240p'));
    const o = await origin();
    const publisher = new SegmentPublisher(dir, new HttpSink(o.base), (err) => {
      throw err;
    });
    try {
      writeFileSync(join(dir, '240p', 'seg_1_00000.m4s'), 'media-0');
      writeFileSync(join(dir, '240p', 'init_1.mp4'), 'init');
      writeFileSync(join(dir, '240p', 'index.m3u8'), '#EXTM3U\ninit_1.mp4\nseg_1_00000.m4s\n');
      writeFileSync(join(dir, '240p', 'index.m3u8.tmp'), 'half-written');
      publisher.start([dir, join(dir, '240p')]);
      await until(() => o.store.has('/job1/240p/index.m3u8'));
      const puts = o.log.filter((l) => l.startsWith('PUT'));
      expect(puts.indexOf('PUT /job1/240p/index.m3u8 application/vnd.apple.mpegurl no-cache')).toBe(
        puts.length - 1,
      );
      expect(puts).toEqual(
        expect.arrayContaining([
          'PUT /job1/240p/seg_1_00000.m4s video/iso.segment public, max-age=31536000, immutable',
          'PUT /job1/240p/init_1.mp4 video/mp4 public, max-age=31536000, immutable',
        ]),
      );
      expect(o.store.has('/job1/240p/index.m3u8.tmp')).toBe(false);

      writeFileSync(join(dir, '240p', 'seg_1_00001.m4s'), 'media-1');
      unlinkSync(join(dir, '240p', 'seg_1_00000.m4s')); // left the live window
      writeFileSync(join(dir, '240p', 'index.m3u8'), '#EXTM3U\ninit_1.mp4\nseg_1_00001.m4s\n');
      await until(
        () =>
          !o.store.has('/job1/240p/seg_1_00000.m4s') &&
          o.store.get('/job1/240p/index.m3u8')!.includes('00001'),
      );
      expect(o.store.get('/job1/240p/seg_1_00001.m4s')).toBe('media-1');
      expect(publisher.stats).toMatchObject({ deletes: 1, failures: 0 });

      // Job delete: one collection DELETE for the job's base URL, nothing of it left.
      o.store.set('/job10/master.m3u8', 'neighbour');
      await new HttpSink(o.base).deleteAll();
      expect(o.log.at(-1)).toBe('DELETE /job1/');
      expect([...o.store.keys()]).toEqual(['/job10/master.m3u8']);
    } finally {
      await publisher.close();
      o.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /**
   * One segment and the playlist naming it, published to an origin that refuses the
   * segment's PUT `refusals` times (HTTP sink retries after 20 and 40 ms); resolves once the
   * playlist is stored, with what the origin saw and the errors the publisher reported.
   */
  async function publishOneSegment(refusals: number) {
    const dir = mkdtempSync(join(tmpdir(), 'ezlive-pub-'));
    mkdirSync(join(dir, '240p'));
    const o = await origin(new Map([['PUT /job1/240p/seg_1_00000.m4s', refusals]]));
    const errors: string[] = [];
    const sink = new HttpSink(o.base, [20, 40]);
    const publisher = new SegmentPublisher(dir, sink, (err) => errors.push(err.message), {
      intervalMs: 100,
    });
    try {
      writeFileSync(join(dir, '240p', 'seg_1_00000.m4s'), 'media-0');
      writeFileSync(join(dir, '240p', 'index.m3u8'), '#EXTM3U\nseg_1_00000.m4s\n');
      publisher.start([dir, join(dir, '240p')]);
      await until(() => o.store.has('/job1/240p/index.m3u8'));
      return {
        puts: o.log.filter((l) => !l.startsWith('DELETE')),
        errors,
        stats: { ...publisher.stats },
      };
    } finally {
      await publisher.close();
      o.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('deletes every file that left the window, and tries again the ones the origin kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ezlive-pub-'));
    mkdirSync(join(dir, '240p'));
    // The first DELETE of segment 1 fails through both of the sink's retries.
    const o = await origin(new Map([['DELETE /job1/240p/seg_1_00001.m4s', 3]]));
    const errors: string[] = [];
    const publisher = new SegmentPublisher(
      dir,
      new HttpSink(o.base, [10, 10]),
      (err) => errors.push(err.message),
      { intervalMs: 100, deleteEveryMs: 200 },
    );
    try {
      for (let i = 0; i < 4; i++) writeFileSync(join(dir, '240p', `seg_1_0000${i}.m4s`), `m${i}`);
      publisher.start([dir, join(dir, '240p')]);
      await until(() => o.store.size === 4);
      for (let i = 0; i < 3; i++) unlinkSync(join(dir, '240p', `seg_1_0000${i}.m4s`));
      await until(() => o.store.size === 1);
      expect([...o.store.keys()]).toEqual(['/job1/240p/seg_1_00003.m4s']);
      expect(errors).toEqual(['DELETE 240p/seg_1_00001.m4s: HTTP 503']);
      expect(publisher.stats).toMatchObject({ deletes: 3, failures: 1 });
    } finally {
      await publisher.close();
      o.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes a change the file-system watcher never reported at the next full scan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ezlive-pub-'));
    mkdirSync(join(dir, '240p'));
    const o = await origin();
    // Only the root is watched: a file rewritten in place in 240p/ raises no event, as when
    // the kernel drops events. Passes every 100 ms, every file stat-ed every 300 ms.
    const publisher = new SegmentPublisher(
      dir,
      new HttpSink(o.base),
      (err) => {
        throw err;
      },
      { intervalMs: 100, fullScanMs: 300 },
    );
    try {
      writeFileSync(join(dir, '240p', 'index.m3u8'), '#EXTM3U\nseg_1_00000.m4s\n');
      publisher.start([dir]);
      await until(() => o.store.has('/job1/240p/index.m3u8'));
      await new Promise((r) => setTimeout(r, 20)); // a later mtime
      writeFileSync(join(dir, '240p', 'index.m3u8'), '#EXTM3U\nseg_1_00001.m4s\n');
      await until(() => o.store.get('/job1/240p/index.m3u8')!.includes('00001'));
      expect(o.log.filter((l) => l.startsWith('PUT /job1/240p/index.m3u8'))).toHaveLength(2);
    } finally {
      await publisher.close();
      o.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const FAILED = 'FAILED PUT /job1/240p/seg_1_00000.m4s';
  const STORED = [
    'PUT /job1/240p/seg_1_00000.m4s video/iso.segment public, max-age=31536000, immutable',
    'PUT /job1/240p/index.m3u8 application/vnd.apple.mpegurl no-cache',
  ];

  it("keeps FFmpeg's per-run MPDs off the origin but publishes the DASH presentation state, which a new worker reads back", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ezlive-pub-'));
    const o = await origin();
    const sink = new HttpSink(o.base);
    const publisher = new SegmentPublisher(dir, sink, (err) => {
      throw err;
    });
    try {
      writeFileSync(join(dir, 'seg_0_r1_00001.m4s'), 'media');
      writeFileSync(join(dir, '.dash_r1.mpd'), '<MPD/>');
      writeFileSync(join(dir, '.presentation.json'), '{"anchorMs":1}');
      writeFileSync(join(dir, 'manifest.mpd'), '<MPD/>');
      publisher.start([dir]);
      await until(
        () => o.store.has('/job1/manifest.mpd') && o.store.has('/job1/.presentation.json'),
      );
      expect(o.log).toContain('PUT /job1/.presentation.json application/json no-cache');
      expect(o.store.has('/job1/.dash_r1.mpd')).toBe(false);
      expect((await sink.get('.presentation.json'))?.toString()).toBe('{"anchorMs":1}');
      expect(await sink.get('nothing-here.m3u8')).toBeUndefined();
    } finally {
      await publisher.close();
      o.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries a PUT the origin refused, with backoff, inside the same pass', async () => {
    const r = await publishOneSegment(2);
    expect(r.puts).toEqual([FAILED, FAILED, ...STORED]);
    expect(r.errors).toEqual([]); // the third try took it: nothing to report
    expect(r.stats).toMatchObject({ failures: 0, uploads: 2 });
  });

  it('holds manifests back while a segment they may reference failed to upload', async () => {
    // Refused three times: the first try and both retries of the first pass.
    const r = await publishOneSegment(3);
    expect(r.puts).toEqual([FAILED, FAILED, FAILED, ...STORED]);
    expect(r.errors).toHaveLength(1);
    expect(r.stats).toMatchObject({ failures: 1, uploads: 2 });
  });
});
