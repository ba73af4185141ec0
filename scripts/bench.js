#!/usr/bin/env node
// `npm run bench`: every benchmark under bench/ and the fault suite's timings, one after the
// other on an otherwise idle machine; each writes bench/results/<name>.json, then
// docs/performance.md is rendered from those files (scripts/lib/performance-report.js).
//   npm run bench                      all of them (~20 min on 2 cores)
//   npm run bench -- --quick           shorter inputs and windows (~10 min)
//   npm run bench -- --only api,faults a subset (names below); the others keep their last results
//   npm run bench -- --report          only re-render docs/performance.md from bench/results
const { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  ensureBuilt,
  ensureNodeModules,
  ensureBinary,
  ensureRedis,
  run,
  fail,
} = require('./lib/prereqs');
const { renderReport } = require('./lib/performance-report');

const ROOT = path.join(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;

/** A TypeScript benchmark, compiled by SWC as it loads (scripts/lib/swc-register.js says why). */
const typescript = (file, ...args) => [
  process.execPath,
  ['-r', './scripts/lib/swc-register', file, ...args],
];

/** name → [command, argv, extra env]; the order puts the CPU-heavy FFmpeg runs last. */
const BENCHES = [
  ['event-store', ...typescript('bench/event-store/event-store.bench.ts'), {}],
  [
    'api',
    ...typescript(
      'bench/api/api.bench.ts',
      '--duration',
      QUICK ? '5' : '10',
      '--connections',
      '32',
    ),
    {},
  ],
  [
    'scheduler',
    ...typescript('bench/scheduler/scheduler.bench.ts'),
    QUICK ? { SCALE_SECONDS: '20', SCALE_JOBS: '2000', SCALE_WORKERS: '100' } : {},
  ],
  ['worker', ...typescript('bench/worker/worker.bench.ts', '--seconds', QUICK ? '15' : '30'), {}],
  [
    'ffmpeg-ladder',
    ...typescript('bench/ffmpeg-ladder/ladder.bench.ts', ...(QUICK ? ['--quick'] : [])),
    {},
  ],
];

/** The fault suite, with every scenario's recovery time and the load figures recorded. */
function runFaults(env) {
  const lines = path.join(RESULTS, 'faults.jsonl');
  rmSync(lines, { force: true });
  // The fault tier runs the compiled apps.
  if (!ensureBuilt(path.join(ROOT, 'dist/apps/api/src/main.js'))) return false;
  const ok = run('npx', ['jest', '--selectProjects', 'faults', '--runInBand', '--ci'], {
    env: { ...env, EZ_FAULT_TIMINGS: lines },
  });
  const scenarios = existsSync(lines)
    ? readFileSync(lines, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  rmSync(lines, { force: true });
  const result = {
    benchmark: 'faults',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    passed: ok,
    scenarios,
  };
  writeFileSync(path.join(RESULTS, 'faults.json'), `${JSON.stringify(result, null, 2)}\n`);
  return ok;
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  if (!argv.includes('--report')) {
    ensureNodeModules();
    ensureBinary('ffmpeg', 'ffmpeg');
    ensureBinary('ffprobe', 'ffmpeg');
    const redis = await ensureRedis();
    const env = { ...process.env, REDIS_URL: redis.url };
    const failed = [];
    for (const [name, cmd, args, extra] of [...BENCHES, ['faults']]) {
      if (ONLY && !ONLY.includes(name)) continue;
      console.log(`\n━━ bench: ${name} ━━`);
      const started = Date.now();
      const ok = name === 'faults' ? runFaults(env) : run(cmd, args, { env: { ...env, ...extra } });
      if (!ok) failed.push(name);
      console.log(`${ok ? '✔' : '✘'} ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    await redis.stop();
    if (failed.length) fail(`npm run bench: ${failed.join(', ')} failed; report not rewritten`);
  }
  const file = path.join(ROOT, 'docs', 'performance.md');
  writeFileSync(file, renderReport(RESULTS));
  run('npx', ['prettier', '--write', '--log-level', 'warn', file]); // tables aligned like the rest
  console.log(`\n✔ wrote ${path.relative(ROOT, file)} from ${path.relative(ROOT, RESULTS)}/*.json`);
}

main().catch((err) => fail(err.stack ?? String(err)));
