/** Host events: simulated Docker hosts (machines running dockerd). */

export interface HostAdded {
  type: 'HostAdded';
  name: string;
  ip: string;
  nanoCpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
  labels: Record<string, string>;
  engineVersion: string;
}

/** The machine stopped: dockerd, its agent and its heartbeats are gone. */
export interface HostCrashed {
  type: 'HostCrashed';
  name: string;
}

/** The machine is back; dockerd restarts and its agent reconnects. */
export interface HostBooted {
  type: 'HostBooted';
  name: string;
}

export type HostEvent = HostAdded | HostCrashed | HostBooted;
