import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger, NestPinoLogger, newId } from '@ezlive/infra';
import type { ApiConfig } from '../api.config';
import { ApiModule } from '../api.module';
import { MetricsService } from '../metrics/metrics.service';
import { ProblemFilter } from '../problem/problem.filter';
import { serveMedia } from './media-static';
import { serveOpenApi } from './openapi';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface ApiApp {
  app: NestFastifyApplication;
  openapi: OpenAPIObject;
  /** Every route Fastify registered, as `METHOD /path` (the documentation test reads it). */
  routes: Array<{ method: string; url: string }>;
}

/**
 * Builds the api app on Fastify (docs/api.md#why-fastify): body limit, request ids,
 * one problem+json error path, CORS, media, OpenAPI, metrics and access logs.
 * `main.ts` listens on it; tests call `app.inject` or listen on port 0.
 */
export async function createApiApp(config: ApiConfig, logger?: Logger): Promise<ApiApp> {
  const log = logger ?? createLogger('api', config.logLevel);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    logger: false,
    // A caller's X-Request-Id is kept (so it can correlate), anything else gets a ULID.
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule(config, log), adapter, {
    logger: new NestPinoLogger(log),
    abortOnError: false,
  });
  // Nest bundles its own fastify copy; the app's types (and the `caller` augmentation) use
  // the top-level one. The runtime object is the same.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const routes: ApiApp['routes'] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  app.useGlobalFilters(new ProblemFilter(log));

  const metrics = app.get(MetricsService);
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observe(req.method, route, reply.statusCode, seconds);
    log.info(
      {
        reqId: req.id,
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        key: req.caller?.keyId,
      },
      'request',
    );
    done();
  });

  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      exposedHeaders: ['location', 'x-request-id', 'retry-after', 'idempotent-replayed'],
    });
  }
  if (config.serveMedia) serveMedia(app, config.mediaDir);
  const openapi = serveOpenApi(app);
  app.enableShutdownHooks();
  await app.init();
  return { app, openapi, routes };
}
