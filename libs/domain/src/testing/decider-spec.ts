import type { Decider } from '../events/command-handler';
import type { Event } from '../events/event';

/**
 * Emmett-style decider specification: `given(events).when(command).then(events)`.
 * Pure, no store involved: the decider is folded over `given` and asked to decide.
 */
export function deciderSpec<C, S, E extends Event>(decider: Decider<C, S, E>) {
  return {
    given(events: E[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: E[]): void {
              expect(run()).toEqual(expected);
            },
            thenThrows(code: string): void {
              expect(run).toThrow(expect.objectContaining({ code }) as unknown as Error);
              try {
                run();
              } catch (err) {
                expect((err as { code?: string }).code).toBe(code);
              }
            },
          };
        },
      };
    },
  };
}
