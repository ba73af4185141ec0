import type { Event } from '../events/event';

export interface WorkerInfo {
  host: string;
  /** Public RTMP port (one per worker; streams are routed by key). */
  rtmpPort: number;
  /** Inclusive UDP port range for per-job SRT listeners. */
  srtPortRange: [number, number];
  cpuCores: number;
  /** Capacity in cost units (see the cost model). */
  capacity: number;
  version: string;
  labels: Record<string, string>;
}

export type WorkerRegistered = Event<'WorkerRegistered', { workerId: string; info: WorkerInfo }>;
export type WorkerDraining = Event<'WorkerDraining', { reason: string }>;
export type WorkerDeregistered = Event<'WorkerDeregistered', { reason: string }>;
export type WorkerLost = Event<'WorkerLost', { lastHeartbeatAt: string; timeoutMs: number }>;

export type WorkerEvent = WorkerRegistered | WorkerDraining | WorkerDeregistered | WorkerLost;

export type WorkerStatus = 'active' | 'draining' | 'deregistered' | 'lost';

export type WorkerState =
  | { status: 'initial' }
  | { status: WorkerStatus; workerId: string; info: WorkerInfo; incarnation: number };

export const workerStreamId = (workerId: string): string => `worker-${workerId}`;

export function evolveWorker(state: WorkerState, event: WorkerEvent): WorkerState {
  switch (event.type) {
    case 'WorkerRegistered':
      return {
        status: 'active',
        workerId: event.data.workerId,
        info: event.data.info,
        incarnation: state.status === 'initial' ? 1 : state.incarnation + 1,
      };
    case 'WorkerDraining':
      return state.status === 'active' ? { ...state, status: 'draining' } : state;
    case 'WorkerDeregistered':
      return state.status === 'initial' ? state : { ...state, status: 'deregistered' };
    case 'WorkerLost':
      return state.status === 'initial' ? state : { ...state, status: 'lost' };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
