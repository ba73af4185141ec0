import type { IngestEndpoints, InputInfo, JobEvent } from './job.events';
import type { JobSpec } from './spec/job-spec';

export type JobStatus =
  | 'created'
  | 'queued'
  | 'awaiting_capacity'
  | 'assigned'
  | 'running'
  | 'streaming'
  | 'stopping'
  | 'stopped'
  | 'failed'
  | 'deleted';

export const JOB_STATUSES: readonly JobStatus[] = [
  'created',
  'queued',
  'awaiting_capacity',
  'assigned',
  'running',
  'streaming',
  'stopping',
  'stopped',
  'failed',
  'deleted',
];

/** Fields every existing job carries, whatever its status. */
interface JobBase {
  jobId: string;
  spec: JobSpec;
  /** The latest assignment attempt (0 before the first placement). Fences worker reports. */
  attempt: number;
  restarts: number;
}

interface Placed {
  workerId: string;
}

export type JobState =
  | { status: 'initial' }
  | (JobBase & { status: 'created' })
  | (JobBase & { status: 'queued' })
  | (JobBase & { status: 'awaiting_capacity' })
  | (JobBase & Placed & { status: 'assigned' })
  | (JobBase & Placed & { status: 'running'; ingest: IngestEndpoints })
  | (JobBase & Placed & { status: 'streaming'; ingest: IngestEndpoints; input: InputInfo })
  | (JobBase & Placed & { status: 'stopping' })
  | (JobBase & { status: 'stopped' })
  | (JobBase & { status: 'failed'; reason: string })
  | (JobBase & { status: 'deleted' });

export type ExistingJob = Exclude<JobState, { status: 'initial' }>;

export const initialJobState = (): JobState => ({ status: 'initial' });

/**
 * Folds one event into the state. Total: an event that does not fit the state (which
 * the decider never produces) leaves it unchanged rather than corrupting it.
 */
export function evolveJob(state: JobState, event: JobEvent): JobState {
  if (event.type === 'JobCreated') {
    return {
      status: 'created',
      jobId: event.data.jobId,
      spec: event.data.spec,
      attempt: 0,
      restarts: 0,
    };
  }
  if (state.status === 'initial') return state;
  const base: JobBase = {
    jobId: state.jobId,
    spec: state.spec,
    attempt: state.attempt,
    restarts: state.restarts,
  };
  switch (event.type) {
    case 'JobQueued':
      return { ...base, status: 'queued' };
    case 'JobAwaitingCapacity':
      return { ...base, status: 'awaiting_capacity' };
    case 'JobAssigned':
      return {
        ...base,
        status: 'assigned',
        attempt: event.data.attempt,
        workerId: event.data.workerId,
      };
    case 'JobRunning':
      return {
        ...base,
        status: 'running',
        workerId: event.data.workerId,
        ingest: event.data.ingest,
      };
    case 'IngestStarted':
      return state.status === 'running'
        ? { ...state, status: 'streaming', input: event.data.input }
        : state;
    case 'IngestStopped':
      return state.status === 'streaming'
        ? { ...base, status: 'running', workerId: state.workerId, ingest: state.ingest }
        : state;
    case 'TranscoderRestarted':
      return { ...state, restarts: state.restarts + 1 };
    case 'StopRequested':
      return 'workerId' in state
        ? { ...base, status: 'stopping', workerId: state.workerId }
        : state;
    case 'JobStopped':
      return { ...base, status: 'stopped' };
    case 'ResumeRequested':
      return { ...base, status: 'created' };
    case 'JobFailed':
      return { ...base, status: 'failed', reason: event.data.reason };
    case 'JobReassigned':
      return { ...base, status: 'queued' };
    case 'JobRepaired':
      return state;
    case 'JobDeleted':
      return { ...base, status: 'deleted' };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
