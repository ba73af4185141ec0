import type { JobEvent } from './job.events';
import type { JobStatus } from './job.state';
import type { JobSpec } from './spec/job-spec';

export const SPEC: JobSpec = {
  name: 'demo',
  input: { protocol: 'rtmp', reconnectWindowSec: 30 },
  output: {
    formats: ['hls'],
    segmentFormat: 'fmp4',
    segmentDurationSec: 2,
    windowSec: 60,
    destination: { type: 'local' },
  },
  video: [
    {
      name: '360p',
      codec: 'h264',
      width: 640,
      height: 360,
      bitrateKbps: 800,
      maxBitrateKbps: 800,
      bufferSizeKbps: 1600,
      preset: 'veryfast',
    },
  ],
  audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 128, channels: 2, sampleRateHz: 48000 }],
};

export const created: JobEvent = {
  type: 'JobCreated',
  data: { jobId: 'j1', spec: SPEC, warnings: [], streamKeyFingerprint: 'ab12' },
};
export const queued: JobEvent = { type: 'JobQueued', data: { cost: 1 } };
export const awaiting: JobEvent = {
  type: 'JobAwaitingCapacity',
  data: { cost: 1, reason: 'no worker has 1 free' },
};
export const assigned = (attempt = 1, workerId = 'w1'): JobEvent => ({
  type: 'JobAssigned',
  data: { workerId, attempt },
});
export const INGEST = { rtmpBaseUrl: 'rtmp://w1:1935/live' };
export const running = (attempt = 1, workerId = 'w1'): JobEvent => ({
  type: 'JobRunning',
  data: { workerId, attempt, ingest: INGEST },
});
export const INPUT = { video: { codec: 'h264', width: 1280, height: 720, fps: 30 } };
export const ingestStarted = (attempt = 1): JobEvent => ({
  type: 'IngestStarted',
  data: { attempt, input: INPUT },
});
export const stopRequested: JobEvent = { type: 'StopRequested', data: { reason: 'user' } };
export const stopped: JobEvent = { type: 'JobStopped', data: { reason: 'user' } };
export const failed: JobEvent = {
  type: 'JobFailed',
  data: { reason: 'crash loop', detail: ['x'] },
};
export const resumeRequested: JobEvent = { type: 'ResumeRequested', data: {} };
export const deleted: JobEvent = { type: 'JobDeleted', data: {} };

/** The shortest history that leaves a job in each status. */
export const HISTORY: Record<JobStatus | 'initial', JobEvent[]> = {
  initial: [],
  created: [created],
  queued: [created, queued],
  awaiting_capacity: [created, queued, awaiting],
  assigned: [created, queued, assigned()],
  running: [created, queued, assigned(), running()],
  streaming: [created, queued, assigned(), running(), ingestStarted()],
  stopping: [created, queued, assigned(), running(), stopRequested],
  stopped: [created, queued, assigned(), running(), stopRequested, stopped],
  failed: [created, queued, assigned(), running(), failed],
  deleted: [created, queued, assigned(), running(), stopRequested, stopped, deleted],
};
