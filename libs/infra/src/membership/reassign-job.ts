import {
  handleCommand,
  JobError,
  jobDecider,
  jobStreamId,
  type EventStore,
  type JobCommand,
} from '@ezlive/domain';
import { commandContext } from '../context/command-context';

/**
 * Runs one command on a job's stream through the decider: `true` when it appended events,
 * `false` when the decider had nothing to do or the job is gone. For callers acting on a
 * possibly stale view (detector, reconciler): the stream decides, never the caller.
 */
export async function commandJob(
  store: EventStore,
  jobId: string,
  command: JobCommand,
  ctx = commandContext('scheduler'),
): Promise<boolean> {
  try {
    const r = await handleCommand(store, jobStreamId(jobId), jobDecider, command, ctx, {
      metadata: { jobId },
    });
    return r.events.length > 0;
  } catch (err) {
    if (err instanceof JobError && err.code === 'JOB_NOT_FOUND') return false;
    throw err;
  }
}

/**
 * ReassignJob away from `fromWorkerId`; `false` when the job is gone or no longer on that
 * worker (the decider decides, so a stale caller can never move a job it does not see).
 */
export function reassignJob(
  store: EventStore,
  jobId: string,
  fromWorkerId: string,
  reason: string,
  ctx = commandContext('scheduler'),
): Promise<boolean> {
  return commandJob(store, jobId, { type: 'ReassignJob', data: { fromWorkerId, reason } }, ctx);
}
