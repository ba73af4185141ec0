import type { RecordedEvent } from '../events/event';
import { isJobEvent, type IngestEndpoints, type InputInfo, type JobEvent } from '../job/job.events';
import type { JobStatus } from '../job/job.state';
import type { JobSpec } from '../job/spec/job-spec';
import type { SpecIssue } from '../job/spec/spec-issue';
import type { Projection } from './projection';

/** Everything the API shows about a job, except secrets and high-rate stats. */
export interface JobView {
  jobId: string;
  name: string;
  state: JobStatus;
  spec: JobSpec;
  warnings: SpecIssue[];
  streamKeyFingerprint: string;
  createdAt: string;
  updatedAt: string;
  /** Version of the job stream folded into this document. */
  version: number;
  attempt: number;
  workerId: string | null;
  ingest: IngestEndpoints | null;
  input: InputInfo | null;
  restarts: number;
  lastError: { reason: string; detail: string[]; at: string } | null;
  stopReason: string | null;
}

export function evolveJobView(doc: JobView | null, event: RecordedEvent<JobEvent>): JobView | null {
  const { at, version } = event.metadata;
  if (event.type === 'JobCreated') {
    const d = event.data;
    return {
      jobId: d.jobId,
      name: d.spec.name,
      state: 'created',
      spec: d.spec,
      warnings: d.warnings,
      streamKeyFingerprint: d.streamKeyFingerprint,
      createdAt: at,
      updatedAt: at,
      version,
      attempt: 0,
      workerId: null,
      ingest: null,
      input: null,
      restarts: 0,
      lastError: null,
      stopReason: null,
    };
  }
  if (!doc) return null;
  // One spread per event, written out in each case: folding the benchmark's 20 000 events took
  // 19 ms with an intermediate copy, 10.8 ms through a `next(changes)` helper that spreads the
  // changes in, and 1.5–2.3 ms as below.
  switch (event.type) {
    case 'JobQueued':
      return { ...doc, updatedAt: at, version, state: 'queued' };
    case 'JobAwaitingCapacity':
      return { ...doc, updatedAt: at, version, state: 'awaiting_capacity' };
    case 'JobAssigned':
      return {
        ...doc,
        updatedAt: at,
        version,
        state: 'assigned',
        attempt: event.data.attempt,
        workerId: event.data.workerId,
        ingest: null,
        input: null,
      };
    case 'JobRunning':
      return { ...doc, updatedAt: at, version, state: 'running', ingest: event.data.ingest };
    case 'IngestStarted':
      return { ...doc, updatedAt: at, version, state: 'streaming', input: event.data.input };
    case 'IngestStopped':
      return { ...doc, updatedAt: at, version, state: 'running', input: null };
    case 'TranscoderRestarted':
      return {
        ...doc,
        updatedAt: at,
        version,
        restarts: doc.restarts + 1,
        lastError: { reason: event.data.reason, detail: [], at },
      };
    case 'StopRequested':
      return { ...doc, updatedAt: at, version, state: 'stopping', stopReason: event.data.reason };
    case 'JobStopped':
      return {
        ...doc,
        updatedAt: at,
        version,
        state: 'stopped',
        workerId: null,
        ingest: null,
        input: null,
        stopReason: event.data.reason,
      };
    case 'ResumeRequested':
      return { ...doc, updatedAt: at, version, state: 'created', stopReason: null };
    case 'JobFailed':
      return {
        ...doc,
        updatedAt: at,
        version,
        state: 'failed',
        workerId: null,
        ingest: null,
        input: null,
        lastError: { reason: event.data.reason, detail: event.data.detail, at },
      };
    case 'JobReassigned':
      return {
        ...doc,
        updatedAt: at,
        version,
        state: 'queued',
        workerId: null,
        ingest: null,
        input: null,
      };
    case 'JobRepaired':
      // The repair restarts the reconciler's clock for this job.
      return { ...doc, updatedAt: at, version };
    case 'JobDeleted':
      return null;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export const jobViewProjection: Projection<JobView> = {
  name: 'job-view',
  streamPrefix: 'job-',
  canHandle: (type) => isJobEvent({ type }),
  evolve: (doc, event) => evolveJobView(doc, event as RecordedEvent<JobEvent>),
};
