/**
 * API benchmark (not a test): `GET /v1/jobs/:id` and a bare hello route of the same
 * framework (Nest on Fastify, same process, same machine, same run) with autocannon, and
 * `POST /v1/jobs` including the SQS send to a real SQS-protocol server (fauxqs).
 *   node -r ./scripts/lib/swc-register bench/api/api.bench.ts \
 *     [-- --duration 10 --connections 32]
 * Target: GET job ≥ 0.3 × hello requests/s.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, createRedis } from '@ezlive/infra';
import { loadApiConfig } from '../../apps/api/src/api.config';
import { createApiApp } from '../../apps/api/src/http/create-api-app';
import { startSqsServer } from '../../test/support/sqs';
import { dropPrefix } from '../../test/support/redis';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 32);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'bench-key-0123456789abcdef';

const SPEC = {
  name: 'bench',
  input: { protocol: 'rtmp' },
  video: [
    { name: '720p', codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000 },
    { name: '360p', codec: 'h264', width: 640, height: 360, bitrateKbps: 800 },
  ],
  audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 128 }],
};

@Controller()
class HelloController {
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

interface Figures {
  requestsPerSec: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function run(opts: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
  return {
    requestsPerSec: Math.round(r.requests.average),
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function main(): Promise<void> {
  const prefix = `ezbench-api-${Date.now()}`;
  const sqs = await startSqsServer();
  const config = loadApiConfig({
    REDIS_URL,
    EZ_KEY_PREFIX: prefix,
    API_KEYS: KEY,
    SQS_ENDPOINT: sqs.endpoint,
    SQS_QUEUE_NAME: `bench-${Date.now()}`,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    RATE_LIMIT_PER_MIN: '0',
    LOG_LEVEL: 'silent',
    INTAKE_SWEEP_INTERVAL_MS: '0',
  });
  const { app } = await createApiApp(config, createLogger('api', 'silent'));
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const hello = await NestFactory.create<NestFastifyApplication>(
    HelloModule,
    new FastifyAdapter(),
    {
      logger: false,
    },
  );
  await hello.listen(0, '127.0.0.1');
  const helloUrl = `${await hello.getUrl()}/hello`;
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

  try {
    const created = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify(SPEC),
    });
    const { id } = (await created.json()) as { id: string };
    const jobUrl = `${base}/v1/jobs/${id}`;
    // Warm up both servers (JIT, connection pools), then measure them back to back.
    await run({ url: jobUrl, headers, duration: 2 });
    await run({ url: helloUrl, duration: 2 });
    const hi = await run({ url: helloUrl });
    const get = await run({ url: jobUrl, headers });
    const post = await run({
      url: `${base}/v1/jobs`,
      method: 'POST',
      headers,
      body: JSON.stringify(SPEC),
    });
    const ratio = Math.round((get.requestsPerSec / hi.requestsPerSec) * 100) / 100;
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      durationSec: DURATION,
      connections: CONNECTIONS,
      helloNestFastify: hi,
      getJob: get,
      postJobWithSqsSend: post,
      getJobToHelloRatio: ratio,
      target: 0.3,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `GET /v1/jobs/:id ${get.requestsPerSec} req/s p99 ${get.p99Ms} ms | hello ${hi.requestsPerSec} req/s p99 ${hi.p99Ms} ms | ratio ${ratio} (target ≥ 0.3) | POST /v1/jobs ${post.requestsPerSec} req/s p99 ${post.p99Ms} ms`,
    );
    mkdirSync(join(__dirname, '../results'), { recursive: true });
    writeFileSync(join(__dirname, '../results/api.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await hello.close();
    await app.close();
    await sqs.stop();
    const redis = createRedis(REDIS_URL);
    await dropPrefix(redis, prefix);
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
