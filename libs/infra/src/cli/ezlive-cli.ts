import {
  formatTimeline,
  historyUpTo,
  jobStreamId,
  replayJob,
  type JobEvent,
  type RecordedEvent,
  type ReplayPoint,
} from '@ezlive/domain';
import { parseEnv, SHARED_ENV } from '../config/shared-config';
import { EventSourcing } from '../event-sourcing';
import { createRedis } from '../redis/redis-connection';

const USAGE = `usage:
  ezlive replay <jobId> [--version N | --at ISO-8601] [--json]   print a job's timeline and its state at that point
  ezlive projections rebuild                                     rebuild every read model into a new generation
  ezlive projections status                                      whether projections have caught up

environment: REDIS_URL, EZ_KEY_PREFIX, EZ_PARTITIONS (see README: Configuration)`;

const JOB_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Returns the exit code; output goes through `out`/`err` so tests can capture it. */
export async function runCli(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const env = parseEnv(SHARED_ENV);
  const redis = createRedis(env.REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  const es = new EventSourcing(redis, { prefix: env.EZ_KEY_PREFIX, partitions: env.EZ_PARTITIONS });
  try {
    if (command === 'replay') return await replay(es, sub, rest, out, err);
    if (command === 'projections' && sub === 'rebuild') {
      const r = await es.admin.rebuild();
      out(
        `rebuilt generation ${r.generation} (was ${r.previousGeneration}): ${r.events} events, ${r.documents} documents in ${r.ms} ms`,
      );
      return 0;
    }
    if (command === 'projections' && sub === 'status') {
      out((await es.admin.caughtUp()) ? 'caught up' : 'behind');
      return 0;
    }
    err(USAGE);
    return 2;
  } catch (e) {
    err(`ezlive: ${(e as Error).message}`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

async function replay(
  es: EventSourcing,
  jobId: string | undefined,
  flags: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  if (!jobId || !JOB_ID.test(jobId)) {
    err(`ezlive replay: '${jobId ?? ''}' is not a job id (26-character ULID)`);
    return 2;
  }
  const flag = (name: string) => {
    const i = flags.indexOf(name);
    return i >= 0 ? flags[i + 1] : undefined;
  };
  const version = flag('--version');
  const at = flag('--at');
  if (version !== undefined && !/^\d+$/.test(version)) {
    err('ezlive replay: --version takes a positive integer');
    return 2;
  }
  if (at !== undefined && Number.isNaN(Date.parse(at))) {
    err('ezlive replay: --at takes an ISO-8601 time');
    return 2;
  }
  const history = (await es.store.readStream(jobStreamId(jobId))) as RecordedEvent<JobEvent>[];
  if (history.length === 0) {
    err(`ezlive replay: job ${jobId} not found`);
    return 1;
  }
  const point: ReplayPoint =
    version !== undefined ? { version: Number(version) } : at !== undefined ? { at } : 'latest';
  const shown = historyUpTo(history, point);
  const { state, version: reached } = replayJob(history, point);
  if (flags.includes('--json')) {
    out(JSON.stringify({ events: shown, state, version: reached }, null, 2));
    return 0;
  }
  for (const line of formatTimeline(shown)) out(line);
  out('');
  out(
    `state at v${reached}: ${state.status}${'workerId' in state ? ` on ${state.workerId} (attempt ${state.attempt})` : ''}`,
  );
  return 0;
}
