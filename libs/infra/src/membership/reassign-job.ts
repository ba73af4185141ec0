import { handleCommand, JobError, jobDecider, jobStreamId, type EventStore } from '@ezlive/domain';
import { commandContext } from '../context/command-context';

/**
 * ReassignJob away from `fromWorkerId`; `false` when the job is gone or no longer on that
 * worker (the decider decides, so a stale caller can never move a job it does not see).
 */
export async function reassignJob(
  store: EventStore,
  jobId: string,
  fromWorkerId: string,
  reason: string,
  ctx = commandContext('scheduler'),
): Promise<boolean> {
  try {
    const r = await handleCommand(
      store,
      jobStreamId(jobId),
      jobDecider,
      { type: 'ReassignJob', data: { fromWorkerId, reason } },
      ctx,
      { metadata: { jobId } },
    );
    return r.events.length > 0;
  } catch (err) {
    if (err instanceof JobError && err.code === 'JOB_NOT_FOUND') return false;
    throw err;
  }
}
