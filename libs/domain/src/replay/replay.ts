import type { RecordedEvent } from '../events/event';
import { evolveJob, initialJobState, type JobState } from '../job/job.state';
import type { JobEvent } from '../job/job.events';

export type ReplayPoint = { version: number } | { at: string } | 'latest';

/**
 * Time travel: the job as it was after `point` — a version (inclusive) or an instant
 * (every event recorded at or before it). Returns the folded state and the version reached.
 */
export function replayJob(
  history: readonly RecordedEvent<JobEvent>[],
  point: ReplayPoint,
): { state: JobState; version: number } {
  const upTo = historyUpTo(history, point);
  return {
    state: upTo.reduce<JobState>((s, e) => evolveJob(s, e), initialJobState()),
    version: upTo.at(-1)?.metadata.version ?? 0,
  };
}

/** The prefix of a history up to a point (inclusive). */
export function historyUpTo<E extends RecordedEvent>(
  history: readonly E[],
  point: ReplayPoint,
): E[] {
  if (point === 'latest') return [...history];
  if ('version' in point) return history.filter((e) => e.metadata.version <= point.version);
  const t = Date.parse(point.at);
  return history.filter((e) => Date.parse(e.metadata.at) <= t);
}

/** One line per event, for the CLI and logs: `v3  2026-…  JobAssigned  scheduler  {workerId…}`. */
export function formatTimeline(history: readonly RecordedEvent[]): string[] {
  return history.map((e) => {
    const data = JSON.stringify(e.data);
    return `v${String(e.metadata.version).padEnd(4)} ${e.metadata.at}  ${e.type.padEnd(20)} ${String(e.metadata.actor).padEnd(18)} ${data.length > 160 ? `${data.slice(0, 157)}...` : data}`;
  });
}
