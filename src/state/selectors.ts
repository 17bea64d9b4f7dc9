/** Selectors: read-only questions about the state, shared by commands, controllers and views. */
import type { Host, State, SwarmNode } from './types.js';
import { tget, tvalues } from './table.js';

export function selectHost(s: State, name: string): Host | undefined {
  return tget(s.hosts, name);
}

export function selectNode(s: State, id: string): SwarmNode | undefined {
  return tget(s.nodes, id);
}

/** The node a host's daemon is, if that daemon is in the swarm. */
export function selectHostNode(s: State, hostName: string): SwarmNode | undefined {
  const h = tget(s.hosts, hostName);
  return h?.nodeId ? tget(s.nodes, h.nodeId) : undefined;
}

/** Is this node's daemon running and still a member (so it heartbeats)? */
export function isNodeAlive(s: State, n: SwarmNode): boolean {
  const h = tget(s.hosts, n.hostname);
  return !!h && h.up && h.nodeId === n.id;
}

/** Every node, sorted by ID (the deterministic order for controllers). */
export function selectNodesById(s: State): SwarmNode[] {
  return tvalues(s.nodes).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function selectManagers(s: State): SwarmNode[] {
  return selectNodesById(s).filter((n) => n.role === 'manager');
}

/** Raft quorum over the managers in the store: ⌊N/2⌋+1. */
export function quorumOf(managerCount: number): number {
  return Math.floor(managerCount / 2) + 1;
}

export interface RaftHealth {
  managers: number;
  up: SwarmNode[];
  quorum: number;
  hasQuorum: boolean;
}

export function selectRaftHealth(s: State): RaftHealth {
  const managers = selectManagers(s);
  const up = managers.filter((n) => isNodeAlive(s, n));
  const quorum = quorumOf(managers.length);
  return { managers: managers.length, up, quorum, hasQuorum: up.length >= quorum };
}

/** The leader's node, when there is one and it is alive. */
export function selectLeader(s: State): SwarmNode | undefined {
  const id = s.swarm?.raft.leaderId;
  if (!id) return undefined;
  const n = tget(s.nodes, id);
  return n && isNodeAlive(s, n) ? n : undefined;
}

/** Natural sort (docker/cli's `sortorder.NaturalLess`): digit runs compare as numbers. */
export function naturalLess(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
