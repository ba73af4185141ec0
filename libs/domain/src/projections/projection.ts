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
  for (const e of events) {
    if (doc && e.metadata.version <= doc.version) continue;
    doc = projection.canHandle(e.type)
      ? projection.evolve(doc, e)
      : doc && { ...doc, version: e.metadata.version };
  }
  return doc;
}
