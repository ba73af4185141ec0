import type { RecordedEvent } from '../events/event';
import type { WorkerEvent, WorkerInfo, WorkerStatus } from '../worker/worker.events';
import type { Projection } from './projection';

const WORKER_EVENT_TYPES = new Set([
  'WorkerRegistered',
  'WorkerDraining',
  'WorkerDeregistered',
  'WorkerLost',
]);

/** Membership as recorded by events; load and heartbeat come from the live heartbeat hash. */
export interface WorkerView {
  workerId: string;
  info: WorkerInfo;
  status: WorkerStatus;
  incarnation: number;
  registeredAt: string;
  updatedAt: string;
  version: number;
}

export function evolveWorkerView(
  doc: WorkerView | null,
  event: RecordedEvent<WorkerEvent>,
): WorkerView | null {
  const { at, version } = event.metadata;
  switch (event.type) {
    case 'WorkerRegistered':
      return {
        workerId: event.data.workerId,
        info: event.data.info,
        status: 'active',
        incarnation: (doc?.incarnation ?? 0) + 1,
        registeredAt: at,
        updatedAt: at,
        version,
      };
    case 'WorkerDraining':
      return doc && { ...doc, status: 'draining', updatedAt: at, version };
    case 'WorkerDeregistered':
      return doc && { ...doc, status: 'deregistered', updatedAt: at, version };
    case 'WorkerLost':
      return doc && { ...doc, status: 'lost', updatedAt: at, version };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export const workerViewProjection: Projection<WorkerView> = {
  name: 'worker-view',
  streamPrefix: 'worker-',
  canHandle: (type) => WORKER_EVENT_TYPES.has(type),
  evolve: (doc, event) => evolveWorkerView(doc, event as RecordedEvent<WorkerEvent>),
};
