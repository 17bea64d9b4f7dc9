/** Swarm events: membership, roles, join tokens and Raft leadership. */

export type NodeRole = 'worker' | 'manager';
export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';

/** `docker swarm init` on a host: a root CA, tokens, the Raft store, the first manager. */
export interface SwarmInitialized {
  type: 'SwarmInitialized';
  swarmId: string;
  /** SHA-256 of the root CA certificate, hex. */
  caDigest: string;
  /** The join tokens' secrets, sealed (src/commands/sealing.ts): never in clear in the log. */
  workerTokenSealed: string;
  managerTokenSealed: string;
  nodeId: string;
  host: string;
  advertiseAddr: string;
  dataPathAddr: string;
  listenPort: number;
  availability: NodeAvailability;
  defaultAddrPool: string[];
  subnetSize: number;
  dataPathPort: number;
  heartbeatPeriodMs: number;
  taskHistoryLimit: number;
}

export interface JoinTokenRotated {
  type: 'JoinTokenRotated';
  role: NodeRole;
  /** The new token's secret, sealed. */
  sealed: string;
}

/** A host joined with a valid token; the token decided its role. */
export interface NodeJoined {
  type: 'NodeJoined';
  nodeId: string;
  host: string;
  role: NodeRole;
  advertiseAddr: string;
  dataPathAddr: string;
  availability: NodeAvailability;
}

/** `docker swarm leave` ran on the node: its daemon left; managers still list it as down. */
export interface NodeLeft {
  type: 'NodeLeft';
  nodeId: string;
  host: string;
}

/** `docker node rm`: the node object is deleted from the Raft store. */
export interface NodeRemoved {
  type: 'NodeRemoved';
  nodeId: string;
}

/** The dispatcher observed a node's status change (heartbeat failure, re-registration). */
export interface NodeStatusChanged {
  type: 'NodeStatusChanged';
  nodeId: string;
  from: NodeState;
  to: NodeState;
  message: string;
}

export interface NodeAvailabilityChanged {
  type: 'NodeAvailabilityChanged';
  nodeId: string;
  from: NodeAvailability;
  to: NodeAvailability;
}

export interface NodeLabelsChanged {
  type: 'NodeLabelsChanged';
  nodeId: string;
  added: Record<string, string>;
  removed: string[];
}

export interface NodeRoleChanged {
  type: 'NodeRoleChanged';
  nodeId: string;
  from: NodeRole;
  to: NodeRole;
}

/** The Raft leader is gone (its host crashed, or it stepped down for lack of quorum). */
export interface RaftLeaderLost {
  type: 'RaftLeaderLost';
  nodeId: string;
  term: number;
  reason: 'leader down' | 'quorum lost' | 'leader left';
}

/** A follower's randomized election timeout will expire at dueMs. */
export interface RaftElectionScheduled {
  type: 'RaftElectionScheduled';
  dueMs: number;
  /** The manager whose timeout expires first: it will stand as candidate. */
  candidateId: string;
}

/** The election failed: fewer than a quorum of managers are up. */
export interface RaftElectionFailed {
  type: 'RaftElectionFailed';
  term: number;
  upManagers: number;
  quorum: number;
}

/** CheckQuorum: the leader lost contact with a quorum and will step down at dueMs. */
export interface RaftStepDownScheduled {
  type: 'RaftStepDownScheduled';
  dueMs: number;
}

/** Quorum came back before the leader stepped down. */
export interface RaftStepDownCancelled {
  type: 'RaftStepDownCancelled';
}

export interface RaftLeaderElected {
  type: 'RaftLeaderElected';
  nodeId: string;
  term: number;
}

export type SwarmEvent =
  | SwarmInitialized
  | JoinTokenRotated
  | NodeJoined
  | NodeLeft
  | NodeRemoved
  | NodeStatusChanged
  | NodeAvailabilityChanged
  | NodeLabelsChanged
  | NodeRoleChanged
  | RaftLeaderLost
  | RaftElectionScheduled
  | RaftElectionFailed
  | RaftStepDownScheduled
  | RaftStepDownCancelled
  | RaftLeaderElected;
