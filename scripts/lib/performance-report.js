// Renders docs/performance.md from bench/results/*.json (written by `npm run bench`).
// Every figure in the report comes from a results file; nothing here is typed in by hand
// except the targets, which are the issues' and sit next to the figure they judge.
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const load = (dir, name) => {
  const file = path.join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
};

/** `meets`/`misses` for a figure against a bound; `—` when there is nothing to judge. */
function verdict(value, bound, direction) {
  if (value === undefined || value === null || bound === undefined) return '—';
  const ok = direction === 'min' ? value >= bound : value <= bound;
  return ok ? 'meets' : '**misses**';
}
/** Whole numbers from 100 up, three significant digits below (figures, not noise). */
const tidy = (n) =>
  typeof n !== 'number' || Number.isInteger(n)
    ? n
    : Math.abs(n) >= 100
      ? Math.round(n)
      : Number(n.toPrecision(3));
const fmt = (n, unit = '') => (n === undefined || n === null ? 'n/a' : `${tidy(n)}${unit}`);
const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

/** "2 × Intel Xeon, Node v20 (api, ffmpeg-ladder); 2 × AMD EPYC, Node v20 (worker)": which ran where. */
function machineOf(named) {
  const by = new Map();
  for (const [name, r] of named) {
    if (!r?.machine) continue;
    const m = r.machine;
    const key = `${m.cpus} × ${m.model ?? 'CPU'}, Node ${m.node}`;
    by.set(key, [...(by.get(key) ?? []), name]);
  }
  if (by.size === 0) return 'unknown';
  if (by.size === 1) return [...by.keys()][0];
  return [...by].map(([m, names]) => `${m} (${names.join(', ')})`).join('; ');
}

function summary(r) {
  const rows = [];
  const add = (area, measure, value, target, direction, unit = '') =>
    rows.push([
      area,
      measure,
      fmt(value, unit),
      target === undefined ? '—' : `${direction === 'min' ? '≥' : '≤'} ${target}${unit}`,
      verdict(value, target, direction),
    ]);
  const es = r['event-store'];
  if (es) {
    add('event store', 'append, store ÷ raw XADD', es.append.ratio, es.append.target, 'min');
    add('event store', 'rebuild, store ÷ raw XRANGE', es.rebuild.ratio, es.rebuild.target, 'min');
  }
  const api = r.api;
  if (api) add('api', 'GET /v1/jobs/:id ÷ bare hello route', api.getJobToHelloRatio, 0.3, 'min');
  const sch = r.scheduler;
  if (sch?.throughput)
    add('scheduler', 'SQS → JobAssigned ÷ raw BullMQ', sch.throughput.ratio, undefined);
  if (sch?.scale) {
    add('scheduler', 'CPU, % of one core at scale', sch.scale.schedulerCpuPctOfOneCore, 25, 'max');
    add('scheduler', 'Redis memory per live job', sch.scale.redisBytesPerJob, 10240, 'max', ' B');
  }
  const w = r.worker;
  if (w) {
    add('worker', 'worker CPU ÷ FFmpeg CPU', w.cpu.ratio, w.cpu.target, 'max');
    add('worker', 'S3 upload lag p95', w.s3UploadLagMs.p95, w.s3UploadLagMs.target95, 'max', ' ms');
  }
  const l = r['ffmpeg-ladder'];
  if (l?.cpuPerMediaSecond) {
    const c = l.cpuPerMediaSecond;
    add('ffmpeg', 'CPU, one process ÷ one per rendition', c.ratio, c.target, 'max');
  }
  if (l?.firstPlayableSegment) {
    const fast = l.firstPlayableSegment.find((v) => v.variant === 'fast probing');
    if (fast)
      add(
        'ffmpeg',
        'first playable segment (fast probing)',
        Math.max(...fast.seconds),
        3,
        'max',
        ' s',
      );
  }
  const f = r.faults;
  for (const s of f?.scenarios ?? []) {
    if (s.ms !== undefined) add('faults', s.scenario, s.ms, s.targetMs, 'max', ' ms');
  }
  return table(['Area', 'Measure', 'Result', 'Target', ''], rows);
}

/** Why a figure is what it is, where the number alone would mislead. Keyed by scenario. */
const SCENARIO_NOTES = {
  'scheduler SIGKILL mid-burst → all 200 jobs placed':
    'The messages the killed scheduler had received but not deleted stay invisible for the visibility timeout of their receive (30 s before 2026-12-03, 10 s since) before the survivor gets them; a long figure is that timeout, not the survivor.',
};

