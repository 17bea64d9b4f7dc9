/** The derived state: normalized, serializable, nothing derivable stored twice. */
import type { NodeAvailability, NodeRole, NodeState } from '../../events/index.js';
import type { Table } from './table.js';

export interface SimState {
  seed: number;
  epochMs: number;
  nowMs: number;
  engineVersion: string;
  /** Name of the first host added: the default target of docker commands before a swarm exists. */
  firstHost: string | null;
}

export interface Host {
  name: string;
  ip: string;
  nanoCpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
  labels: Record<string, string>;
  engineVersion: string;
  up: boolean;
  /** Virtual time of the last crash or boot. */
  changedAtMs: number;
  /** The swarm node this host's daemon currently is, if it is in the swarm. */
  nodeId: string | null;
}

export interface RaftState {
  leaderId: string | null;
  term: number;
  leaderSinceMs: number;
  /** A follower's election timeout is running. */
  electionDueMs: number | null;
  candidateId: string | null;
  /** CheckQuorum: the leader will step down then, unless quorum returns. */
  stepDownDueMs: number | null;
}

export interface Swarm {
  id: string;
  caDigest: string;
  workerSecret: string;
  managerSecret: string;
  createdAtMs: number;
  updatedAtMs: number;
  version: number;
  defaultAddrPool: string[];
  subnetSize: number;
  dataPathPort: number;
  heartbeatPeriodMs: number;
  taskHistoryLimit: number;
  /** Raft store index: bumped by every change to the store; objects record it as Version.Index. */
  raftIndex: number;
  raft: RaftState;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  role: NodeRole;
  availability: NodeAvailability;
  labels: Record<string, string>;
  state: NodeState;
  message: string;
  /** Status.Addr: the advertise IP. */
  addr: string;
  dataPathAddr: string;
  /** ManagerStatus.Addr (`ip:2377`), null for workers. */
  managerAddr: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  version: number;
}

export interface State {
  sim: SimState;
  hosts: Table<Host>;
  swarm: Swarm | null;
  nodes: Table<SwarmNode>;
}

/** The slices stored as Tables (used to flatten patch paths and to hash per entity). */
export const TABLE_SLICES: ReadonlySet<string> = new Set(['hosts', 'nodes']);
