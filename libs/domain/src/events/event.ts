/** Who caused an event: the API, the scheduler, or a specific worker (`worker:<id>`). */
export type Actor = 'api' | 'scheduler' | 'reconciler' | 'cli' | `worker:${string}`;

/** A domain event as the decider produces it: plain data, no metadata yet. */
export type Event<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;

/**
 * Metadata the event store stamps on every appended event. Ids and time are inputs
 * (from the command context), never read inside domain functions.
 */
export interface EventMetadata {
  /** Unique id of this event (ULID). */
  eventId: string;
  /** The stream it belongs to, e.g. `job-01J…` or `worker-w1`. */
  streamId: string;
  /** Position in its stream, 1-based and gap-free. */
  version: number;
  /** ISO-8601 time the command was handled. */
  at: string;
  actor: Actor;
  /** Id of the request or flow that started the chain of commands. */
  correlationId: string;
  /** Id of the event or request that directly caused this one. */
  causationId: string | null;
  /** Set on job streams. */
  jobId?: string;
  /** Set on worker streams. */
  workerId?: string;
}

export type RecordedEvent<E extends Event = Event> = E & { metadata: EventMetadata };

/** The context every command handler passes in: the only source of time and ids. */
export interface CommandContext {
  at: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  /** Mints an event id; called once per appended event. */
  newEventId: () => string;
}
