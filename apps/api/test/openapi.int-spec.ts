import { ModulesContainer } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { startApi, type TestApi } from './api-harness';

jest.setTimeout(30_000);

/** Metadata key @ApiExcludeController writes (not exported by @nestjs/swagger's package). */
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

type Operation = {
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
  requestBody?: { content: Record<string, { examples?: object; schema?: object }> };
};

/** Every error each endpoint can answer; the document must list each one. */
const ERRORS: Record<string, number[]> = {
  'post /v1/jobs': [400, 401, 409, 413, 415, 422, 429, 503],
  'get /v1/jobs': [400, 401, 429, 503],
  'get /v1/jobs/{id}': [401, 404, 429, 503],
  'get /v1/jobs/{id}/stats': [401, 404, 429, 503],
  'post /v1/jobs/{id}/stop': [401, 404, 409, 429, 503],
  'post /v1/jobs/{id}/resume': [401, 404, 409, 429, 503],
  'delete /v1/jobs/{id}': [401, 404, 409, 429, 503],
  'get /v1/jobs/{id}/events': [401, 404, 429, 503],
  'get /v1/jobs/{id}/state': [400, 401, 404, 429, 503],
  'get /v1/jobs/{id}/events/stream': [401, 404, 429, 503],
  'get /v1/events/stream': [401, 429, 503],
  'get /v1/workers': [401, 429, 503],
  'post /v1/admin/projections/rebuild': [401, 403, 409, 429, 503],
  'get /health': [503],
  'get /health/live': [],
  'get /health/ready': [503],
  'get /metrics': [],
};

describe('OpenAPI document (generated from the DTOs)', () => {
  let sqs: SqsServer;
  let api: TestApi;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs);
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  /** Routes of controllers hidden on purpose (@ApiExcludeController), e.g. the demo UI. */
  function excludedRoutes(): Set<string> {
    const out = new Set<string>();
    for (const mod of api.app.get(ModulesContainer).values()) {
      for (const wrapper of mod.controllers.values()) {
        const type = wrapper.metatype as (new () => object) | null;
        if (!type || !Reflect.getMetadata(API_EXCLUDE_CONTROLLER, type)?.[0]) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
        for (const name of Object.getOwnPropertyNames(type.prototype)) {
          const handler = type.prototype[name];
          const path = Reflect.getMetadata(PATH_METADATA, handler);
          const verb = Reflect.getMetadata(METHOD_METADATA, handler) as number | undefined;
          if (name === 'constructor' || path === undefined || verb === undefined) continue;
          const method = RequestMethod[verb];
          const url = `/${[base, String(path)].filter((p) => p && p !== '/').join('/')}`;
          out.add(`${method.toLowerCase()} ${url.replace(/\/+/g, '/')}`);
        }
      }
    }
    return out;
  }

  it('documents every route the app serves (a new undocumented endpoint fails this test)', () => {
    const excluded = excludedRoutes();
    const documented = new Set(
      Object.entries(api.openapi.paths).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m} ${path}`),
      ),
    );
    const undocumented = api.routes
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      // Static files: Swagger UI's own assets and the media origin.
      .filter((r) => !r.url.startsWith('/docs') && !r.url.startsWith('/media/'))
      .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .filter((r) => !documented.has(r) && !excluded.has(r.replace(/\{(\w+)\}/g, ':$1')));
    expect(undocumented).toEqual([]);
    expect([...documented].sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it.each(Object.entries(ERRORS))('%s lists every error as problem+json', (key, statuses) => {
    const [method, path] = key.split(' ');
    const op = (api.openapi.paths[path] as Record<string, Operation>)[method];
    for (const status of statuses) {
      const response = op.responses[String(status)];
      expect({ key, status, documented: !!response }).toEqual({ key, status, documented: true });
      if (path.startsWith('/v1'))
        expect(response.content?.['application/problem+json']).toBeDefined();
    }
    expect(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s))).toBe(true);
    if (path.startsWith('/v1')) expect(op.security).toEqual([{ bearer: [] }]);
  });

  it('carries examples: the create body, the job and the problem schemas', () => {
    const op = (api.openapi.paths['/v1/jobs'] as Record<string, Operation>).post;
    expect(op.requestBody?.content['application/json'].examples).toBeDefined();
    const schemas = api.openapi.components!.schemas as Record<
      string,
      {
        properties: Record<
          string,
          { example?: unknown; $ref?: string; allOf?: unknown; items?: unknown }
        >;
      }
    >;
    for (const name of ['JobDto', 'ProblemDto', 'JobSpecDto', 'VideoRenditionDto', 'WorkerDto']) {
      const props = Object.entries(schemas[name].properties);
      const missing = props
        .filter(([, p]) => p.example === undefined && !p.$ref && !p.allOf && !p.items)
        .map(([k]) => k);
      expect({ name, missing }).toEqual({ name, missing: [] });
    }
  });

  it('serves Swagger UI at /docs and the document at /docs/openapi.json', async () => {
    const ui = await api.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/^text\/html/);
    expect(ui.body).toContain('swagger-ui');
    const doc = await api.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toMatch(/^3\./);
    expect(doc.json().paths['/v1/jobs']).toBeDefined();
  });
});
