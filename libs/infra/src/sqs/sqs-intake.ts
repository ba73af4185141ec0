import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

export interface SqsIntakeOptions {
  /** Custom endpoint for SQS-protocol servers (fauxqs, ElasticMQ); unset for AWS. */
  endpoint?: string;
  region: string;
  /** Queue name; created (with its dead-letter queue) when it does not exist. */
  queueName: string;
  /**
   * A queue provisioned outside ezlive (IaC, another account, no `sqs:CreateQueue`): used as
   * is, nothing is created. Its dead-letter queue is `dlqUrl`, or else the target of its
   * redrive policy.
   */
  queueUrl?: string;
  dlqUrl?: string;
  /** Receives before a message moves to the dead-letter queue. @defaultValue 5 */
  maxReceiveCount?: number;
  /** Static credentials; unset uses the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The only message on the intake queue: which job needs placing. */
export interface IntakeMessage {
  jobId: string;
}

/**
 * Job intake over SQS. Works against AWS and any SQS-protocol server: only
 * CreateQueue/GetQueueUrl/Send/Receive/Delete/GetQueueAttributes are used.
 */
export class SqsIntake {
  readonly client: SQSClient;
  private queueUrl?: string;
  private dlqUrl?: string;

  constructor(private readonly options: SqsIntakeOptions) {
    this.client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 3,
    });
  }

  /** Idempotent: resolves the queue URLs, creating the queue and its DLQ if needed. */
  async ensureQueues(): Promise<{ queueUrl: string; dlqUrl: string }> {
    if (this.queueUrl && this.dlqUrl) return { queueUrl: this.queueUrl, dlqUrl: this.dlqUrl };
    if (this.options.queueUrl) return this.provisioned(this.options.queueUrl);
    const dlqName = `${this.options.queueName}-dlq`;
    const dlq = await this.client.send(new CreateQueueCommand({ QueueName: dlqName }));
    const dlqArn = (
      await this.client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    const main = await this.client.send(
      new CreateQueueCommand({
        QueueName: this.options.queueName,
        Attributes: {
          VisibilityTimeout: '30',
          ...(dlqArn
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: dlqArn,
                  maxReceiveCount: this.options.maxReceiveCount ?? 5,
                }),
              }
            : {}),
        },
      }),
    );
    this.queueUrl = main.QueueUrl!;
    this.dlqUrl = dlq.QueueUrl!;
    return { queueUrl: this.queueUrl, dlqUrl: this.dlqUrl };
  }

  /** A given queue: its DLQ from the options or from its redrive policy; nothing created. */
  private async provisioned(queueUrl: string): Promise<{ queueUrl: string; dlqUrl: string }> {
    let dlqUrl = this.options.dlqUrl;
    if (!dlqUrl) {
      const attrs = await this.client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
      );
      const policy = attrs.Attributes?.RedrivePolicy;
      const arn = policy
        ? (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
        : undefined;
      // arn:aws:sqs:<region>:<account>:<name>
      const [, , , , account, name] = arn?.split(':') ?? [];
      if (!name) {
        throw new Error(
          `SQS queue ${queueUrl} has no redrive policy: give its dead-letter queue with SQS_DLQ_URL`,
        );
      }
      dlqUrl = (
        await this.client.send(
          new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account || undefined }),
        )
      ).QueueUrl!;
    }
    this.queueUrl = queueUrl;
    this.dlqUrl = dlqUrl;
    return { queueUrl, dlqUrl };
  }

  /**
   * Runs `fn` with the queue URLs. A queue that vanished (deleted by an operator, or an
   * SQS-protocol server that restarted empty) is created again and `fn` retried once, so
   * intake resumes by itself instead of failing on a cached URL forever.
   */
  private async withQueues<T>(fn: (q: { queueUrl: string; dlqUrl: string }) => Promise<T>) {
    try {
      return await fn(await this.ensureQueues());
    } catch (err) {
      // A provisioned queue is not ours to re-create: its absence is the operator's to fix.
      if (!isMissingQueue(err) || this.options.queueUrl) throw err;
      this.queueUrl = undefined;
      this.dlqUrl = undefined;
      return fn(await this.ensureQueues());
    }
  }

  async send(message: IntakeMessage): Promise<void> {
    await this.withQueues(({ queueUrl }) =>
      this.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }),
      ),
    );
  }

  /**
   * How long a received message stays hidden from other schedulers, per receive (so it holds
   * for provisioned queues too). A placement takes milliseconds; this bounds how long the
   * messages a killed scheduler had taken wait before a survivor gets them (the queue's
   * default is 30 s). Handling that outlasts it is harmless: a second placement of the same
   * message is a no-op.
   */
  static readonly RECEIVE_VISIBILITY_SEC = 10;

  /** Long poll: waits up to `waitSeconds` for up to `max` messages. */
  async receive(max = 10, waitSeconds = 20, abortSignal?: AbortSignal): Promise<Message[]> {
    const out = await this.withQueues(({ queueUrl }) =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: SqsIntake.RECEIVE_VISIBILITY_SEC,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal },
      ),
    );
    return out.Messages ?? [];
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.withQueues(({ queueUrl }) =>
      this.client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }),
      ),
    );
  }

  /**
   * Seconds until a message whose handling failed is delivered again: 2, 4, 8, 16, then 30
   * by receive count, so a transient fault (Redis restarting) is retried within seconds,
   * and the five receives before the dead-letter queue still span a minute.
   */
  static retryDelaySec(receiveCount: number): number {
    return Math.min(30, 2 ** Math.max(1, receiveCount));
  }

  /** Makes a message whose handling failed visible again after `retryDelaySec`. */
  async retryLater(message: Message): Promise<number> {
    const seconds = SqsIntake.retryDelaySec(
      Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    );
    await this.withQueues(({ queueUrl }) =>
      this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: seconds,
        }),
      ),
    );
    return seconds;
  }

  /** Moves a message that can never succeed to the DLQ explicitly (then deletes it). */
  async deadLetter(message: Message, reason: string): Promise<void> {
    await this.withQueues(({ dlqUrl }) =>
      this.client.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: message.Body ?? '',
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
        }),
      ),
    );
    if (message.ReceiptHandle) await this.delete(message.ReceiptHandle);
  }

  async depth(which: 'main' | 'dlq' = 'main'): Promise<number> {
    const out = await this.withQueues(({ queueUrl, dlqUrl }) =>
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: which === 'main' ? queueUrl : dlqUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      ),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** Parses an intake message body; `null` for anything malformed (goes to the DLQ). */
  static parse(body: string | undefined): IntakeMessage | null {
    try {
      const m = JSON.parse(body ?? '') as unknown;
      if (
        typeof m === 'object' &&
        m !== null &&
        typeof (m as IntakeMessage).jobId === 'string' &&
        /^[0-9A-HJKMNP-TV-Z]{26}$/.test((m as IntakeMessage).jobId)
      ) {
        return { jobId: (m as IntakeMessage).jobId };
      }
    } catch {
      // fall through
    }
    return null;
  }

  destroy(): void {
    this.client.destroy();
  }

  /** Resolves a queue URL by name without creating it. */
  async urlOf(name: string): Promise<string> {
    return (await this.client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  }
}

/** SQS's "no such queue" (`QueueDoesNotExist`, or the query protocol's legacy code). */
function isMissingQueue(err: unknown): boolean {
  const e = err as { name?: string; Code?: string };
  return (
    e?.name === 'QueueDoesNotExist' ||
    e?.name === 'AWS.SimpleQueueService.NonExistentQueue' ||
    e?.Code === 'AWS.SimpleQueueService.NonExistentQueue'
  );
}
