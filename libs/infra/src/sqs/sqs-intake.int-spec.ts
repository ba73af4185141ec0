import { startSqsServer, type SqsServer } from '../../../../test/support/sqs';
import { SqsIntake } from './sqs-intake';

describe('SqsIntake (real SQS-protocol server)', () => {
  let server: SqsServer;
  let intake: SqsIntake;

  beforeAll(async () => {
    server = await startSqsServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    intake = new SqsIntake({
      endpoint: server.endpoint,
      region: server.region,
      queueName: `intake-${Date.now()}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
  });
  afterEach(() => intake.destroy());

  it('creates its queues idempotently, sends, long-polls, deletes', async () => {
    const first = await intake.ensureQueues();
    expect(await intake.ensureQueues()).toEqual(first);
    await intake.send({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ0' });
    const [m] = await intake.receive(10, 1);
    expect(SqsIntake.parse(m.Body)).toEqual({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ0' });
    await intake.delete(m.ReceiptHandle!);
    expect(await intake.receive(10, 1)).toEqual([]);
  });

  it('a message whose handling failed comes back within seconds, not the 30 s visibility timeout', async () => {
    expect([1, 2, 3, 4, 5, 6].map(SqsIntake.retryDelaySec)).toEqual([2, 4, 8, 16, 30, 30]);
    await intake.send({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ3' });
    const [m] = await intake.receive(10, 1);
    expect(m.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await intake.retryLater(m)).toBe(2);
    // A 5 s long poll: it is visible again in 2 s (the queue's own timeout is 30 s).
    const [again] = await intake.receive(10, 5);
    expect(SqsIntake.parse(again?.Body)).toEqual({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ3' });
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
    await intake.delete(again.ReceiptHandle!);
  });

  it('a message taken by a scheduler that died is delivered again after 10 s, not the queue default 30 s', async () => {
    await intake.send({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ4' });
    const [taken] = await intake.receive(10, 1); // …and never deleted: its receiver died
    expect(taken).toBeDefined();
    expect(await intake.receive(10, 1)).toEqual([]); // hidden from the others meanwhile
    // One 15 s long poll: it returns as soon as the message is visible again.
    const [again] = await intake.receive(10, 15);
    expect(SqsIntake.parse(again?.Body)).toEqual({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ4' });
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
    await intake.delete(again.ReceiptHandle!);
  }, 30_000);

  it('re-creates a queue that vanished (deleted, or an emulator restarted empty) and carries on', async () => {
    const { queueUrl, dlqUrl } = await intake.ensureQueues();
    const { DeleteQueueCommand } = await import('@aws-sdk/client-sqs');
    await intake.client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await intake.client.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    await intake.send({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ1' }); // would fail on the cached URL
    const [m] = await intake.receive(10, 1);
    expect(SqsIntake.parse(m.Body)).toEqual({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ1' });
    await intake.delete(m.ReceiptHandle!);
    expect(await intake.depth('main')).toBe(0);
    expect(await intake.depth('dlq')).toBe(0);
  });

  it('moves a poison message to the dead-letter queue', async () => {
    await intake.ensureQueues();
    await intake.client.send(
      new (await import('@aws-sdk/client-sqs')).SendMessageCommand({
        QueueUrl: (await intake.ensureQueues()).queueUrl,
        MessageBody: 'not json',
      }),
    );
    const [m] = await intake.receive(10, 1);
    expect(SqsIntake.parse(m.Body)).toBeNull();
    await intake.deadLetter(m, 'unparseable');
    expect(await intake.depth('main')).toBe(0);
    expect(await intake.depth('dlq')).toBe(1);
  });

  it.each(['', '{}', '{"jobId":"../x"}', '{"jobId":1}', 'null', '[]'])(
    'rejects malformed body %p',
    (body) => {
      expect(SqsIntake.parse(body)).toBeNull();
    },
  );

  describe('a queue provisioned outside ezlive (SQS_QUEUE_URL)', () => {
    const job = '01JABCDEFGHJKMNPQRSTVWXYZ7';
    const provision = async (name: string, withRedrive: boolean) => {
      const { CreateQueueCommand, GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
      const dlq = await intake.client.send(new CreateQueueCommand({ QueueName: `${name}-dead` }));
      const arn = (
        await intake.client.send(
          new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes!.QueueArn!;
      const main = await intake.client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: withRedrive
            ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 }) }
            : {},
        }),
      );
      return { queueUrl: main.QueueUrl!, dlqUrl: dlq.QueueUrl! };
    };
    const queueNames = async () => {
      const { ListQueuesCommand } = await import('@aws-sdk/client-sqs');
      const out = await intake.client.send(new ListQueuesCommand({}));
      return (out.QueueUrls ?? []).map((u) => u.split('/').pop()).sort();
    };
    const given = (extra: { queueUrl: string; dlqUrl?: string }) =>
      new SqsIntake({
        endpoint: server.endpoint,
        region: server.region,
        queueName: 'never-created',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        ...extra,
      });

    it('uses it as is, finds its DLQ from the redrive policy, creates nothing', async () => {
      const name = `provisioned-${Date.now()}`;
      const q = await provision(name, true);
      const before = await queueNames();
      const own = given({ queueUrl: q.queueUrl });
      try {
        expect(await own.ensureQueues()).toEqual(q);
        await own.send({ jobId: job });
        const [m] = await own.receive(10, 1);
        expect(SqsIntake.parse(m.Body)).toEqual({ jobId: job });
        await own.deadLetter(m, 'test');
        expect(await own.depth('dlq')).toBe(1);
        expect(await own.depth('main')).toBe(0);
        expect(await queueNames()).toEqual(before);
        expect(before).not.toContain('never-created');
      } finally {
        own.destroy();
      }
    });

    it('takes the DLQ from SQS_DLQ_URL, and says so when there is neither', async () => {
      const q = await provision(`bare-${Date.now()}`, false);
      const withDlq = given(q);
      const without = given({ queueUrl: q.queueUrl });
      try {
        expect(await withDlq.ensureQueues()).toEqual(q);
        await expect(without.ensureQueues()).rejects.toThrow(
          /has no redrive policy: give its dead-letter queue with SQS_DLQ_URL/,
        );
      } finally {
        withDlq.destroy();
        without.destroy();
      }
    });
  });
});
