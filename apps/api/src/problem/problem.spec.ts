import { JobError, jobNotFound, type JobErrorCode } from '@ezlive/domain';
import { RebuildInProgressError } from '@ezlive/infra';
import { ApiError, type ApiErrorCode } from './api-error';
import { statusOf, toProblem } from './problem';

const JOB_CODES: Record<JobErrorCode, number> = {
  JOB_NOT_FOUND: 404,
  JOB_ALREADY_EXISTS: 409,
  JOB_NOT_STOPPABLE: 409,
  JOB_NOT_RESUMABLE: 409,
  JOB_NOT_STOPPED: 409,
  JOB_NOT_PLACEABLE: 409,
  ILLEGAL_TRANSITION: 409,
  ATTEMPT_FENCED: 409,
};
const API_CODES: Record<ApiErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INVALID_JOB_SPEC: 400,
  INVALID_REQUEST: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  REBUILD_IN_PROGRESS: 409,
  NOT_FOUND: 404,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REDIS_UNAVAILABLE: 503,
  INTERNAL: 500,
};

describe('problem mapping (the one place)', () => {
  it.each(Object.entries({ ...JOB_CODES, ...API_CODES }))('%s → %i', (code, status) => {
    expect(statusOf(code as ApiErrorCode)[0]).toBe(status);
  });

  it('renders RFC 9457 fields plus the code', () => {
    const { problem, headers } = toProblem(jobNotFound(), '/v1/jobs/X');
    expect(problem).toEqual({
      type: 'urn:ezlive:problem:job-not-found',
      title: 'Job not found',
      status: 404,
      detail: 'job does not exist',
      instance: '/v1/jobs/X',
      code: 'JOB_NOT_FOUND',
    });
    expect(headers['content-type']).toBe('application/problem+json');
  });

  it('adds Retry-After and WWW-Authenticate where they belong', () => {
    expect(
      toProblem(new ApiError('RATE_LIMITED', 'x', { retryAfterSec: 7 }), '/').headers[
        'retry-after'
      ],
    ).toBe('7');
    expect(toProblem(new ApiError('UNAUTHORIZED', 'x'), '/').headers['www-authenticate']).toMatch(
      /^Bearer/,
    );
  });

  it('maps Redis outages to 503 and never leaks unknown errors', () => {
    const down = Object.assign(new Error('Reached the max retries per request limit'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(toProblem(down, '/').problem).toMatchObject({ status: 503, code: 'REDIS_UNAVAILABLE' });
    expect(toProblem(new Error('connect ECONNREFUSED 127.0.0.1:6379'), '/').problem.status).toBe(
      503,
    );
    const internal = toProblem(new Error('secret detail'), '/').problem;
    expect(internal).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'unexpected error' });
    expect(toProblem(new RebuildInProgressError('busy'), '/').problem.status).toBe(409);
    expect(toProblem(new JobError('ATTEMPT_FENCED', 'stale'), '/').problem.status).toBe(409);
  });

  it('maps Fastify body errors', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toProblem(tooLarge, '/').problem.code).toBe('BODY_TOO_LARGE');
    const badJson = Object.assign(new Error('Unexpected token'), { statusCode: 400 });
    expect(toProblem(badJson, '/').problem).toMatchObject({
      status: 400,
      errors: [{ path: '', code: 'INVALID_BODY' }],
    });
  });
});
