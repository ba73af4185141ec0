import type { Destination } from '@ezlive/domain';

/**
 * Work delivered to workers through BullMQ: one queue per worker, typed job names and
 * payloads, deterministic job ids (a redelivered placement adds nothing). Workers refuse
 * to boot if a name below has no handler (see the worker's processor).
 */
export interface WorkPayloads {
  /** Run the job's transcoder for this assignment attempt. */
  'job.start': { jobId: string; attempt: number; workerId: string };
  /** Stop it (the stop was requested through the API). */
  'job.stop': { jobId: string; attempt: number; workerId: string; reason: string };
  /**
   * Remove the job's output (after JobDeleted): what the worker still holds and, for S3 and
   * HTTP destinations, everything under the job's prefix at the origin.
   */
  'job.cleanup': { jobId: string; workerId: string; destination: Destination };
}

export type WorkJobName = keyof WorkPayloads;

export const WORK_JOB_NAMES: readonly WorkJobName[] = ['job.start', 'job.stop', 'job.cleanup'];

/** BullMQ queue names may not contain ':'; worker ids are whitelisted to [a-z0-9-]. */
export const workQueueName = (workerId: string): string => `work-${workerId}`;

/** Same placement (job + attempt) → same BullMQ job id → added once. */
export function workJobId<N extends WorkJobName>(name: N, payload: WorkPayloads[N]): string {
  const attempt = 'attempt' in payload ? payload.attempt : 0;
  return `${name.replace('.', '-')}-${payload.jobId}-${attempt}`;
}

/** BullMQ key prefix under the deployment's key prefix. */
export const bullPrefix = (keyPrefix: string): string => `${keyPrefix}:bull`;

export const WORKER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
