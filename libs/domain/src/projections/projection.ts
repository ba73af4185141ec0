import type { RecordedEvent } from '../events/event';

/**
 * A read model fed by one stream category: one document per stream, rebuilt by folding
 * that stream. Because a document is a pure fold of its stream, applying events is
 * idempotent by stream version and a rebuild yields exactly the live documents.
 */
export interface Projection<Doc extends { version: number }> {
  /** Stable id: names the consumer group and the keys of the read model. */
  readonly name: string;
  /** Stream id prefix this projection folds, e.g. `job-`. */
  readonly streamPrefix: string;
  canHandle(type: string): boolean;
  /** `null` removes the document. */
  evolve(doc: Doc | null, event: RecordedEvent): Doc | null;
}

/** Folds a stream (or a prefix of it) into a document with a projection. */
export function foldDocument<Doc extends { version: number }>(
  projection: Projection<Doc>,
  events: readonly RecordedEvent[],
  from: Doc | null = null,
): Doc | null {
  let doc = from;
  for (const e of events) doc = foldEvent(projection, doc, e);
  return doc;
}

/** {@link foldDocument} for one event: the document after `event` (unchanged if older). */
export function foldEvent<Doc extends { version: number }>(
  projection: Projection<Doc>,
  doc: Doc | null,
  event: RecordedEvent,
): Doc | null {
  if (doc && event.metadata.version <= doc.version) return doc;
  return projection.canHandle(event.type)
    ? projection.evolve(doc, event)
    : doc && { ...doc, version: event.metadata.version };
}
