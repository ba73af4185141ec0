import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashencMpd, T0 } from '../../test/fixtures/dashenc-mpd';
import { FIXTURES } from '../../test/fixtures/job-specs';
import { buildTranscode } from '../command/transcode.builder';
import { DashPresentation, PRESENTATION_STATE } from './dash-presentation';

/** DashPresentation on a real directory, fed MPDs shaped like dashenc's (no FFmpeg needed). */
describe('DashPresentation (files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ezlive-presentation-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const outputs = () =>
    buildTranscode(FIXTURES.hlsDash, { input: { kind: 'url', url: 'x' }, outputDir: dir }).outputs;
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');

  it('writes the stitched MPD, HLS playlists and its state; nothing until a run has segments', async () => {
    const p = new DashPresentation(FIXTURES.hlsDash, outputs());
    expect(await p.update({ nowMs: T0 })).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(
      join(dir, '.dash_r1001.mpd'),
      dashencMpd({ run: 1001, astSec: 0, first: 1, count: 3 }),
    );
    expect(await p.update({ nowMs: T0 + 6000 })).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([
      '.dash_r1001.mpd',
      PRESENTATION_STATE,
      'manifest.mpd',
      'master.m3u8',
      'media_0.m3u8',
      'media_1.m3u8',
    ]);
    expect(read('manifest.mpd')).toContain('<Period id="r1001" start="PT0S">');
    expect(read('media_0.m3u8')).toContain('seg_0_r1001_00003.m4s');
    expect(JSON.parse(read(PRESENTATION_STATE))).toMatchObject({ anchorMs: T0 });
    // Nothing new (only the publish time would change): no rewrite.
    expect(await p.update({ nowMs: T0 + 6500 })).toBe(false);
  });

  it('continues from a state another worker left, and ignores one that is not a state', async () => {
    const prior = {
      anchorMs: T0,
      runs: [
        {
          run: 1004,
          ordinal: 3,
          startSec: 0,
          endSec: 30,
          base: { '0': 1, '1': 1 },
          next: { '0': 16, '1': 16 },
        },
      ],
    };
    writeFileSync(join(dir, PRESENTATION_STATE), JSON.stringify(prior));
    writeFileSync(
      join(dir, '.dash_r2001.mpd'),
      dashencMpd({ run: 2001, astSec: 40, first: 1, count: 2 }),
    );
    await new DashPresentation(FIXTURES.hlsDash, outputs()).update({ nowMs: T0 + 44_000 });
    expect(read('manifest.mpd')).toContain('availabilityStartTime="2026-12-03T10:00:00.000Z"');
    expect(read('manifest.mpd')).toContain('<Period id="r2001" start="PT40S">');
    expect(read('media_0.m3u8')).toContain('#EXT-X-MEDIA-SEQUENCE:16');
    expect(read('media_0.m3u8')).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:4');

    writeFileSync(join(dir, PRESENTATION_STATE), JSON.stringify({ anchorMs: 'soon', runs: 3 }));
    await new DashPresentation(FIXTURES.hlsDash, outputs()).update({ nowMs: T0 + 44_000 });
    // A fresh presentation on the run's own clock, and a valid state replaces the bad one.
    expect(read('manifest.mpd')).toContain('availabilityStartTime="2026-12-03T10:00:40.000Z"');
    expect(read('manifest.mpd')).toContain('<Period id="r2001" start="PT0S">');
    expect(JSON.parse(read(PRESENTATION_STATE))).toMatchObject({ anchorMs: T0 + 40_000 });
  });
});
