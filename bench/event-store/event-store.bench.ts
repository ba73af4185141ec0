/**
 * Event store benchmark (not a test): appends/s through RedisEventStore vs raw XADD, and
 * rebuild events/s vs raw XRANGE, same Redis, same run. Prints both ratios.
 *   npm run bench:event-store [-- --events 20000]
 * Targets: append ≥ 0.4× raw, rebuild ≥ 0.5× raw.
 * The raw side stores each event the plain way, a stream field per part (type, data JSON,
 * metadata JSON; the partition entry also names its stream). The store keeps one JSON
 * envelope per entry instead, which is cheaper to read back (docs/architecture.md, key
 * layout), so the rebuild is also compared with a bare XRANGE of the store's own partitions:
 * that ratio is what decoding, folding and writing the read models cost on top of reading.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { EventToAppend, JobEvent } from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import { createRedis, EventSourcing, newId } from '@ezlive/infra';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 20_000);
const CONCURRENCY = arg('concurrency', 32);
const EVENTS_PER_JOB = 8;
const READ_TRIALS = arg('read-trials', 9);

/** A realistic job history: JobCreated carries the spec, the rest are small. */
function history(jobId: string): JobEvent[] {
  return [
    {
      type: 'JobCreated',
      data: { jobId, spec: SPEC, warnings: [], streamKeyFingerprint: 'ab12cd34' },
    },
    { type: 'JobQueued', data: { cost: 1.5 } },
    { type: 'JobAssigned', data: { workerId: 'worker-1', attempt: 1 } },
    {
      type: 'JobRunning',
      data: {
        workerId: 'worker-1',
        attempt: 1,
        ingest: { rtmpBaseUrl: 'rtmp://10.0.0.5:1935/live' },
      },
    },
    {
      type: 'IngestStarted',
      data: { attempt: 1, input: { video: { codec: 'h264', width: 1920, height: 1080, fps: 30 } } },
    },
    { type: 'IngestStopped', data: { attempt: 1, reason: 'publisher disconnected' } },
    { type: 'StopRequested', data: { reason: 'user' } },
    { type: 'JobStopped', data: { reason: 'user' } },
  ];
}

function toAppend(jobId: string, e: JobEvent): EventToAppend {
  return {
    ...e,
    metadata: {
      eventId: newId(),
      streamId: `job-${jobId}`,
      at: new Date().toISOString(),
      actor: 'api',
      correlationId: jobId,
      causationId: null,
    },
  };
}

async function pool(jobs: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs) await work(next++);
    }),
  );
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function main(): Promise<void> {
  const redis: Redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `ezbench-${Date.now()}`;
  const es = new EventSourcing(redis, { prefix, partitions: 16 });
  const jobs = Math.ceil(EVENTS / EVENTS_PER_JOB);
  const ids = Array.from({ length: jobs }, () => newId());
  const payloads = ids.map((id) => history(id).map((e) => toAppend(id, e)));

  // Raw baseline: the same two entries (stream + partition) XADDed in one MULTI round
  // trip — atomic like the store's script, but with no version check.
  const raw = await timed(() =>
    pool(jobs, async (j) => {
      for (const e of payloads[j]) {
        const fields = ['t', e.type, 'd', JSON.stringify(e.data), 'm', JSON.stringify(e.metadata)];
        await redis
          .multi()
          .xadd(`${prefix}:raw:{r${j % 16}}:s:${ids[j]}`, '*', ...fields)
          .xadd(`${prefix}:raw:{r${j % 16}}:all`, '*', 's', ids[j], ...fields)
          .exec();
      }
    }),
  );
  // Through the store: one atomic, version-checked append per event (the decider's pattern).
  const store = await timed(() =>
    pool(jobs, async (j) => {
      for (const [v, e] of payloads[j].entries())
        await es.store.appendToStream(`job-${ids[j]}`, [e], v === 0 ? 'no_stream' : v);
    }),
  );

  // Reads take ~0.1–0.4 s each, where one run is at the mercy of a noisy neighbour: raw scan
  // and rebuild alternate READ_TRIALS times and each side reports its median.
  /** Every entry of the 16 streams `keyOf(p)` names, 2000 per XRANGE. */
  const scan = (keyOf: (p: number) => string) =>
    timed(async () => {
      for (let p = 0; p < 16; p++) {
        for (let after = '-'; ;) {
          const batch = await redis.xrange(
            keyOf(p),
            after === '-' ? '-' : `(${after}`,
            '+',
            'COUNT',
            2000,
          );
          if (batch.length === 0) break;
          after = batch[batch.length - 1][0];
        }
      }
    });
  const rawScan = () => scan((p) => `${prefix}:raw:{r${p}}:all`);
  // The same scan over the partitions the rebuild reads.
  const ownScan = () => scan((p) => es.keys.partition(p));
  let rebuilt = 0;
  const rawTimes: number[] = [];
  const ownTimes: number[] = [];
  const rebuildTimes: number[] = [];
  for (let t = 0; t < READ_TRIALS; t++) {
    rawTimes.push(await rawScan());
    ownTimes.push(await ownScan());
    rebuildTimes.push(
      await timed(async () => {
        rebuilt = (await es.admin.rebuild()).events;
      }),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rawRead = median(rawTimes);
  const ownRead = median(ownTimes);
  const rebuild = median(rebuildTimes);

  const events = jobs * EVENTS_PER_JOB;
  const result = {
    benchmark: 'event-store',
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    events,
    concurrency: CONCURRENCY,
    append: {
      storePerSec: Math.round(events / store),
      rawXaddPerSec: Math.round(events / raw),
      ratio: +(raw / store).toFixed(3),
      target: 0.4,
    },
    rebuild: {
      trials: READ_TRIALS,
      storePerSec: Math.round(rebuilt / rebuild),
      rawXrangePerSec: Math.round(events / rawRead),
      ratio: +(rawRead / rebuild).toFixed(3),
      target: 0.5,
      ownXrangePerSec: Math.round(events / ownRead),
      ratioToOwnXrange: +(ownRead / rebuild).toFixed(3),
    },
  };
  console.log(`events: ${events} in ${jobs} jobs, ${CONCURRENCY} concurrent writers`);
  console.log(
    `append : store ${result.append.storePerSec}/s vs raw XADD ${result.append.rawXaddPerSec}/s → ratio ${result.append.ratio} (target ≥ 0.4)`,
  );
  console.log(
    `rebuild: store ${result.rebuild.storePerSec}/s vs raw XRANGE ${result.rebuild.rawXrangePerSec}/s → ratio ${result.rebuild.ratio} (target ≥ 0.5; medians of ${READ_TRIALS} alternating trials)`,
  );
  console.log(
    `         vs XRANGE of the store's own partitions ${result.rebuild.ownXrangePerSec}/s → ratio ${result.rebuild.ratioToOwnXrange} (what decode, fold and writes add; no target)`,
  );
  mkdirSync(join(__dirname, '../results'), { recursive: true });
  writeFileSync(
    join(__dirname, '../results/event-store.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );

  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

void main();
