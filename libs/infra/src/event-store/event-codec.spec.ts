import type { EventMetadata } from '@ezlive/domain';
import { decodePartitionEntry, decodeStreamEntry, encodeEnvelope } from './event-codec';

const metadata: Omit<EventMetadata, 'streamId' | 'version'> = {
  eventId: '01EV',
  at: '2026-12-07T10:00:00.000Z',
  actor: 'worker:w1',
  correlationId: 'c1',
  causationId: null,
};
const data = { attempt: 2, input: { video: { codec: 'h264', width: 1280, height: 720 } } };
const expected = {
  type: 'IngestStarted',
  data,
  metadata: { ...metadata, streamId: 'job-a', version: 7 },
};

describe('event codec', () => {
  it('a job stream entry: the envelope, with the stream and version from the entry', () => {
    const envelope = encodeEnvelope('IngestStarted', data, metadata);
    expect(JSON.parse(envelope)).toEqual({ t: 'IngestStarted', d: data, m: metadata });
    expect(decodeStreamEntry('job-a', ['0-7', ['e', envelope]])).toEqual(expected);
  });

  it('a partition entry: the envelope names its stream and version', () => {
    const envelope = `{"s":"job-a","v":7,${encodeEnvelope('IngestStarted', data, metadata).slice(1)}`;
    expect(decodePartitionEntry(['1765-0', ['e', envelope]])).toEqual(expected);
  });

  it('reads entries written a field per part, before the envelope', () => {
    const d = JSON.stringify(data);
    const m = JSON.stringify(metadata);
    expect(decodeStreamEntry('job-a', ['0-7', ['t', 'IngestStarted', 'd', d, 'm', m]])).toEqual(
      expected,
    );
    const partition = ['s', 'job-a', 'v', '7', 't', 'IngestStarted', 'd', d, 'm', m];
    expect(decodePartitionEntry(['1765-0', partition])).toEqual(expected);
  });

  it('refuses an entry that is neither', () => {
    expect(() => decodeStreamEntry('job-a', ['0-1', ['x', '{}']])).toThrow(
      "stream entry has neither 'e' nor the fields t, d, m",
    );
    const noStream = encodeEnvelope('JobQueued', {}, metadata);
    expect(() => decodePartitionEntry(['1-0', ['e', noStream]])).toThrow(
      'partition entry lacks s or v',
    );
  });
});
