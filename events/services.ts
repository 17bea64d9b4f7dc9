/** Service, task, secret, config, volume and container events (swarmkit's store objects and the agent's work). */

export type TaskState =
  | 'new' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running'
  | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned';

/** swarmkit's numeric task states (api/types.proto): a task's state only ever increases. */
export const TASK_STATE_ORDER: Readonly<Record<TaskState, number>> = {
  new: 0, pending: 64, assigned: 192, accepted: 256, preparing: 320, ready: 384, starting: 448, running: 512,
  complete: 576, shutdown: 640, failed: 704, rejected: 768, remove: 800, orphaned: 832,
};

export interface RestartPolicy {
  condition: 'none' | 'on-failure' | 'any';
  delayMs: number;
  /** 0: unlimited. */
  maxAttempts: number;
  /** 0: no window. */
  windowMs: number;
}

export interface UpdateConfig {
  /** 0: all at once. */
  parallelism: number;
  delayMs: number;
  failureAction: 'pause' | 'continue' | 'rollback';
  monitorMs: number;
  maxFailureRatio: number;
  order: 'stop-first' | 'start-first';
}

export interface PortConfig {
  protocol: 'tcp' | 'udp' | 'sctp';
  targetPort: number;
  /** 0 when the allocator is to choose. */
  publishedPort: number;
  publishMode: 'ingress' | 'host';
}

export interface MountSpec {
  type: 'volume' | 'bind' | 'tmpfs';
  source: string;
  target: string;
  readOnly: boolean;
  /** volume-nocopy, volume-label, volume-driver, volume-opt */
  volumeNoCopy?: boolean;
  volumeLabels?: Record<string, string>;
  volumeDriver?: string;
  volumeOptions?: Record<string, string>;
  bindPropagation?: string;
  bindNonRecursive?: boolean;
  tmpfsSizeBytes?: number;
  tmpfsMode?: number;
  consistency?: string;
}

