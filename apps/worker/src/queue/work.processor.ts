import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  bullPrefix,
  WORK_JOB_NAMES,
  workQueueName,
  type WorkJobName,
  type WorkPayloads,
} from '@ezlive/infra';

export type WorkHandlers = { [N in WorkJobName]: (payload: WorkPayloads[N]) => Promise<unknown> };

export class MissingHandlerError extends Error {
  readonly code = 'WORK_HANDLER_MISSING';
}

/**
 * Consumes this worker's BullMQ queue. Refuses to start unless every job name of the work
 * contract has exactly one handler, so a new command can never be silently dropped.
 * Handlers are idempotent (deterministic BullMQ ids already stop most redeliveries).
 */
export class WorkProcessor {
  private worker?: Worker;

  constructor(
    private readonly connection: Redis,
    private readonly keyPrefix: string,
    private readonly workerId: string,
    private readonly handlers: WorkHandlers,
    private readonly onError: (err: Error, job?: Job) => void,
  ) {
    const missing = WORK_JOB_NAMES.filter(
      (n) => typeof (handlers as Record<string, unknown>)[n] !== 'function',
    );
    const unknown = Object.keys(handlers).filter(
      (n) => !(WORK_JOB_NAMES as readonly string[]).includes(n),
    );
    if (missing.length > 0 || unknown.length > 0) {
      throw new MissingHandlerError(
        `work handlers: missing [${missing.join(', ')}], unknown [${unknown.join(', ')}]`,
      );
    }
  }

  start(): void {
    this.worker = new Worker(
      workQueueName(this.workerId),
      async (job: Job) => {
        const name = job.name as WorkJobName;
        const handler = this.handlers[name] as ((p: unknown) => Promise<unknown>) | undefined;
        if (!handler) throw new MissingHandlerError(`no handler for work '${job.name}'`);
        return handler(job.data);
      },
      // Several jobs start at once on a worker; each handler only appends events and spawns.
      { connection: this.connection, prefix: bullPrefix(this.keyPrefix), concurrency: 8 },
    );
    this.worker.on('failed', (job, err) => this.onError(err, job));
    this.worker.on('error', (err) => this.onError(err));
  }

  /** Stops taking work; waits for handlers in progress. */
  async close(): Promise<void> {
    await this.worker?.close();
  }
}