function sections(r) {
  const out = [];
  const es = r['event-store'];
  if (es)
    out.push(
      '## Event store (`bench/event-store`)',
      `${es.events} events at concurrency ${es.concurrency}, same Redis, same run.` +
        (es.rebuild.trials
          ? ` Rebuild and raw scan alternate ${es.rebuild.trials} times; each figure is its median (a single ~0.2 s scan moved by 2× between runs on a shared VM).`
          : ''),
      table(
        ['', 'through the store', 'raw Redis', 'ratio', 'target'],
        [
          [
            'append',
            `${es.append.storePerSec}/s`,
            `${es.append.rawXaddPerSec}/s XADD`,
            es.append.ratio,
            `≥ ${es.append.target}`,
          ],
          [
            'rebuild',
            `${es.rebuild.storePerSec}/s`,
            `${es.rebuild.rawXrangePerSec}/s XRANGE`,
            es.rebuild.ratio,
            `≥ ${es.rebuild.target}`,
          ],
        ],
      ),
      'The append beats the raw baseline because the store appends with one EVALSHA (version check and both XADDs in a script) where the atomic raw equivalent is MULTI, two XADDs and EXEC; the rebuild pays for decoding, folding and writing every read model, which a bare XRANGE scan does not do.',
      ...(es.rebuild.ratioToOwnXrange
        ? [
            `The raw side stores an event a field per part (type, data, metadata, stream), the way a hand-written event log would; the store keeps one JSON envelope per entry, which a client reads back about twice as fast (docs/architecture.md, key layout). A bare XRANGE of the store's own partitions ran at ${es.rebuild.ownXrangePerSec}/s and the rebuild at ${tidy(es.rebuild.ratioToOwnXrange)}× that rate: the difference is decoding, folding and writing the read models. There is no target for that figure.`,
          ]
        : []),
    );
  const api = r.api;
  if (api)
    out.push(
      '## API (`bench/api`)',
      `autocannon, ${api.connections} connections × ${api.durationSec} s per figure, Nest on Fastify in one process.`,
      table(
        ['route', 'requests/s', 'p99', 'non-2xx', 'errors'],
        [
          [
            'bare hello (baseline)',
            api.helloNestFastify.requestsPerSec,
            `${api.helloNestFastify.p99Ms} ms`,
            api.helloNestFastify.non2xx,
            api.helloNestFastify.errors,
          ],
          [
            'GET /v1/jobs/:id',
            api.getJob.requestsPerSec,
            `${api.getJob.p99Ms} ms`,
            api.getJob.non2xx,
            api.getJob.errors,
          ],
          [
            'POST /v1/jobs (with SQS send)',
            api.postJobWithSqsSend.requestsPerSec,
            `${api.postJobWithSqsSend.p99Ms} ms`,
            api.postJobWithSqsSend.non2xx,
            api.postJobWithSqsSend.errors,
          ],
        ],
      ),
      `Ratio GET ÷ hello: **${api.getJobToHelloRatio}** (target ≥ ${api.target}).`,
    );
  const sch = r.scheduler;
  if (sch) {
    const t = sch.throughput;
    const s = sch.scale;
    out.push('## Scheduler (`bench/scheduler`)');
    if (t)
      out.push(
        `${t.jobs} jobs, ${t.workers} simulated workers: **${t.sqsToAssignedPerSec} jobs/s** from SQS send to \`JobAssigned\` vs raw BullMQ add → consume **${t.rawBullmqPerSec}/s** on the same Redis (ratio ${t.ratio}). A placement is an SQS receive, a read of the job's stream, a capacity check, two appends and a BullMQ add; the raw baseline is the last of those alone.`,
      );
    if (s)
      out.push(
        table(
          ['scale run', 'value'],
          [
            [
              'live jobs / simulated workers / heartbeat',
              `${s.jobs} / ${s.workers} / ${s.heartbeatMs} ms`,
            ],
            ['window', `${s.seconds} s`],
            [
              'scheduler CPU (own process)',
              `${s.schedulerCpuPctOfOneCore} % of one core (target ≤ 25 %)`,
            ],
            [
              'Redis memory per job',
              `${s.redisBytesPerJob} B (target ≤ 10240 B)` +
                (s.redisStreamNodeMaxBytes
                  ? `, Redis \`stream-node-max-bytes\` ${s.redisStreamNodeMaxBytes}`
                  : ''),
            ],
            [
              'lost worker: jobs / detect + reassign',
              `${s.lostWorkerJobs} / ${s.detectAndReassignMs} ms (timeout ${s.heartbeatTimeoutMs} ms)`,
            ],
          ],
        ),
      );
  }
  const w = r.worker;
  if (w)
    out.push(
      '## Worker (`bench/worker`)',
      `${w.ladder}, ${Math.round(w.seconds)} s window, FFmpeg speed ${fmt(w.speed)}. Where the worker's CPU goes and what was tried: [worker.md](worker.md#cpu-overhead).`,
      table(
        ['measure', 'value', 'target'],
        [
          ['worker Node CPU', `${w.cpu.workerNodeCores} cores`, ''],
          ['FFmpeg CPU', `${w.cpu.ffmpegCores} cores`, ''],
          ['ratio', w.cpu.ratio, `≤ ${w.cpu.target}`],
          [
            'S3 upload lag p50 / p95',
            `${tidy(w.s3UploadLagMs.p50)} / ${tidy(w.s3UploadLagMs.p95)} ms over ${w.s3UploadLagMs.samples} segments`,
            `p95 ≤ ${w.s3UploadLagMs.target95} ms`,
          ],
        ],
      ),
    );
  const l = r['ffmpeg-ladder'];
  if (l) {
    out.push('## FFmpeg ladder (`bench/ffmpeg-ladder`)', `${l.input}.`);
    const c = l.cpuPerMediaSecond;
    if (c)
      out.push(
        `CPU-seconds per media-second: one FFmpeg with a split filter graph **${c.oneProcess}**, one FFmpeg per rendition (the Go original's shape) **${c.onePerRendition}**, ratio **${c.ratio}** (target ≤ ${c.target}).` +
          (c.trialRatios
            ? ` Medians of ${c.trials} pairs run back to back in alternating order; the pairs' ratios were ${c.trialRatios.join(', ')}.`
            : '') +
          (c.modelUnits
            ? ` The scheduler's cost model prices this ladder at ${c.modelUnits} units (${c.modelUnits / 100} cores): model ÷ measured **${c.modelOverMeasured}** (docs/scheduler.md#cost-model).`
            : ''),
      );
    if (l.firstPlayableSegment)
      out.push(
        'Time from the first input packet to the first playable segment (master + media playlist + segment), 2 s segments:',
        table(
          ['probe setting', 'seconds per trial', 'target'],
          l.firstPlayableSegment.map((v) => [
            v.variant,
            v.seconds.join(' / '),
            `≤ ${v.targetSec} s`,
          ]),
        ),
      );
    if (l.headroom)
      out.push(
        `Real-time headroom: the ladder from a file as fast as possible runs at **${l.headroom.fileSpeed}×**.`,
        table(
          ['concurrent real-time ladders', 'lowest 2 s speed', 'wall (s)', 'keeps up'],
          l.headroom.concurrent.map((h) => [
            h.ladders,
            `${h.minSpeed}×`,
            h.wallSec,
            h.keepsUp ? 'yes' : 'no',
          ]),
        ),
      );
  }
  const f = r.faults;
  if (f) {
    out.push(
      '## Fault injection and load (`npm run test:faults`)',
      `The suite ${f.passed ? 'passed' : '**failed**'} in this run. Recovery times are measured from the fault to the outcome the test asserts; the tests themselves assert outcomes only, never times.`,
      table(
        ['scenario', 'measured', 'target'],
        f.scenarios
          .filter((s) => s.ms !== undefined)
          .map((s) => [s.scenario, `${s.ms} ms`, s.targetMs ? `≤ ${s.targetMs} ms` : '—']),
      ),
      ...f.scenarios
        .filter((s) => SCENARIO_NOTES[s.scenario])
        .map((s) => `_${s.scenario}_: ${SCENARIO_NOTES[s.scenario]}`),
    );
    for (const s of f.scenarios.filter((x) => x.figures)) {
      const g = s.figures;
      out.push(
        `**${s.scenario}**: ${g.requests} requests (${g.requestsPerSec}/s), latency p50 ${g.p50Ms} ms, p99 ${g.p99Ms} ms, max ${g.maxMs} ms; ${g.creates} jobs created and placed; ${g.errors} errors, ${g.timeouts} timeouts, ${g.non2xx} non-2xx.`,
      );
    }
  }
  return out.join('\n\n');
}

