import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { handleCommand, jobDecider, jobStreamId, type JobCommand } from '@ezlive/domain';
import {
  commandContext,
  createLogger,
  EVENT_SOURCING,
  SqsIntake,
  type EventSourcing,
} from '@ezlive/infra';
import { dropPrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../../../test/support/redis';
import type { SqsServer } from '../../../test/support/sqs';
import { loadApiConfig, type ApiConfig } from '../src/api.config';
import { SQS_INTAKE } from '../src/api.tokens';
import { createApiApp } from '../src/http/create-api-app';

// @fastify/static requires content-disposition 3, which is ESM-only. Node 20.19+ loads it
// through require(esm), Jest's module system does not; only `reply.download` uses it, and
// the api never does.
jest.mock('content-disposition', () => ({ create: () => 'attachment' }));

export const USER_KEY = 'test-user-key-0123456789';
export const ADMIN_KEY = 'test-admin-key-0123456789';
export const auth = (key = USER_KEY) => ({ authorization: `Bearer ${key}` });

export const SPEC = {
  name: 'news',
  input: { protocol: 'rtmp' },
  output: { formats: ['hls', 'dash'] },
  video: [
    { name: '720p', codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000 },
    { name: '360p', codec: 'h264', width: 640, height: 360, bitrateKbps: 800 },
  ],
  audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 128 }],
};

export interface TestApi {
  app: NestFastifyApplication;
  config: ApiConfig;
  openapi: OpenAPIObject;
  routes: Array<{ method: string; url: string }>;
  es: EventSourcing;
  prefix: string;
  mediaDir: string;
  /** Counts (and removes) every message on the intake queue, waiting `waitSeconds` at most. */
  drainQueue(waitSeconds?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** The whole api app in-process on real Redis and a real SQS-protocol server. */
export async function startApi(
  sqs: SqsServer | { endpoint: string; region: string },
  env: Record<string, string> = {},
  logger: Logger = createLogger('api', 'silent'),
): Promise<TestApi> {
  const prefix = uniquePrefix('api');
  const mediaDir = mkdtempSync(join(tmpdir(), 'ezlive-media-'));
  const config = loadApiConfig({
    REDIS_URL: TEST_REDIS_URL,
    EZ_KEY_PREFIX: prefix,
    EZ_PARTITIONS: '4',
    API_KEYS: `${USER_KEY},${ADMIN_KEY}:admin`,
    SQS_ENDPOINT: sqs.endpoint,
    SQS_REGION: sqs.region,
    SQS_QUEUE_NAME: `q-${prefix}`,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    MEDIA_DIR: mediaDir,
    LOG_LEVEL: 'silent',
    INTAKE_SWEEP_INTERVAL_MS: '0',
    ...env,
  });
  const { app, openapi, routes } = await createApiApp(config, logger);
  const es = app.get<EventSourcing>(EVENT_SOURCING);
  const intake = app.get<SqsIntake>(SQS_INTAKE);
  return {
    app,
    config,
    openapi,
    routes,
    es,
    prefix,
    mediaDir,
    async drainQueue(waitSeconds = 1) {
      const { queueUrl } = await intake.ensureQueues();
      const bodies: string[] = [];
      for (;;) {
        const out = await intake.client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: waitSeconds,
            VisibilityTimeout: 300,
          }),
        );
        if (!out.Messages?.length) return bodies;
        bodies.push(...out.Messages.map((m) => m.Body ?? ''));
      }
    },
    async close() {
      await app.close();
      const redis = testRedis();
      await dropPrefix(redis, prefix);
      redis.disconnect();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

/** Plays the scheduler's or a worker's part: appends a domain command to a job's stream. */
export function drive(api: TestApi, jobId: string, command: JobCommand) {
  return handleCommand(
    api.es.store,
    jobStreamId(jobId),
    jobDecider,
    command,
    commandContext('scheduler'),
    {
      metadata: { jobId },
    },
  );
}

/** Walks a created job to `running` on worker w1 with the given ingest endpoints. */
export async function placeAndRun(api: TestApi, jobId: string): Promise<void> {
  await drive(api, jobId, { type: 'QueueJob', data: { cost: 1 } });
  await drive(api, jobId, { type: 'AssignJob', data: { workerId: 'w1' } });
  await drive(api, jobId, {
    type: 'ReportRunning',
    data: {
      workerId: 'w1',
      attempt: 1,
      ingest: { rtmpBaseUrl: 'rtmp://w1.test:1935/live', srtUrl: 'srt://w1.test:10001' },
    },
  });
}
