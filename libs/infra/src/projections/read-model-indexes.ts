import type { JobView, WorkerView } from '@ezlive/domain';

/** An index entry of a document: a member of a sorted set (score 0, lexical order) or a set. */
export interface IndexEntry {
  kind: 'z' | 's';
  index: string;
  member: string;
}

/**
 * Indexes per projection. Job ids are ULIDs, so lexical order in a score-0 sorted set is
 * creation order: cursor pagination is `ZREVRANGEBYLEX (<cursor>` and stays stable while
 * new jobs are inserted.
 */
export const READ_MODEL_INDEXES: Record<string, (doc: never) => IndexEntry[]> = {
  'job-view': (doc: JobView) => [
    { kind: 'z', index: 'all', member: doc.jobId },
    { kind: 'z', index: `state:${doc.state}`, member: doc.jobId },
    ...(doc.workerId
      ? [{ kind: 's' as const, index: `worker:${doc.workerId}`, member: doc.jobId }]
      : []),
  ],
  'worker-view': (doc: WorkerView) => [
    { kind: 'z', index: 'all', member: doc.workerId },
    { kind: 'z', index: `status:${doc.status}`, member: doc.workerId },
  ],
};

export function indexEntriesOf(projection: string, doc: object | null): IndexEntry[] {
  const fn = READ_MODEL_INDEXES[projection] as ((d: object) => IndexEntry[]) | undefined;
  return doc && fn ? fn(doc) : [];
}
