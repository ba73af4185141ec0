import {
  handleCommand,
  JobError,
  jobDecider,
  jobStreamId,
  type JobCommand,
  type JobEvent,
  type JobState,
  type RecordedEvent,
  type EventStore,
} from '@ezlive/domain';
import { commandContext } from '@ezlive/infra';

type WorkerReport = Extract<JobCommand, { data: { workerId: string; attempt: number } }>;

/** What a report came to: appended, nothing to append, or fenced (the job is not ours). */
export type ReportOutcome = 'appended' | 'unchanged' | 'fenced';

/**
 * The worker's side of the job decider: every report carries this worker's id and the
 * assignment attempt, so a report about a job that moved elsewhere is refused by the
 * decider (ATTEMPT_FENCED) and the caller stops its FFmpeg.
 */
export class JobReporter {
  constructor(
    private readonly store: EventStore,
    readonly workerId: string,
    /**
     * Waits between tries when the store fails (Redis restarting, a connection reset): 250 ms
     * doubling to 8 s, ~16 s in all, so a report outlives a Redis restart instead of being
     * lost with it. Safe to repeat: the decider turns a report that already landed (its
     * reply was lost) into no event.
     */
    private readonly retryDelaysMs: readonly number[] = [250, 500, 1000, 2000, 4000, 8000],
  ) {}

  async report(
    jobId: string,
    command: WorkerReport,
    causationId: string | null = null,
  ): Promise<ReportOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.reportOnce(jobId, command, causationId);
      } catch (err) {
        const wait = this.retryDelaysMs[attempt];
        if (err instanceof JobError || wait === undefined) throw err; // a decision, or out of tries
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async reportOnce(
    jobId: string,
    command: WorkerReport,
    causationId: string | null,
  ): Promise<ReportOutcome> {
    try {
      const { events } = await handleCommand(
        this.store,
        jobStreamId(jobId),
        jobDecider,
        command,
        commandContext(`worker:${this.workerId}`, { correlationId: jobId, causationId }),
        {
          metadata: { jobId },
        },
      );
      return events.length > 0 ? 'appended' : 'unchanged';
    } catch (err) {
      if (
        err instanceof JobError &&
        (err.code === 'ATTEMPT_FENCED' || err.code === 'JOB_NOT_FOUND')
      )
        return 'fenced';
      throw err;
    }
  }

  /** The job as the event store has it now (for the spec and the current attempt). */
  async load(jobId: string): Promise<JobState> {
    const history = (await this.store.readStream(jobStreamId(jobId))) as RecordedEvent<JobEvent>[];
    return history.reduce(jobDecider.evolve, jobDecider.initialState());
  }
}
