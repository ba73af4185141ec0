import type { Event, EventMetadata, RecordedEvent } from './event';

/** Expected version for an append: a number (exact), `'no_stream'` or `'any'`. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export type EventToAppend = Event & { metadata: Omit<EventMetadata, 'version'> };

export interface AppendResult {
  /** Stream version after the append. */
  nextVersion: number;
}

export interface ReadStreamOptions {
  /** First version to read (inclusive). @defaultValue 1 */
  fromVersion?: number;
  /** Last version to read (inclusive). @defaultValue the end */
  toVersion?: number;
}

/** The event store port. The Redis Streams adapter lives in `@ezlive/infra`. */
export interface EventStore {
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Appends atomically or throws {@link WrongExpectedVersionError}. */
  appendToStream(
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

export class WrongExpectedVersionError extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected version ${expected}, actual ${actual}`);
    this.name = 'WrongExpectedVersionError';
  }
}
