import { monotonicFactory } from 'ulid';
import type { Actor, CommandContext } from '@ezlive/domain';

const ulid = monotonicFactory();

/** Time-ordered unique ids: lexical order is creation order (used by cursor pagination). */
export const newId = (): string => ulid();

/** The adapters' side of "time and ids are inputs": the only place they are minted. */
export function commandContext(
  actor: Actor,
  chain: { correlationId?: string; causationId?: string | null } = {},
  now: () => Date = () => new Date(),
): CommandContext {
  return {
    at: now().toISOString(),
    actor,
    correlationId: chain.correlationId ?? newId(),
    causationId: chain.causationId ?? null,
    newEventId: newId,
  };
}
