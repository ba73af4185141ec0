import type { JobStatus } from './job.state';

/** Stable error codes; the API maps each to one HTTP problem type in one place. */
export type JobErrorCode =
  | 'JOB_NOT_FOUND'
  | 'JOB_ALREADY_EXISTS'
  | 'JOB_NOT_STOPPABLE'
  | 'JOB_NOT_RESUMABLE'
  | 'JOB_NOT_STOPPED'
  | 'JOB_NOT_PLACEABLE'
  | 'ILLEGAL_TRANSITION'
  | 'ATTEMPT_FENCED';

export class JobError extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
    readonly status?: JobStatus | 'initial',
  ) {
    super(message);
    this.name = 'JobError';
  }
}

export const jobNotFound = (): JobError =>
  new JobError('JOB_NOT_FOUND', 'job does not exist', 'initial');

export const illegal = (
  code: JobErrorCode,
  command: string,
  status: JobStatus | 'initial',
): JobError => new JobError(code, `${command} is not allowed while the job is ${status}`, status);

/**
 * A worker reported on an assignment that is no longer current. The worker must stop
 * whatever it runs for that job; nothing is appended.
 */
export const fenced = (reported: number, current: number): JobError =>
  new JobError('ATTEMPT_FENCED', `attempt ${reported} is stale (current attempt ${current})`);
