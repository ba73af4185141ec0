import type { Decider } from '../events/command-handler';
import type { IngestEndpoints, InputInfo, JobEvent, RepairAction } from './job.events';
import { fenced, illegal, jobNotFound, JobError } from './job.errors';
import { evolveJob, initialJobState, type ExistingJob, type JobState } from './job.state';
import type { JobSpec } from './spec/job-spec';
import type { SpecIssue } from './spec/spec-issue';

/** Commands carrying `workerId` + `attempt` are worker reports, fenced by the attempt. */
interface WorkerReport {
  workerId: string;
  attempt: number;
}

export type JobCommand =
  | {
      type: 'CreateJob';
      data: { jobId: string; spec: JobSpec; warnings: SpecIssue[]; streamKeyFingerprint: string };
    }
  | { type: 'QueueJob'; data: { cost: number } }
  | { type: 'WaitForCapacity'; data: { cost: number; reason: string } }
  | { type: 'AssignJob'; data: { workerId: string } }
  | { type: 'ReportRunning'; data: WorkerReport & { ingest: IngestEndpoints } }
  | { type: 'ReportIngestStarted'; data: WorkerReport & { input: InputInfo } }
  | { type: 'ReportIngestStopped'; data: WorkerReport & { reason: string } }
  | {
      type: 'ReportTranscoderRestarted';
      data: WorkerReport & {
        restart: number;
        exitCode: number | null;
        signal: string | null;
        reason: string;
      };
    }
  | { type: 'ReportStopped'; data: WorkerReport & { reason: string } }
  | { type: 'ReportFailed'; data: WorkerReport & { reason: string; detail: string[] } }
  | { type: 'RequestStop'; data: { reason: string } }
  | { type: 'RequestResume'; data: Record<string, never> }
  | { type: 'ReassignJob'; data: { fromWorkerId: string; reason: string } }
  | { type: 'FailJob'; data: { reason: string; detail: string[] } }
  | { type: 'RecordRepair'; data: { action: RepairAction; reason: string } }
  | { type: 'DeleteJob'; data: Record<string, never> };

export type JobCommandType = JobCommand['type'];

type Existing = ExistingJob;
type Of<T extends JobCommand['type']> = Extract<JobCommand, { type: T }>['data'];

const exists = (s: JobState): Existing => {
  if (s.status === 'initial') throw jobNotFound();
  return s;
};

const isPlaced = (s: Existing): s is Extract<Existing, { workerId: string }> =>
  s.status === 'assigned' ||
  s.status === 'running' ||
  s.status === 'streaming' ||
  s.status === 'stopping';

/**
 * Worker reports must name the current attempt and the worker holding it. A job no
 * worker holds (stopped, failed, waiting for placement) is nobody's to report on.
 */
function fence(s: Existing, report: WorkerReport): void {
  if (!isPlaced(s) || report.attempt !== s.attempt || s.workerId !== report.workerId) {
    throw fenced(report.attempt, s.attempt);
  }
}

export const create = (c: Of<'CreateJob'>, s: JobState): JobEvent[] => {
  if (s.status !== 'initial')
    throw new JobError('JOB_ALREADY_EXISTS', `job ${c.jobId} already exists`, s.status);
  return [{ type: 'JobCreated', data: c }];
};

/** Redelivered intake is harmless: only a freshly created job is queued. */
export const queue = (c: Of<'QueueJob'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  return job.status === 'created' ? [{ type: 'JobQueued', data: { cost: c.cost } }] : [];
};

export const waitForCapacity = (c: Of<'WaitForCapacity'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (job.status === 'awaiting_capacity') return [];
  if (job.status !== 'queued') throw illegal('JOB_NOT_PLACEABLE', 'WaitForCapacity', job.status);
  return [{ type: 'JobAwaitingCapacity', data: c }];
};

export const assign = (c: Of<'AssignJob'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (job.status !== 'queued' && job.status !== 'awaiting_capacity') {
    throw illegal('JOB_NOT_PLACEABLE', 'AssignJob', job.status);
  }
  return [{ type: 'JobAssigned', data: { workerId: c.workerId, attempt: job.attempt + 1 } }];
};

export const reportRunning = (c: Of<'ReportRunning'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  fence(job, c);
  if (job.status === 'running' || job.status === 'streaming') return [];
  if (job.status !== 'assigned') throw illegal('ILLEGAL_TRANSITION', 'ReportRunning', job.status);
  return [
    { type: 'JobRunning', data: { workerId: c.workerId, attempt: c.attempt, ingest: c.ingest } },
  ];
};

export const reportIngestStarted = (c: Of<'ReportIngestStarted'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  fence(job, c);
  if (job.status === 'streaming') return [];
  if (job.status !== 'running')
    throw illegal('ILLEGAL_TRANSITION', 'ReportIngestStarted', job.status);
  return [{ type: 'IngestStarted', data: { attempt: c.attempt, input: c.input } }];
};

