import type { SpecIssue } from '@ezlive/domain';

/** Stable codes of errors the HTTP layer itself raises (domain codes live in `JobErrorCode`). */
export type ApiErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'INVALID_JOB_SPEC'
  | 'INVALID_REQUEST'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_PROGRESS'
  | 'REBUILD_IN_PROGRESS'
  | 'NOT_FOUND'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'REDIS_UNAVAILABLE'
  | 'INTERNAL';

/** A field-level problem in a request (body, query or path), in the same shape as spec issues. */
export type FieldIssue = Pick<SpecIssue, 'path' | 'message'> & { code: string };

export interface ApiErrorOptions {
  /** Field-level errors; `path` names the field. */
  errors?: FieldIssue[];
  /** Non-fatal advice returned with a 400 for the same body. */
  warnings?: FieldIssue[];
  /** Seconds, for 429 and 503. */
  retryAfterSec?: number;
}

/** Raised by guards, controllers and services; mapped to a problem response in one place. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly options: ApiErrorOptions = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A 400 for a query or path parameter. */
export const invalidRequest = (path: string, code: string, message: string): ApiError =>
  new ApiError('INVALID_REQUEST', `invalid ${path}: ${message}`, {
    errors: [{ path, code, message }],
  });

/** Redis is down: clients should retry after a short pause, never see a 500. */
export const redisUnavailable = (): ApiError =>
  new ApiError('REDIS_UNAVAILABLE', 'Redis is unreachable; retry shortly', { retryAfterSec: 5 });
