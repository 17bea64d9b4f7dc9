/** The derived state: normalized, serializable, nothing derivable stored twice. */
import type {
  ContainerCreated, ContainerState, EndpointCreated, NetworkCreated, RouteAdded, NodeAvailability, PortConfig, NodeRole, NodeState, ServiceSpec, TaskState, UpdateStatusRecord,
} from '../../events/index.js';
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
  /** The next interface index the host's kernel hands out. */
  nextIfIndex: number;
  /** Counter of rules added on this host (orders iptables listings). */
  ruleSeq: number;
  /** Index: IDs of the local networks on this host. */
  networks: string[];
  /** libnetwork's fwMarkCtr in this host's daemon: the next firewall mark (absent: 256, as at daemon start). */
  nextFwmark?: number;
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
  /** Join-token secrets, sealed (unseal with joinSecret). */
  workerTokenSealed: string;
  managerTokenSealed: string;
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
  /** Index: the routing-mesh network (there is at most one). */
  ingressNetworkId: string | null;
  /** The manager's serial VXLAN ID cursor (ovmanager): the next VNI to try (absent: 4096). */
  nextVni?: number;
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
  /** Its addresses on swarm networks: the ingress sandbox's, and each overlay's load balancer's. */
  attachments: { networkId: string; ip: string }[];
  createdAtMs: number;
  updatedAtMs: number;
  version: number;
}

export interface Service {
  id: string;
  spec: ServiceSpec;
  previousSpec: ServiceSpec | null;
  endpointPorts: PortConfig[];
  previousEndpointPorts: PortConfig[] | null;
  /** Bumped by every spec change: tasks of an older version are dirty for the updater. */
  specVersion: number;
  version: number;
  createdAtMs: number;
  updatedAtMs: number;
  /** Highest slot number ever used (replicated). */
  maxSlot: number;
  updateStatus: UpdateStatusRecord | null;
  /** Endpoint.VirtualIPs: one per network (ingress first), none in dnsrr mode. */
  vips: { networkId: string; ip: string }[];
}

export interface Task {
  id: string;
  serviceId: string;
  slot: number;
  nodeId: string | null;
  specVersion: number;
  state: TaskState;
  desiredState: TaskState;
  message: string;
  err: string;
  exitCode: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** When the observed state last changed (CURRENT STATE "Running 3 minutes ago"). */
  stateAtMs: number;
  containerId: string;
  replaces: string | null;
  startAfterMs: number | null;
  byUpdate: boolean;
  specKey: string;
  runningAtMs: number | null;
  /** Reservations taken on its node while active (from the spec it was made from). */
  reservedNanoCpus: number;
  reservedMemoryBytes: number;
  /** Its addresses on each network (ingress first when it publishes ports). */
  addrs: { networkId: string; ip: string }[];
  version: number;
  /**
   * PortStatus: the host-mode ports its container bound when it started, an unpublished one given a
   * port by the host's allocator (absent for tasks without host-mode ports).
   */
  hostPorts?: PortConfig[];
}

/** A replicated slot (`web.3`) or a global service's node entry, with its task history (oldest first). */
export interface Slot {
  serviceId: string;
  slot: number;
  nodeId: string | null;
  taskIds: string[];
}

/** Index for the scheduler: active tasks (desired ≤ complete) per node, in total and per service. */
export interface Placement {
  nodeId: string;
  total: number;
  services: Record<string, number>;
  reservedNanoCpus: number;
  reservedMemoryBytes: number;
}

export interface Secret {
  id: string;
  name: string;
  labels: Record<string, string>;
  sealed: string;
  size: number;
  createdAtMs: number;
  updatedAtMs: number;
  version: number;
}

export interface Config {
  id: string;
  name: string;
  labels: Record<string, string>;
  data: string;
  createdAtMs: number;
  updatedAtMs: number;
  version: number;
}

export interface Volume {
  host: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  createdAtMs: number;
}

/** A standalone container: what ContainerCreated recorded, plus its lifecycle. */
export interface Container extends Omit<ContainerCreated, 'type' | 'containerId'> {
  id: string;
  state: ContainerState;
  exitCode: number;
  createdAtMs: number;
  stateAtMs: number;
}

/** A network: what NetworkCreated recorded, with its bookkeeping. */
export interface Network extends Omit<NetworkCreated, 'type' | 'networkId'> {
  id: string;
  createdAtMs: number;
  version: number;
  /** IPAM cursor (see src/net/ipam.ts). */
  pool: { next: number; released: number[] };
}

export interface Address {
  networkId: string;
  ip: string;
  owner: { kind: 'task' | 'vip' | 'node' | 'container' | 'gateway'; id: string };
}

