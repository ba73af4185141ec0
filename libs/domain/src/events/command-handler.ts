import type { CommandContext, Event, RecordedEvent } from './event';
import { WrongExpectedVersionError, type EventStore } from './event-store.port';

export interface Decider<Command, State, E extends Event> {
  decide(command: Command, state: State): E[];
  evolve(state: State, event: E): State;
  initialState(): State;
}

export interface HandleResult<State, E extends Event> {
  /** Events appended by this call (empty when the decider decided nothing). */
  events: RecordedEvent<E>[];
  state: State;
  version: number;
}

export interface HandleOptions {
  /** Conflicts retried before giving up. @defaultValue 10 */
  maxRetries?: number;
  /** Extra metadata stamped on every event (e.g. `{ jobId }`). */
  metadata?: { jobId?: string; workerId?: string };
}

/**
 * Read → decide → append with the expected version; on a version conflict, re-read and
 * decide again. Deciders are pure, so retrying is always safe. Domain errors thrown by
 * `decide` propagate unchanged.
 */
export async function handleCommand<Command, State, E extends Event>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, State, E>,
  command: Command | ((state: State) => Command),
  ctx: CommandContext,
  options: HandleOptions = {},
): Promise<HandleResult<State, E>> {
  const maxRetries = options.maxRetries ?? 10;
  for (let attempt = 0; ; attempt++) {
    const history = (await store.readStream(streamId)) as RecordedEvent<E>[];
    let state = history.reduce(decider.evolve, decider.initialState());
    const version = history.length;
    const cmd = typeof command === 'function' ? (command as (s: State) => Command)(state) : command;
    const decided = decider.decide(cmd, state);
    if (decided.length === 0) return { events: [], state, version };

    const toAppend = decided.map((e) => ({
      type: e.type,
      data: e.data,
      metadata: {
        eventId: ctx.newEventId(),
        streamId,
        at: ctx.at,
        actor: ctx.actor,
        correlationId: ctx.correlationId,
        causationId: ctx.causationId,
        ...options.metadata,
      },
    }));
    try {
      const { nextVersion } = await store.appendToStream(
        streamId,
        toAppend,
        version === 0 ? 'no_stream' : version,
      );
      const recorded = toAppend.map(
        (e, i) =>
          ({ ...e, metadata: { ...e.metadata, version: version + i + 1 } }) as RecordedEvent<E>,
      );
      state = recorded.reduce(decider.evolve, state);
      return { events: recorded, state, version: nextVersion };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= maxRetries) throw err;
    }
  }
}
