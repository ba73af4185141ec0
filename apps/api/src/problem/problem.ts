import { JobError, type JobErrorCode } from '@ezlive/domain';
import { RebuildInProgressError } from '@ezlive/infra';
import { ApiError, redisUnavailable, type ApiErrorCode, type FieldIssue } from './api-error';

/** RFC 9457 problem details, plus the stable `code` clients switch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ApiErrorCode | JobErrorCode;
  errors?: FieldIssue[];
  warnings?: FieldIssue[];
}

export interface ProblemResponse {
  problem: Problem;
  headers: Record<string, string>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const problemType = (code: string): string =>
  `urn:ezlive:problem:${code.toLowerCase().replace(/_/g, '-')}`;

/** THE mapping from every error code to an HTTP status and title. */
export function statusOf(code: ApiErrorCode | JobErrorCode): [number, string] {
  switch (code) {
    case 'UNAUTHORIZED':
      return [401, 'Missing or invalid API key'];
    case 'FORBIDDEN':
      return [403, 'This API key may not call this endpoint'];
    case 'RATE_LIMITED':
      return [429, 'Too many requests'];
    case 'INVALID_JOB_SPEC':
      return [400, 'Invalid job spec'];
    case 'INVALID_REQUEST':
      return [400, 'Invalid request'];
    case 'IDEMPOTENCY_KEY_REUSED':
      return [422, 'Idempotency-Key reused with a different body'];
    case 'IDEMPOTENCY_KEY_IN_PROGRESS':
      return [409, 'A request with this Idempotency-Key is still in progress'];
    case 'REBUILD_IN_PROGRESS':
      return [409, 'A projection rebuild is already running'];
    case 'NOT_FOUND':
      return [404, 'Not found'];
    case 'BODY_TOO_LARGE':
      return [413, 'Request body too large'];
    case 'UNSUPPORTED_MEDIA_TYPE':
      return [415, 'Unsupported media type'];
    case 'REDIS_UNAVAILABLE':
      return [503, 'Storage temporarily unavailable'];
    case 'INTERNAL':
      return [500, 'Internal error'];
    case 'JOB_NOT_FOUND':
      return [404, 'Job not found'];
    case 'JOB_ALREADY_EXISTS':
      return [409, 'Job already exists'];
    case 'JOB_NOT_STOPPABLE':
      return [409, 'Job cannot be stopped in its current state'];
    case 'JOB_NOT_RESUMABLE':
      return [409, 'Job can only be resumed when stopped or failed'];
    case 'JOB_NOT_STOPPED':
      return [409, 'Job can only be deleted when stopped or failed'];
    case 'JOB_NOT_PLACEABLE':
      return [409, 'Job cannot be placed in its current state'];
    case 'ILLEGAL_TRANSITION':
      return [409, 'Illegal state transition'];
    case 'ATTEMPT_FENCED':
      return [409, 'Stale assignment attempt'];
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** ioredis gives up on a command while disconnected with these. */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|LOADING Redis/.test(
      err.message,
    )
  );
}

/** Errors Fastify raises before a handler runs (body parsing, limits). */
function fromFastify(err: { code?: string; statusCode?: number; message: string }): ApiError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('BODY_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', err.message);
    default:
      return new ApiError('INVALID_REQUEST', err.message, {
        errors: [{ path: '', code: 'INVALID_BODY', message: err.message }],
      });
  }
}

function normalise(err: unknown): ApiError | JobError {
  if (err instanceof ApiError || err instanceof JobError) return err;
  if (err instanceof RebuildInProgressError)
    return new ApiError('REBUILD_IN_PROGRESS', err.message);
  if (isRedisUnavailable(err)) return redisUnavailable();
  const e = err as { code?: string; statusCode?: number; status?: number; message?: string };
  const status = e?.statusCode ?? (typeof e?.status === 'number' ? e.status : undefined);
  if (status === 404) return new ApiError('NOT_FOUND', e.message ?? 'no such route');
  if (status === 413) return new ApiError('BODY_TOO_LARGE', e.message ?? 'body too large');
  if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'send JSON');
  if (status && status >= 400 && status < 500) {
    return fromFastify({ code: e.code, statusCode: status, message: e.message ?? 'bad request' });
  }
  return new ApiError('INTERNAL', 'unexpected error');
}

/** Any thrown value → problem details and headers. Unknown errors never leak their message. */
export function toProblem(err: unknown, instance: string): ProblemResponse {
  const e = normalise(err);
  const [status, title] = statusOf(e.code);
  const options = e instanceof ApiError ? e.options : {};
  const problem: Problem = {
    type: problemType(e.code),
    title,
    status,
    detail: e.message,
    instance,
    code: e.code,
    ...(options.errors ? { errors: options.errors } : {}),
    ...(options.warnings ? { warnings: options.warnings } : {}),
  };
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (options.retryAfterSec !== undefined) headers['retry-after'] = String(options.retryAfterSec);
  if (e.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="ezlive"';
  return { problem, headers };
}
