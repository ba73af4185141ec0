#!/usr/bin/env node
// `npm test`: lint, typecheck, boundaries, build, then the four jest tiers (docs/testing.md).
const { ensureNodeModules, ensureBinary, ensureRedis, run, fail } = require('./lib/prereqs');

async function main() {
  ensureNodeModules();
  ensureBinary('ffmpeg', 'ffmpeg');
  ensureBinary('ffprobe', 'ffmpeg');
  ensureBinary('chromium', 'chromium'); // the browser tier drives Debian's Chromium
  ensureBinary('ip', 'iproute2'); // the README test brings up loopback in a network namespace
  const redis = await ensureRedis();
  const env = { ...process.env, REDIS_URL: redis.url };
  const steps = [
    ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
    ['format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']],
    ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
    [
      'boundaries',
      'npx',
      ['depcruise', 'apps', 'libs', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    ],
    ['build', 'npx', ['nest', 'build']],
    ['unit tests', 'npx', ['jest', '--selectProjects', 'unit', '--ci']],
    ['integration tests', 'npx', ['jest', '--selectProjects', 'int', '--runInBand', '--ci']],
    ['end-to-end tests', 'npx', ['jest', '--selectProjects', 'e2e', '--runInBand', '--ci']],
    // The fault tier runs the apps built above (dist/) as separate processes (≈ 4 min).
    ['fault tests', 'npx', ['jest', '--selectProjects', 'faults', '--runInBand', '--ci']],
  ];
  const only = process.argv.slice(2);
  let failed = null;
  for (const [name, cmd, args] of steps) {
    if (only.length > 0 && !only.includes(name.split(' ')[0])) continue;
    console.log(`\n━━ ${name} ━━`);
    const started = Date.now();
    if (!run(cmd, args, { env })) {
      failed = name;
      break;
    }
    console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  await redis.stop();
  if (failed) fail(`npm test: ${failed} failed`);
  console.log('\n✔ npm test: all steps passed');
}

main().catch((err) => fail(err.stack ?? String(err)));