export interface FileReference {
  /** Secret or config ID. */
  id: string;
  name: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

export interface ServiceSpec {
  name: string;
  labels: Record<string, string>;
  /** Image reference as the CLI resolved it (tag added, digest pinned). */
  image: string;
  command: string[];
  args: string[];
  env: string[];
  hostname: string;
  workdir: string;
  user: string;
  containerLabels: Record<string, string>;
  mode: 'replicated' | 'global';
  replicas: number;
  maxReplicasPerNode: number;
  constraints: string[];
  /** `spread` descriptors, e.g. node.labels.zone */
  preferences: string[];
  reservations: { nanoCpus: number; memoryBytes: number };
  limits: { nanoCpus: number; memoryBytes: number };
  restart: RestartPolicy;
  update: UpdateConfig;
  rollback: UpdateConfig;
  secrets: FileReference[];
  configs: FileReference[];
  mounts: MountSpec[];
  endpointMode: 'vip' | 'dnsrr';
  ports: PortConfig[];
  /** Network IDs, in the order given (networks arrive with the networking issue). */
  networks: string[];
  /**
   * What `--network name=…,alias=…,driver-opt=k=v` adds to an attachment (NetworkAttachmentConfig
   * Aliases, DriverOpts), by network ID; absent when no attachment has any.
   */
  networkOptions?: Record<string, { aliases: string[]; driverOpts: Record<string, string> }>;
  forceUpdate: number;
  stopGracePeriodMs: number;
}

export interface ServiceCreated {
  type: 'ServiceCreated';
  serviceId: string;
  spec: ServiceSpec;
  /** Endpoint.Ports: the spec's ports with every published port allocated. */
  endpointPorts: PortConfig[];
}

/** A new spec (update or rollback); the previous one is kept for `service rollback`. */
export interface ServiceUpdated {
  type: 'ServiceUpdated';
  serviceId: string;
  spec: ServiceSpec;
  endpointPorts: PortConfig[];
  rollback: boolean;
}

export interface ServiceRemoved {
  type: 'ServiceRemoved';
  serviceId: string;
}

export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface UpdateStatusRecord {
  state: UpdateState;
  startedAtMs: number;
  completedAtMs: number | null;
  message: string;
}

/** The rolling updater's progress (UpdateStatus in `service inspect`). */
export interface ServiceUpdateStatusChanged {
  type: 'ServiceUpdateStatusChanged';
  serviceId: string;
  status: UpdateStatusRecord;
}

/** The orchestrator made a task for a slot (replicated) or a node (global, pre-assigned). */
export interface TaskCreated {
  type: 'TaskCreated';
  taskId: string;
  serviceId: string;
  /** Replicated: 1, 2, …; global: 0. */
  slot: number;
  /** Global tasks arrive pre-assigned. */
  nodeId: string | null;
  specVersion: number;
  desiredState: TaskState;
  containerId: string;
  /** Replacement of this task (restart, update, reschedule): the new one starts once it is gone. */
  replaces: string | null;
  /** When a desired-READY replacement may start (the restart delay); null: no delay. */
  startAfterMs: number | null;
  /** Made by a rolling update or rollback (its failures count against the update). */
  byUpdate: boolean;
  /** Digest of the task-relevant spec (image, env, mounts, secrets, resources, ForceUpdate…): the updater's dirty check. */
  specKey: string;
}

export interface TaskStateChanged {
  type: 'TaskStateChanged';
  taskId: string;
  from: TaskState;
  to: TaskState;
  message: string;
  err: string;
  exitCode?: number;
}

/** The scheduler put a pending task on a node. */
export interface TaskAssigned {
  type: 'TaskAssigned';
  taskId: string;
  nodeId: string;
  message: string;
}

/** The scheduler could not place a task (yet): why, as `no suitable node (…)`. */
export interface TaskUnschedulable {
  type: 'TaskUnschedulable';
  taskId: string;
  err: string;
}

export interface TaskDesiredStateChanged {
  type: 'TaskDesiredStateChanged';
  taskId: string;
  from: TaskState;
  to: TaskState;
}

/** The task reaper deleted a task (history limit, or its service/slot is gone). */
export interface TaskRemoved {
  type: 'TaskRemoved';
  taskId: string;
}

/** A secret's value is stored encrypted (AES-256-GCM), never in clear. */
export interface SecretCreated {
  type: 'SecretCreated';
  secretId: string;
  name: string;
  labels: Record<string, string>;
  /** base64 of iv ‖ tag ‖ ciphertext */
  sealed: string;
  size: number;
}

export interface SecretRemoved {
  type: 'SecretRemoved';
  secretId: string;
}

export interface ConfigCreated {
  type: 'ConfigCreated';
  configId: string;
  name: string;
  labels: Record<string, string>;
  /** base64 of the data (configs are not secret). */
  data: string;
}

export interface ConfigRemoved {
  type: 'ConfigRemoved';
  configId: string;
}

export interface VolumeCreated {
  type: 'VolumeCreated';
  host: string;
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

export interface VolumeRemoved {
  type: 'VolumeRemoved';
  host: string;
  name: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** A standalone container (`docker run`). Task containers are the tasks themselves. */
export interface ContainerCreated {
  type: 'ContainerCreated';
  containerId: string;
  host: string;
  name: string;
  image: string;
  command: string[];
  env: string[];
  labels: Record<string, string>;
  mounts: MountSpec[];
  /** Networks to attach when it runs (IDs), in order; `--link name[:alias]` entries for the default bridge. */
  networks: string[];
  links: string[];
  /** Network-scoped aliases (`--network-alias`), by network ID; absent when there are none. */
  aliases?: Record<string, string[]>;
}

/** `docker network connect/disconnect`: the networks a container is attached to when it runs. */
export interface ContainerNetworksChanged {
  type: 'ContainerNetworksChanged';
  containerId: string;
  networks: string[];
  /** The aliases by network ID after the change (`network connect --alias`); absent when there are none. */
  aliases?: Record<string, string[]>;
}

export interface ContainerStateChanged {
  type: 'ContainerStateChanged';
  containerId: string;
  from: ContainerState;
  to: ContainerState;
  exitCode: number;
}

export interface ContainerRemoved {
  type: 'ContainerRemoved';
  containerId: string;
}

export type ServiceEvent =
  | ServiceCreated | ServiceUpdated | ServiceRemoved | ServiceUpdateStatusChanged
  | TaskCreated | TaskStateChanged | TaskAssigned | TaskUnschedulable | TaskDesiredStateChanged | TaskRemoved
  | SecretCreated | SecretRemoved | ConfigCreated | ConfigRemoved | VolumeCreated | VolumeRemoved
  | ContainerCreated | ContainerStateChanged | ContainerRemoved | ContainerNetworksChanged;
