import type { Redis } from 'ioredis';
import { foldDocument, type EventStore, type Projection, type RecordedEvent } from '@ezlive/domain';
import { RedisKeys } from '../redis/redis-keys';
import { indexEntriesOf } from './read-model-indexes';
import { WRITE_DOCS_SCRIPT } from './write-doc.script';

type WithWriteDoc = Redis & { ezWriteDocs(...args: string[]): Promise<number> };

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; `null` at the end. */
  nextCursor: string | null;
}

/** Read models in Redis: generation-scoped documents and indexes. */
export class ReadModelStore {
  private readonly redis: WithWriteDoc;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
  ) {
    this.redis = redis as WithWriteDoc;
    if (!this.redis.ezWriteDocs) redis.defineCommand('ezWriteDocs', { lua: WRITE_DOCS_SCRIPT });
  }

  /** The generations a projector must write: the current one and, during a rebuild, the next. */
  async generations(): Promise<{ current: number; next: number | null }> {
    const [current, next] = await this.redis.mget(
      this.keys.currentGeneration,
      this.keys.nextGeneration,
    );
    return { current: Number(current ?? 0), next: next === null ? null : Number(next) };
  }

  async currentGeneration(): Promise<number> {
    return Number((await this.redis.get(this.keys.currentGeneration)) ?? 0);
  }

  async readDoc<Doc extends { version: number }>(
    generation: number,
    projection: string,
    docId: string,
  ): Promise<{ version: number; doc: Doc | null }> {
    const [v, d] = await this.redis.hmget(this.keys.doc(generation, projection, docId), 'v', 'd');
    return { version: Number(v ?? 0), doc: d ? (JSON.parse(d) as Doc) : null };
  }

  /** Writes `doc` at `version` unless the stored document is as new or newer. */
  async writeDoc(
    generation: number,
    projection: string,
    docId: string,
    version: number,
    doc: object | null,
  ): Promise<boolean> {
    return (await this.writeDocs(generation, projection, [{ docId, version, doc }])) === 1;
  }

  /** Bulk {@link writeDoc}: one script call for many documents; returns how many were written. */
  async writeDocs(
    generation: number,
    projection: string,
    docs: Array<{ docId: string; version: number; doc: object | null }>,
  ): Promise<number> {
    if (docs.length === 0) return 0;
    const keys: string[] = [];
    const args: string[] = [];
    for (const { docId, version, doc } of docs) {
      const entries = indexEntriesOf(projection, doc).map((e) => [
        e.kind,
        this.keys.index(generation, projection, e.index),
        e.member,
      ]);
      keys.push(this.keys.doc(generation, projection, docId));
      args.push(String(version), doc ? JSON.stringify(doc) : '', JSON.stringify(entries));
    }
    return this.redis.ezWriteDocs(String(keys.length), ...keys, ...args);
  }

  /**
   * Applies one event to a document of one generation, idempotently: events at or below
   * the stored version are skipped; a gap (reordered or missed delivery) is filled from
   * the source stream, so the result is always the fold of the stream's prefix.
   */
  async apply<Doc extends { version: number }>(
    store: EventStore,
    generation: number,
    projection: Projection<Doc>,
    event: RecordedEvent,
  ): Promise<void> {
    const docId = event.metadata.streamId.slice(projection.streamPrefix.length);
    const stored = await this.readDoc<Doc>(generation, projection.name, docId);
    if (stored.version >= event.metadata.version) return;
    const events =
      stored.version + 1 === event.metadata.version
        ? [event]
        : await store.readStream(event.metadata.streamId, {
            fromVersion: stored.version + 1,
            toVersion: event.metadata.version,
          });
    const folded = foldDocument(projection, events, stored.doc);
    await this.writeDoc(generation, projection.name, docId, event.metadata.version, folded);
  }

  async get<Doc>(projection: string, docId: string): Promise<Doc | null> {
    const generation = await this.currentGeneration();
    const d = await this.redis.hget(this.keys.doc(generation, projection, docId), 'd');
    return d ? (JSON.parse(d) as Doc) : null;
  }

  async getMany<Doc>(projection: string, docIds: string[], generation?: number): Promise<Doc[]> {
    if (docIds.length === 0) return [];
    const gen = generation ?? (await this.currentGeneration());
    const pipeline = this.redis.pipeline();
    for (const id of docIds) pipeline.hget(this.keys.doc(gen, projection, id), 'd');
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([err, d]) => (err || !d ? [] : [JSON.parse(d as string) as Doc]));
  }

  /** Newest first. `cursor` is the last id of the previous page. */
  async page<Doc>(
    projection: string,
    index: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<Doc>> {
    const gen = await this.currentGeneration();
    const ids = await this.redis.zrevrangebylex(
      this.keys.index(gen, projection, index),
      cursor ? `(${cursor}` : '+',
      '-',
      'LIMIT',
      0,
      limit + 1,
    );
    const pageIds = ids.slice(0, limit);
    const items = await this.getMany<Doc>(projection, pageIds, gen);
    return { items, nextCursor: ids.length > limit ? pageIds[pageIds.length - 1] : null };
  }

  /** Every document of an index, newest first, read a page at a time. */
  async *all<Doc>(projection: string, index: string, pageSize = 500): AsyncGenerator<Doc> {
    let cursor: string | undefined;
    do {
      const page = await this.page<Doc>(projection, index, pageSize, cursor);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async members(projection: string, index: string): Promise<string[]> {
    const gen = await this.currentGeneration();
    return this.redis.smembers(this.keys.index(gen, projection, index));
  }

  async count(projection: string, index: string): Promise<number> {
    const gen = await this.currentGeneration();
    return this.redis.zcard(this.keys.index(gen, projection, index));
  }
}
