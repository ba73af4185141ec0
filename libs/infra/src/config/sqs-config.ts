import { str } from 'envalid';
import type { SqsIntakeOptions } from '../sqs/sqs-intake';

/** The intake queue settings; the api (sender) and the scheduler (consumer) read the same. */
export const SQS_ENV = {
  SQS_ENDPOINT: str({
    default: '',
    desc: 'SQS endpoint URL for SQS-protocol servers (fauxqs, ElasticMQ); empty for AWS',
  }),
  SQS_REGION: str({ default: 'us-east-1', desc: 'SQS region' }),
  SQS_QUEUE_NAME: str({
    default: 'ezlive-intake',
    desc: 'Intake queue name (created with its -dlq if missing)',
  }),
  SQS_QUEUE_URL: str({
    default: '',
    desc: 'URL of an intake queue provisioned outside ezlive: used as is, nothing is created (SQS_QUEUE_NAME is then ignored)',
  }),
  SQS_DLQ_URL: str({
    default: '',
    desc: "Dead-letter queue of SQS_QUEUE_URL; empty: the target of that queue's redrive policy",
  }),
  AWS_ACCESS_KEY_ID: str({
    default: '',
    desc: "Static SQS credentials; empty uses the AWS SDK's default provider chain",
  }),
  AWS_SECRET_ACCESS_KEY: str({ default: '', desc: 'Secret of AWS_ACCESS_KEY_ID' }),
};

type SqsEnv = { [K in keyof typeof SQS_ENV]: string };

/** SqsIntake options from the parsed settings; empty values mean "not set". */
export function sqsOptions(e: SqsEnv): SqsIntakeOptions {
  return {
    ...(e.SQS_ENDPOINT ? { endpoint: e.SQS_ENDPOINT } : {}),
    region: e.SQS_REGION,
    queueName: e.SQS_QUEUE_NAME,
    ...(e.SQS_QUEUE_URL ? { queueUrl: e.SQS_QUEUE_URL } : {}),
    ...(e.SQS_DLQ_URL ? { dlqUrl: e.SQS_DLQ_URL } : {}),
    ...(e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: e.AWS_ACCESS_KEY_ID,
            secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
          },
        }
      : {}),
  };
}
