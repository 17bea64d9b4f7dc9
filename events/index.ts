/**
 * The event catalog: every fact the engine can record, defined once, as plain data.
 * Nothing here imports from src/; events are the contract between the log, reducers and controllers.
 */
import type { SimEvent } from './sim.js';
import type { HostEvent } from './hosts.js';
import type { SwarmEvent } from './swarm.js';
import type { ServiceEvent } from './services.js';
import type { NetworkEvent } from './network.js';

export type * from './sim.js';
export type * from './hosts.js';
export type * from './swarm.js';
export type * from './services.js';
export type * from './network.js';
export { TASK_STATE_ORDER } from './services.js';

export type EngineEvent = SimEvent | HostEvent | SwarmEvent | ServiceEvent | NetworkEvent;
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
  'ServiceCreated', 'ServiceUpdated', 'ServiceRemoved', 'ServiceUpdateStatusChanged',
  'TaskCreated', 'TaskStateChanged', 'TaskAssigned', 'TaskUnschedulable', 'TaskDesiredStateChanged', 'TaskRemoved',
  'SecretCreated', 'SecretRemoved', 'ConfigCreated', 'ConfigRemoved', 'VolumeCreated', 'VolumeRemoved',
  'ContainerCreated', 'ContainerStateChanged', 'ContainerRemoved', 'ContainerNetworksChanged',
  'NetworkCreated', 'NetworkRemoved', 'AddressAllocated', 'AddressReleased', 'EndpointCreated', 'EndpointRemoved',
  'NetnsCreated', 'NetnsRemoved', 'LinkCreated', 'VethCreated', 'LinkRemoved', 'AddressAssigned', 'AddressUnassigned', 'RouteAdded', 'RouteRemoved',
  'IptablesRuleAdded', 'IptablesRuleRemoved', 'IpvsServiceAdded', 'IpvsServiceRemoved', 'LbBackendAdded',
  'LbBackendRemoved', 'DnsRecordAdded', 'DnsRecordRemoved',
];