export const reportIngestStopped = (c: Of<'ReportIngestStopped'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  fence(job, c);
  if (job.status !== 'streaming') return [];
  return [{ type: 'IngestStopped', data: { attempt: c.attempt, reason: c.reason } }];
};

export const reportTranscoderRestarted = (
  c: Of<'ReportTranscoderRestarted'>,
  s: JobState,
): JobEvent[] => {
  const job = exists(s);
  fence(job, c);
  if (job.status !== 'running' && job.status !== 'streaming') {
    throw illegal('ILLEGAL_TRANSITION', 'ReportTranscoderRestarted', job.status);
  }
  const { workerId: _w, ...data } = c;
  return [{ type: 'TranscoderRestarted', data }];
};

/** A worker confirms a stop (after StopRequested, or on its own when draining). */
export const reportStopped = (c: Of<'ReportStopped'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  fence(job, c);
  return [{ type: 'JobStopped', data: { reason: c.reason } }];
};

export const reportFailed = (c: Of<'ReportFailed'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  fence(job, c);
  return [{ type: 'JobFailed', data: { reason: c.reason, detail: c.detail } }];
};

/** Stopping a job no worker holds takes effect at once: it will never start. */
export const requestStop = (c: Of<'RequestStop'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (isPlaced(job) && job.status !== 'stopping') return [{ type: 'StopRequested', data: c }];
  if (job.status === 'created' || job.status === 'queued' || job.status === 'awaiting_capacity') {
    return [
      { type: 'StopRequested', data: c },
      { type: 'JobStopped', data: { reason: 'stopped before placement' } },
    ];
  }
  throw illegal('JOB_NOT_STOPPABLE', 'RequestStop', job.status);
};

export const requestResume = (_c: Of<'RequestResume'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (job.status !== 'stopped' && job.status !== 'failed')
    throw illegal('JOB_NOT_RESUMABLE', 'RequestResume', job.status);
  return [{ type: 'ResumeRequested', data: {} }];
};

/** The holder is gone: a stopping job is simply stopped, a live one goes back to placement. */
export const reassign = (c: Of<'ReassignJob'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (!isPlaced(job) || job.workerId !== c.fromWorkerId) return [];
  if (job.status === 'stopping')
    return [
      { type: 'JobStopped', data: { reason: `worker ${c.fromWorkerId} lost while stopping` } },
    ];
  return [
    {
      type: 'JobReassigned',
      data: { fromWorkerId: c.fromWorkerId, attempt: job.attempt, reason: c.reason },
    },
  ];
};

/** A failure decided outside any worker (placement impossible, reconciler gave up). */
export const fail = (c: Of<'FailJob'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (['stopped', 'failed', 'deleted'].includes(job.status))
    throw illegal('ILLEGAL_TRANSITION', 'FailJob', job.status);
  return [{ type: 'JobFailed', data: c }];
};

/** Which state each repair applies to; in any other the job moved on and nothing is redone. */
const REPAIRABLE: Readonly<Record<RepairAction, JobState['status']>> = {
  'intake-resent': 'created',
  'stop-redispatched': 'stopping',
};

/** The reconciler is about to redo a step: recorded first, and only while it still applies. */
export const recordRepair = (c: Of<'RecordRepair'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  return job.status === REPAIRABLE[c.action] ? [{ type: 'JobRepaired', data: c }] : [];
};

export const remove = (_c: Of<'DeleteJob'>, s: JobState): JobEvent[] => {
  const job = exists(s);
  if (job.status !== 'stopped' && job.status !== 'failed')
    throw illegal('JOB_NOT_STOPPED', 'DeleteJob', job.status);
  return [{ type: 'JobDeleted', data: {} }];
};

export function decideJob(command: JobCommand, state: JobState): JobEvent[] {
  if (state.status === 'deleted') throw jobNotFound();
  switch (command.type) {
    case 'CreateJob':
      return create(command.data, state);
    case 'QueueJob':
      return queue(command.data, state);
    case 'WaitForCapacity':
      return waitForCapacity(command.data, state);
    case 'AssignJob':
      return assign(command.data, state);
    case 'ReportRunning':
      return reportRunning(command.data, state);
    case 'ReportIngestStarted':
      return reportIngestStarted(command.data, state);
    case 'ReportIngestStopped':
      return reportIngestStopped(command.data, state);
    case 'ReportTranscoderRestarted':
      return reportTranscoderRestarted(command.data, state);
    case 'ReportStopped':
      return reportStopped(command.data, state);
    case 'ReportFailed':
      return reportFailed(command.data, state);
    case 'RequestStop':
      return requestStop(command.data, state);
    case 'RequestResume':
      return requestResume(command.data, state);
    case 'ReassignJob':
      return reassign(command.data, state);
    case 'FailJob':
      return fail(command.data, state);
    case 'RecordRepair':
      return recordRepair(command.data, state);
    case 'DeleteJob':
      return remove(command.data, state);
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

export const jobDecider: Decider<JobCommand, JobState, JobEvent> = {
  decide: decideJob,
  evolve: evolveJob,
  initialState: initialJobState,
};
