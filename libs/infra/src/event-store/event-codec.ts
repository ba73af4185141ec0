import type { EventMetadata, RecordedEvent } from '@ezlive/domain';

/** ioredis returns stream entries as `[id, [field, value, field, value, …]]`. */
export type StreamEntry = [string, string[]];

function field(fields: string[], name: string): string {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  throw new Error(`stream entry lacks field '${name}'`);
}

/** Job/worker stream entry: id `0-<version>`, fields t, d, m. */
export function decodeStreamEntry(streamId: string, [id, fields]: StreamEntry): RecordedEvent {
  const version = Number(id.slice(id.indexOf('-') + 1));
  return build(streamId, version, fields);
}

/** Partition entry: fields s (stream id), v, t, d, m. */
export function decodePartitionEntry([, fields]: StreamEntry): RecordedEvent {
  return build(field(fields, 's'), Number(field(fields, 'v')), fields);
}

function build(streamId: string, version: number, fields: string[]): RecordedEvent {
  // The parsed object is ours: completing it in place saves a copy per event (rebuilds decode
  // every event there is).
  const metadata = JSON.parse(field(fields, 'm')) as EventMetadata;
  metadata.streamId = streamId;
  metadata.version = version;
  return { type: field(fields, 't'), data: JSON.parse(field(fields, 'd')) as object, metadata };
}
