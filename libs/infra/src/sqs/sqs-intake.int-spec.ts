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
});
