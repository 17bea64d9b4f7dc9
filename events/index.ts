/**
 * The event catalog: every fact the engine can record, defined once, as plain data.
 * Nothing here imports from src/; events are the contract between the log, reducers and controllers.
 */
import type { SimEvent } from './sim.js';
import type { HostEvent } from './hosts.js';
import type { SwarmEvent } from './swarm.js';

export type * from './sim.js';
export type * from './hosts.js';
export type * from './swarm.js';

export type EngineEvent = SimEvent | HostEvent | SwarmEvent;
export type EventType = EngineEvent['type'];
export type EventOf<T extends EventType> = Extract<EngineEvent, { type: T }>;

/** An event as the log stores it: numbered, timed, chained. */
export interface LoggedEvent {
  /** Position in its timeline: 1, 2, 3, … */
  seq: number;
  /** Virtual time when it happened. */
  atMs: number;
  /** seq of the first event of the atomic batch (one command) it belongs to. */
  batch: number;
  event: EngineEvent;
  /** Hash chain: sha256(prev ‖ encoded record), hex. */
  prevHash: string;
  hash: string;
}

/** Every event type, for validation of `engine log --type` and documentation. */
export const EVENT_TYPES: readonly EventType[] = [
  'LogInitialized', 'ClockAdvanced',
  'HostAdded', 'HostCrashed', 'HostBooted',
  'SwarmInitialized', 'JoinTokenRotated', 'NodeJoined', 'NodeLeft', 'NodeRemoved', 'NodeStatusChanged',
  'NodeAvailabilityChanged', 'NodeLabelsChanged', 'NodeRoleChanged',
  'RaftLeaderLost', 'RaftElectionScheduled', 'RaftElectionFailed', 'RaftStepDownScheduled',
  'RaftStepDownCancelled', 'RaftLeaderElected',
];
