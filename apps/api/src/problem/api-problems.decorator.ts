import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { ProblemDto } from './problem.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (`errors` names each field)',
  401: 'Missing or invalid API key',
  403: 'The key lacks the admin scope',
  404: 'Unknown job',
  409: 'Not allowed in the current state',
  413: 'Body larger than BODY_LIMIT_BYTES',
  415: 'Body is not JSON',
  422: 'Idempotency-Key reused with another body',
  429: 'Rate limit exceeded (see Retry-After)',
  503: 'Redis unavailable (see Retry-After)',
};

/** Documents problem responses for the given statuses. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );

/** Every `/v1` route: bearer auth and the problems any of them can answer. */
export const ApiV1 = (...statuses: number[]) =>
  applyDecorators(ApiBearerAuth(), ApiProblems(401, 429, 503, ...statuses));
