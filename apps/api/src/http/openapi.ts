import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemDto } from '../problem/problem.dto';

export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

export function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('ezlive API')
    .setDescription(
      'Live video transcoding: create a channel, publish RTMP/SRT, play HLS/DASH. ' +
        'Every `/v1` route needs `Authorization: Bearer <api key>`; errors are ' +
        '`application/problem+json` with a stable `code` (docs/api.md).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS' })
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
}

/** Swagger UI at /docs, the document at /docs/openapi.json (both public). */
export function serveOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const document = buildOpenApi(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  return document;
}
