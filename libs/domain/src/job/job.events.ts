import type { Event } from '../events/event';
import type { JobSpec } from './spec/job-spec';
import type { SpecIssue } from './spec/spec-issue';

/** Where a worker accepts this job's feed. Secrets (stream key, passphrase) are never in events. */
export interface IngestEndpoints {
  /** `rtmp://host:port/live` — the stream key is appended by whoever knows it. */
  rtmpBaseUrl?: string;
  /** `srt://host:port` — the passphrase is delivered separately. */
  srtUrl?: string;
}

/** What the worker probed from the publisher's feed. */
export interface InputInfo {
  video?: { codec: string; width: number; height: number; fps: number | null };
  audio?: { codec: string; sampleRateHz: number; channels: number };
  bitrateKbps?: number | null;
}

export type JobCreated = Event<
  'JobCreated',
  { jobId: string; spec: JobSpec; warnings: SpecIssue[]; streamKeyFingerprint: string }
>;
export type JobQueued = Event<'JobQueued', { cost: number }>;
export type JobAwaitingCapacity = Event<'JobAwaitingCapacity', { cost: number; reason: string }>;
export type JobAssigned = Event<'JobAssigned', { workerId: string; attempt: number }>;
export type JobRunning = Event<
  'JobRunning',
  { workerId: string; attempt: number; ingest: IngestEndpoints }
>;
export type IngestStarted = Event<'IngestStarted', { attempt: number; input: InputInfo }>;
export type IngestStopped = Event<'IngestStopped', { attempt: number; reason: string }>;
export type TranscoderRestarted = Event<
  'TranscoderRestarted',
  {
    attempt: number;
    restart: number;
    exitCode: number | null;
    signal: string | null;
    reason: string;
  }
>;
export type StopRequested = Event<'StopRequested', { reason: string }>;
export type JobStopped = Event<'JobStopped', { reason: string }>;
export type ResumeRequested = Event<'ResumeRequested', Record<string, never>>;
export type JobFailed = Event<'JobFailed', { reason: string; detail: string[] }>;
export type JobReassigned = Event<
  'JobReassigned',
  { fromWorkerId: string; attempt: number; reason: string }
>;
export type JobDeleted = Event<'JobDeleted', Record<string, never>>;
/**
 * What the reconciler re-did for a job stuck between two steps, with why. State is unchanged:
 * `intake-resent` (created but never queued: its SQS message was sent again),
 * `stop-redispatched` (stopping but never confirmed: the stop was delivered again).
 */
export type RepairAction = 'intake-resent' | 'stop-redispatched';
export type JobRepaired = Event<'JobRepaired', { action: RepairAction; reason: string }>;

export type JobEvent =
  | JobCreated
  | JobQueued
  | JobAwaitingCapacity
  | JobAssigned
  | JobRunning
  | IngestStarted
  | IngestStopped
  | TranscoderRestarted
  | StopRequested
  | JobStopped
  | ResumeRequested
  | JobFailed
  | JobReassigned
  | JobRepaired
  | JobDeleted;

export type JobEventType = JobEvent['type'];

export const JOB_EVENT_TYPES: readonly JobEventType[] = [
  'JobCreated',
  'JobQueued',
  'JobAwaitingCapacity',
  'JobAssigned',
  'JobRunning',
  'IngestStarted',
  'IngestStopped',
  'TranscoderRestarted',
  'StopRequested',
  'JobStopped',
  'ResumeRequested',
  'JobFailed',
  'JobReassigned',
  'JobRepaired',
  'JobDeleted',
];

export function isJobEvent(e: { type: string }): e is JobEvent {
  return (JOB_EVENT_TYPES as readonly string[]).includes(e.type);
}

export const jobStreamId = (jobId: string): string => `job-${jobId}`;