/** A CNM endpoint: exactly what EndpointCreated recorded, keyed by its ID. */
export interface Endpoint extends Omit<EndpointCreated, 'type' | 'endpointId'> {
  id: string;
}

export interface Netns {
  host: string;
  name: string;
  createdAtMs: number;
  /** Index: names of the links in it, and IDs of the endpoints whose sandbox it is. */
  links: string[];
  endpoints: string[];
  /** Index: service IDs with a load balancer (IPVS service) in it. */
  lbs?: string[];
}

export interface Link {
  host: string;
  netns: string;
  name: string;
  kind: 'bridge' | 'vxlan' | 'veth';
  ifIndex: number;
  mtu: number;
  mac: string;
  peer: number;
  master: string;
  /** CIDRs assigned to it. */
  addrs: string[];
}

/** A route: what RouteAdded recorded. */
export type Route = Omit<RouteAdded, 'type'>;

export interface Rule {
  host: string;
  netns: string;
  rule: import('../../events/index.js').IptablesRule;
  /** Insertion order (rules print in order within a chain). */
  seq: number;
}

/** A load balancer on one node: what IpvsServiceAdded recorded. Its real servers are the service's backends. */
export interface IpvsService {
  host: string;
  netns: string;
  fwmark: number;
  serviceId: string;
  networkId: string;
  vip: string;
  ports: { protocol: string; publishedPort: number }[];
}

/** A service's load-balancer backends on a network (networkdb endpoint_table entries), in arrival order. */
export interface LbBackends {
  networkId: string;
  serviceId: string;
  ips: string[];
}

/** A swarm network as networkdb sees it: the hosts with its load-balancer sandbox, the services with backends on it. */
export interface NetLb {
  networkId: string;
  /** In the order they joined (the ingress's are not listed: every node of the mesh has it). */
  hosts: string[];
  /** In the order their first backend appeared. */
  services: string[];
}

export interface DnsRecord {
  networkId: string;
  name: string;
  ips: string[];
}

export interface State {
  sim: SimState;
  hosts: Table<Host>;
  swarm: Swarm | null;
  nodes: Table<SwarmNode>;
  services: Table<Service>;
  tasks: Table<Task>;
  slots: Table<Slot>;
  placements: Table<Placement>;
  /** Index: every task placed on a node (any state), by node ID. */
  nodeTasks: Table<{ nodeId: string; taskIds: string[] }>;
  /** Allocator queue: tasks still NEW, whose addresses could not all be allocated (swarmkit unallocatedTasks). */
  unallocated: Table<{ taskId: string }>;
  /** Scheduler queue: tasks PENDING without a node. */
  pending: Table<{ taskId: string }>;
  /** Restart supervisor: tasks desired READY, waiting to be started. */
  delayed: Table<{ taskId: string }>;
  secrets: Table<Secret>;
  configs: Table<Config>;
  /** Keyed `host/name`. */
  volumes: Table<Volume>;
  containers: Table<Container>;
  networks: Table<Network>;
  /** Keyed `networkId/ip`. */
  addresses: Table<Address>;
  endpoints: Table<Endpoint>;
  /** Keyed `host/name`. */
  netns: Table<Netns>;
  /** Keyed `host/netns/name` (netns '' is the host's root namespace). */
  links: Table<Link>;
  /** Keyed `host/netns/dst/dev`. */
  routes: Table<Route>;
  /** Keyed `host/netns/table/chain/<rule digest>`. */
  rules: Table<Rule>;
  /** Keyed `host/netns/serviceId`. */
  ipvs: Table<IpvsService>;
  /** Keyed `networkId/serviceId`. */
  backends: Table<LbBackends>;
  /** Keyed `networkId`. */
  netlb: Table<NetLb>;
  /** Keyed `networkId/name`. */
  dns: Table<DnsRecord>;
  /**
   * Each host daemon's port allocator (libnetwork portallocator): the last port it handed out from the
   * ephemeral range, per protocol; set by the tasks slice, absent until a host first hands one out.
   */
  hostPortCursors?: Record<string, Partial<Record<'tcp' | 'udp' | 'sctp', number>>>;
}

/** The slices stored as Tables (used to flatten patch paths and to hash per entity). */
export const TABLE_SLICES: ReadonlySet<string> = new Set([
  'hosts', 'nodes', 'services', 'tasks', 'slots', 'placements', 'nodeTasks', 'unallocated', 'pending', 'delayed', 'secrets', 'configs', 'volumes', 'containers',
  'networks', 'addresses', 'endpoints', 'netns', 'links', 'routes', 'rules', 'ipvs', 'backends', 'netlb', 'dns',
]);
