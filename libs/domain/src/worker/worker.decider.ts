import type { Decider } from '../events/command-handler';
import { evolveWorker, type WorkerEvent, type WorkerInfo, type WorkerState } from './worker.events';

export type WorkerCommand =
  | { type: 'RegisterWorker'; data: { workerId: string; info: WorkerInfo } }
  | { type: 'DrainWorker'; data: { reason: string } }
  | { type: 'DeregisterWorker'; data: { reason: string } }
  | { type: 'DeclareWorkerLost'; data: { lastHeartbeatAt: string; timeoutMs: number } };

export class WorkerError extends Error {
  readonly code = 'WORKER_NOT_ACTIVE';
}

export function decideWorker(command: WorkerCommand, state: WorkerState): WorkerEvent[] {
  switch (command.type) {
    case 'RegisterWorker':
      // Re-registering after a loss or a clean exit starts a new incarnation.
      return state.status === 'active' ? [] : [{ type: 'WorkerRegistered', data: command.data }];
    case 'DrainWorker':
      return state.status === 'active' ? [{ type: 'WorkerDraining', data: command.data }] : [];
    case 'DeregisterWorker':
      return state.status === 'active' || state.status === 'draining'
        ? [{ type: 'WorkerDeregistered', data: command.data }]
        : [];
    case 'DeclareWorkerLost':
      // Only a live member can be lost; a late detector run on a gone worker does nothing.
      return state.status === 'active' || state.status === 'draining'
        ? [{ type: 'WorkerLost', data: command.data }]
        : [];
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

export const workerDecider: Decider<WorkerCommand, WorkerState, WorkerEvent> = {
  decide: decideWorker,
  evolve: evolveWorker,
  initialState: () => ({ status: 'initial' }),
};
