import { DeleteMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import { JobError, jobStreamId, type EventStore } from '@ezlive/domain';
import { SqsIntake } from '../sqs/sqs-intake';
import type { JobPlacer } from './job-placer';
import type { SchedulerLog } from './scheduler-log';

export interface IntakeConsumerOptions {
  /** Long-poll wait. @defaultValue 20 */
  waitSeconds?: number;
  /** Messages per receive (SQS maximum 10). @defaultValue 10 */
  batchSize?: number;
  /** Concurrent long-poll loops in this instance. @defaultValue 2 */
  loops?: number;
}

/**
 * SQS intake: long-poll, place each job, then delete the message — only after the job's
 * JobQueued and JobAssigned/JobAwaitingCapacity are appended and the work is in BullMQ.
 * Unparseable bodies and unknown jobs go to the dead-letter queue with a log line; any
 * other failure leaves the message for redelivery (and SQS's redrive policy bounds that).
 */
export class IntakeConsumer {
  private abort = new AbortController();
  private loops: Promise<void>[] = [];
  private running = false;
  /** Last receive outcome, for readiness. */
  sqsUp = false;

  constructor(
    private readonly intake: SqsIntake,
    private readonly placer: JobPlacer,
    private readonly store: EventStore,
    private readonly log: SchedulerLog,
    private readonly options: IntakeConsumerOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loops = Array.from({ length: this.options.loops ?? 2 }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    // A receive stuck resolving credentials or queues (SQS unreachable) is not worth waiting for.
    await Promise.race([
      Promise.allSettled(this.loops),
      new Promise((r) => setTimeout(r, 1500).unref()),
    ]);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    let backoff = 500;
    while (this.running) {
      try {
        const messages = await this.intake.receive(
          this.options.batchSize ?? 10,
          this.options.waitSeconds ?? 20,
          this.abort.signal,
        );
        this.sqsUp = true;
        backoff = 500;
        const done = await Promise.all(messages.map((m) => this.handle(m)));
        const receipts = messages.filter((_, i) => done[i]).map((m) => m.ReceiptHandle!);
        if (receipts.length > 0) await this.deleteBatch(receipts);
      } catch (err) {
        if (!this.running) return;
        this.sqsUp = false;
        this.log.warn({ err }, `SQS intake: ${(err as Error).message}; retrying in ${backoff} ms`);
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /** `true` when the message is finished with and may be deleted. */
  private async handle(m: Message): Promise<boolean> {
    const parsed = SqsIntake.parse(m.Body);
    if (!parsed) {
      this.log.warn({ messageId: m.MessageId }, 'intake: unparseable message → dead-letter queue');
      await this.intake.deadLetter(m, 'unparseable');
      return false;
    }
    try {
      const outcome = await this.placer.place(parsed.jobId, { correlationId: m.MessageId });
      this.log.debug({ jobId: parsed.jobId, outcome }, 'intake: placed');
      return true;
    } catch (err) {
      if (err instanceof JobError && err.code === 'JOB_NOT_FOUND') {
        if ((await this.store.readStream(jobStreamId(parsed.jobId))).length > 0) return true; // deleted since
        this.log.warn({ jobId: parsed.jobId }, 'intake: unknown job → dead-letter queue');
        await this.intake.deadLetter(m, `unknown job ${parsed.jobId}`);
        return false;
      }
      // Soon, not after the 30 s visibility timeout: what failed is usually transient.
      const retryInSec = await this.intake.retryLater(m).catch(() => 30);
      this.log.error(
        { err, jobId: parsed.jobId, retryInSec },
        `intake: placement failed; message redelivered in ${retryInSec} s`,
      );
      return false;
    }
  }

  private async deleteBatch(receipts: string[]): Promise<void> {
    const { queueUrl } = await this.intake.ensureQueues();
    await this.intake.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: receipts.map((r, i) => ({ Id: String(i), ReceiptHandle: r })),
      }),
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
