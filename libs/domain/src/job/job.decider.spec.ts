import { deciderSpec } from '../testing/decider-spec';
import { jobDecider, type JobCommand } from './job.decider';
import type { JobEvent } from './job.events';
import { HISTORY, INGEST, INPUT, SPEC, assigned, created } from './job.fixtures';
import type { JobStatus } from './job.state';

const spec = deciderSpec(jobDecider);
type Status = JobStatus | 'initial';
type Outcome = JobEvent[] | string; // events, or the error code
const STATUSES = Object.keys(HISTORY) as Status[];

const report = { workerId: 'w1', attempt: 1 };

/**
 * For each command: the outcome in every status. A status not listed must raise the
 * command's `otherwise` code — so every (status, command) pair is asserted.
 */
const TABLE: Array<{
  command: JobCommand;
  outcomes: Partial<Record<Status, Outcome>>;
  otherwise: string;
}> = [
  {
    command: {
      type: 'CreateJob',
      data: { jobId: 'j1', spec: SPEC, warnings: [], streamKeyFingerprint: 'ab12' },
    },
    outcomes: { initial: [created], deleted: 'JOB_NOT_FOUND' },
    otherwise: 'JOB_ALREADY_EXISTS',
  },
  {
    command: { type: 'QueueJob', data: { cost: 1 } },
    outcomes: {
      created: [{ type: 'JobQueued', data: { cost: 1 } }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'NO_EVENTS', // redelivered intake is a no-op in every other status
  },
  {
    command: { type: 'WaitForCapacity', data: { cost: 5, reason: 'full' } },
    outcomes: {
      queued: [{ type: 'JobAwaitingCapacity', data: { cost: 5, reason: 'full' } }],
      awaiting_capacity: [],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'JOB_NOT_PLACEABLE',
  },
  {
    command: { type: 'AssignJob', data: { workerId: 'w2' } },
    outcomes: {
      queued: [assigned(1, 'w2')],
      awaiting_capacity: [assigned(1, 'w2')],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'JOB_NOT_PLACEABLE',
  },
  {
    command: { type: 'ReportRunning', data: { ...report, ingest: INGEST } },
    outcomes: {
      assigned: [{ type: 'JobRunning', data: { ...report, ingest: INGEST } }],
      running: [],
      streaming: [],
      stopping: 'ILLEGAL_TRANSITION',
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'ATTEMPT_FENCED', // unplaced states hold attempt 0 or are no longer placed
  },
  {
    command: { type: 'ReportIngestStarted', data: { ...report, input: INPUT } },
    outcomes: {
      running: [{ type: 'IngestStarted', data: { attempt: 1, input: INPUT } }],
      streaming: [],
      assigned: 'ILLEGAL_TRANSITION',
      stopping: 'ILLEGAL_TRANSITION',
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'ATTEMPT_FENCED',
  },
  {
    command: { type: 'ReportIngestStopped', data: { ...report, reason: 'publisher left' } },
    outcomes: {
      streaming: [{ type: 'IngestStopped', data: { attempt: 1, reason: 'publisher left' } }],
      running: [],
      assigned: [],
      stopping: [],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'ATTEMPT_FENCED',
  },
  {
    command: {
      type: 'ReportTranscoderRestarted',
      data: { ...report, restart: 1, exitCode: 1, signal: null, reason: 'crash' },
    },
    outcomes: {
      running: [
        {
          type: 'TranscoderRestarted',
          data: { attempt: 1, restart: 1, exitCode: 1, signal: null, reason: 'crash' },
        },
      ],
      streaming: [
        {
          type: 'TranscoderRestarted',
          data: { attempt: 1, restart: 1, exitCode: 1, signal: null, reason: 'crash' },
        },
      ],
      assigned: 'ILLEGAL_TRANSITION',
      stopping: 'ILLEGAL_TRANSITION',
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'ATTEMPT_FENCED',
  },
  {
    command: { type: 'ReportStopped', data: { ...report, reason: 'stop requested' } },
    outcomes: {
      assigned: [{ type: 'JobStopped', data: { reason: 'stop requested' } }],
      running: [{ type: 'JobStopped', data: { reason: 'stop requested' } }],
      streaming: [{ type: 'JobStopped', data: { reason: 'stop requested' } }],
      stopping: [{ type: 'JobStopped', data: { reason: 'stop requested' } }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'ATTEMPT_FENCED',
  },
  {
    command: {
      type: 'ReportFailed',
      data: { ...report, reason: 'budget spent', detail: ['stderr'] },
    },
    outcomes: {
      assigned: [{ type: 'JobFailed', data: { reason: 'budget spent', detail: ['stderr'] } }],
      running: [{ type: 'JobFailed', data: { reason: 'budget spent', detail: ['stderr'] } }],
      streaming: [{ type: 'JobFailed', data: { reason: 'budget spent', detail: ['stderr'] } }],
      stopping: [{ type: 'JobFailed', data: { reason: 'budget spent', detail: ['stderr'] } }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'ATTEMPT_FENCED',
  },
  {
    command: { type: 'RequestStop', data: { reason: 'user' } },
    outcomes: Object.fromEntries([
      ...(['created', 'queued', 'awaiting_capacity'] as const).map((s) => [
        s,
        [
          { type: 'StopRequested', data: { reason: 'user' } },
          { type: 'JobStopped', data: { reason: 'stopped before placement' } },
        ],
      ]),
      ...(['assigned', 'running', 'streaming'] as const).map((s) => [
        s,
        [{ type: 'StopRequested', data: { reason: 'user' } }],
      ]),
      ['initial', 'JOB_NOT_FOUND'],
      ['deleted', 'JOB_NOT_FOUND'],
    ]),
    otherwise: 'JOB_NOT_STOPPABLE',
  },
  {
    command: { type: 'RequestResume', data: {} },
    outcomes: {
      stopped: [{ type: 'ResumeRequested', data: {} }],
      failed: [{ type: 'ResumeRequested', data: {} }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'JOB_NOT_RESUMABLE',
  },
  {
    command: { type: 'RecordRepair', data: { action: 'intake-resent', reason: 'stuck' } },
    outcomes: {
      created: [{ type: 'JobRepaired', data: { action: 'intake-resent', reason: 'stuck' } }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'NO_EVENTS', // queued or later meanwhile: the intake already happened
  },
  {
    command: { type: 'RecordRepair', data: { action: 'stop-redispatched', reason: 'stuck' } },
    outcomes: {
      stopping: [{ type: 'JobRepaired', data: { action: 'stop-redispatched', reason: 'stuck' } }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'NO_EVENTS', // stopped meanwhile, or never asked to stop
  },
  {
    command: { type: 'ReassignJob', data: { fromWorkerId: 'w1', reason: 'worker lost' } },
    outcomes: {
      assigned: [
        { type: 'JobReassigned', data: { fromWorkerId: 'w1', attempt: 1, reason: 'worker lost' } },
      ],
      running: [
        { type: 'JobReassigned', data: { fromWorkerId: 'w1', attempt: 1, reason: 'worker lost' } },
      ],
      streaming: [
        { type: 'JobReassigned', data: { fromWorkerId: 'w1', attempt: 1, reason: 'worker lost' } },
      ],
      stopping: [{ type: 'JobStopped', data: { reason: 'worker w1 lost while stopping' } }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'NO_EVENTS', // not held by that worker: nothing to do
  },
  {
    command: { type: 'FailJob', data: { reason: 'unplaceable', detail: [] } },
    outcomes: {
      stopped: 'ILLEGAL_TRANSITION',
      failed: 'ILLEGAL_TRANSITION',
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'FAILS',
  },
  {
    command: { type: 'DeleteJob', data: {} },
    outcomes: {
      stopped: [{ type: 'JobDeleted', data: {} }],
      failed: [{ type: 'JobDeleted', data: {} }],
      initial: 'JOB_NOT_FOUND',
      deleted: 'JOB_NOT_FOUND',
    },
    otherwise: 'JOB_NOT_STOPPED',
  },
];

describe('job decider: every command in every status', () => {
  for (const { command, outcomes, otherwise } of TABLE) {
    describe(command.type, () => {
      it.each(STATUSES)('from %s', (status) => {
        const outcome: Outcome = outcomes[status] ?? otherwise;
        const when = spec.given(HISTORY[status]).when(command);
        if (outcome === 'NO_EVENTS') when.then([]);
        else if (outcome === 'FAILS')
          when.then([{ type: 'JobFailed', data: { reason: 'unplaceable', detail: [] } }]);
        else if (typeof outcome === 'string') when.thenThrows(outcome);
        else when.then(outcome);
      });
    });
  }
});

describe('job decider: rules the Go original got wrong', () => {
  it('a job stopped before placement never starts: a late assignment is refused', () => {
    const history = [
      ...HISTORY.queued,
      { type: 'StopRequested', data: { reason: 'u' } },
      { type: 'JobStopped', data: { reason: 'x' } },
    ] as JobEvent[];
    spec
      .given(history)
      .when({ type: 'AssignJob', data: { workerId: 'w1' } })
      .thenThrows('JOB_NOT_PLACEABLE');
    spec
      .given(history)
      .when({ type: 'QueueJob', data: { cost: 1 } })
      .then([]);
  });

  it('resume is accepted once: the second resume is refused', () => {
    spec
      .given([...HISTORY.stopped, { type: 'ResumeRequested', data: {} }])
      .when({ type: 'RequestResume', data: {} })
      .thenThrows('JOB_NOT_RESUMABLE');
  });

  it('a report from an older attempt changes nothing, even from the same worker', () => {
    const reassignedAndRunning: JobEvent[] = [
      ...HISTORY.running,
      { type: 'JobReassigned', data: { fromWorkerId: 'w1', attempt: 1, reason: 'lost' } },
      assigned(2, 'w2'),
    ];
    spec
      .given(reassignedAndRunning)
      .when({ type: 'ReportRunning', data: { workerId: 'w1', attempt: 1, ingest: INGEST } })
      .thenThrows('ATTEMPT_FENCED');
    spec
      .given(reassignedAndRunning)
      .when({ type: 'ReportRunning', data: { workerId: 'w2', attempt: 2, ingest: INGEST } })
      .then([{ type: 'JobRunning', data: { workerId: 'w2', attempt: 2, ingest: INGEST } }]);
    // Right attempt, wrong worker: also fenced.
    spec
      .given(reassignedAndRunning)
      .when({ type: 'ReportFailed', data: { workerId: 'w1', attempt: 2, reason: 'x', detail: [] } })
      .thenThrows('ATTEMPT_FENCED');
  });

  it('resume keeps the job and counts attempts on: the next assignment is attempt 2', () => {
    spec
      .given([
        ...HISTORY.stopped,
        { type: 'ResumeRequested', data: {} },
        { type: 'JobQueued', data: { cost: 1 } },
      ])
      .when({ type: 'AssignJob', data: { workerId: 'w9' } })
      .then([assigned(2, 'w9')]);
  });
});
