import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appVersion, loadWorkerConfig, parseLabels } from './worker.config';

describe('worker config', () => {
  it('parses WORKER_LABELS into the labels the worker registers with', () => {
    expect(parseLabels('')).toEqual({});
    expect(parseLabels('zone=eu-1a, tier=gpu,topology.kubernetes.io/zone=b')).toEqual({
      zone: 'eu-1a',
      tier: 'gpu',
      'topology.kubernetes.io/zone': 'b',
    });
    expect(parseLabels('canary')).toEqual({ canary: '' });
    expect(loadWorkerConfig({ WORKER_LABELS: 'zone=a' }).labels).toEqual({ zone: 'a' });
  });

  it.each([
    ['Zone=a', "'Zone' is not a label key"],
    ['zone=a b', "the value of 'zone' must match"],
    ['zone=a,zone=b', "'zone' is given twice"],
    ['=a', "'' is not a label key"],
  ])('refuses WORKER_LABELS=%s with an exact message', (raw, message) => {
    expect(() => parseLabels(raw)).toThrow(message);
  });

  it("reports the ezlive package's version, from source or from a build beside it", () => {
    expect(appVersion()).toBe(
      (require('../../../package.json') as { version: string }).version, // eslint-disable-line @typescript-eslint/no-require-imports
    );
    const root = mkdtempSync(join(tmpdir(), 'ezlive-version-'));
    try {
      writeFileSync(join(root, 'package.json'), '{"name":"ezlive","version":"9.8.7"}');
      mkdirSync(join(root, 'dist/apps/worker/src'), { recursive: true });
      // A package.json of another package on the way up does not count.
      writeFileSync(join(root, 'dist/package.json'), '{"name":"other","version":"1.0.0"}');
      expect(appVersion(join(root, 'dist/apps/worker/src'))).toBe('9.8.7');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