function renderReport(dir) {
  const names = ['event-store', 'api', 'scheduler', 'worker', 'ffmpeg-ladder', 'faults'];
  const r = Object.fromEntries(names.map((n) => [n, load(dir, n)]));
  const present = names.filter((n) => r[n]);
  const missing = names.filter((n) => !r[n]);
  const dates = present
    .map((n) => r[n].at)
    .filter(Boolean)
    .sort();
  return `${[
    '# Performance',
    '<!-- Generated by `npm run bench` (scripts/bench.js) from bench/results/*.json: edit those scripts, not this file. -->',
    `Machine: ${machineOf(present.map((n) => [n, r[n]]))}. Runs: ${dates.length ? `${dates[0].slice(0, 10)} to ${dates.at(-1).slice(0, 10)}` : 'undated'}. Every ratio compares against a baseline run on the same machine in the same run; absolute figures move with the machine and its load.`,
    missing.length ? `Not in this report (no results file): ${missing.join(', ')}.` : '',
    '## Summary',
    summary(r),
    sections(r),
    '## How to reproduce',
    [
      '```sh',
      'npm run bench                       # everything, ~20 min on 2 cores; rewrites this file',
      'npm run bench -- --quick            # shorter inputs and windows',
      'npm run bench -- --only api,faults  # a subset; the others keep their last results',
      'npm run bench -- --report           # re-render this file from bench/results/*.json',
      '```',
    ].join('\n'),
    'Run on an idle machine: the FFmpeg figures especially move with whatever else holds a core.',
  ]
    .filter(Boolean)
    .join('\n\n')}\n`;
}

module.exports = { renderReport };
