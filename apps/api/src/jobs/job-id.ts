import { jobNotFound, type JobError } from '@ezlive/domain';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Job ids are ULIDs; anything else is never looked up (and never reaches a file path). */
export const isJobId = (id: string): boolean => ULID.test(id);

export function assertJobId(id: string): string {
  if (!isJobId(id)) throw jobNotFound() satisfies JobError;
  return id;
}
