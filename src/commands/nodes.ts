/** docker node update / promote / demote / rm, as swarmkit's controlapi decides them. */
import type { EngineEvent, NodeRole } from '../../events/index.js';
import { isNodeAlive, selectRaftHealth, quorumOf } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { State, SwarmNode } from '../state/types.js';
import { daemon, reject, rpc } from './rejection.js';

/** Docker's node lookup: full ID, then hostname, then unique ID prefix. */
export function resolveNode(s: State, ref: string): SwarmNode {
  const byId = tget(s.nodes, ref);
  if (byId) return byId;
  // The usual case without a scan: the host of that name is in the swarm as a live node. Only one host has
  // that name, so no other live node has that hostname: the scan below would pick this one too.
  const h = tget(s.hosts, ref);
  const current = h?.nodeId ? tget(s.nodes, h.nodeId) : undefined;
  if (current && current.hostname === ref && isNodeAlive(s, current)) return current;
  const all = tvalues(s.nodes);
  const byName = all.filter((n) => n.hostname === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    const live = byName.filter((n) => isNodeAlive(s, n));
    if (live.length === 1) return live[0]!;
    daemon(`node ${ref} is ambiguous (${byName.length} matches found)`);
  }
  const byPrefix = all.filter((n) => n.id.startsWith(ref));
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) daemon(`node ${ref} is ambiguous (${byPrefix.length} matches found)`);
  return daemon(`node ${ref} not found`);
}

export interface NodeUpdateInput {
  availability?: string;
  role?: string;
  labelAdd: string[];
  labelRm: string[];
}

/** `key=value` list as docker's ConvertKVStringsToMap reads it (a bare key gets an empty value). */
export function kvList(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const i = it.indexOf('=');
    if (i < 0) out[it] = '';
    else out[it.slice(0, i)] = it.slice(i + 1);
  }
  return out;
}

export function decideNodeUpdate(s: State, ref: string, input: NodeUpdateInput): EngineEvent[] {
  const n = resolveNode(s, ref);
  // docker/cli mergeNodeUpdate: labels added first, then removed; removing a key absent after that fails.
  const labels: Record<string, string> = { ...n.labels, ...kvList(input.labelAdd) };
  for (const k of input.labelRm) {
    if (!(k in labels)) reject(`key ${k} doesn't exist in node's labels`);
    delete labels[k];
  }
  // moby convert.NodeSpecToGRPC: role and availability are matched case-insensitively.
  const role = input.role === undefined ? n.role : input.role.toLowerCase();
  if (role !== 'worker' && role !== 'manager') daemon(`invalid Role: ${JSON.stringify(input.role)}`);
  const availability = input.availability === undefined ? n.availability : input.availability.toLowerCase();
  if (availability !== 'active' && availability !== 'pause' && availability !== 'drain') daemon(`invalid Availability: ${JSON.stringify(input.availability)}`);
  const out: EngineEvent[] = [...decideRole(s, n, role)];
  if (availability !== n.availability) out.push({ type: 'NodeAvailabilityChanged', nodeId: n.id, from: n.availability, to: availability });
  const added = Object.fromEntries(Object.entries(labels).filter(([k, v]) => n.labels[k] !== v));
  const removed = Object.keys(n.labels).filter((k) => !(k in labels));
  if (Object.keys(added).length || removed.length) out.push({ type: 'NodeLabelsChanged', nodeId: n.id, added, removed });
  return out;
}

/** Role change checks (controlapi/node.go UpdateNode). */
export function decideRole(s: State, n: SwarmNode, to: NodeRole): EngineEvent[] {
  if (n.role === to) return [];
  if (to === 'worker') {
    const health = selectRaftHealth(s);
    if (health.managers === 1) rpc('FailedPrecondition', 'attempting to demote the last manager of the swarm');
    const reachableAfter = health.up.filter((m) => m.id !== n.id).length;
    if (reachableAfter < quorumOf(health.managers - 1)) {
      rpc('FailedPrecondition', "can't remove member from the raft: this would result in a loss of quorum");
    }
  }
  return [{ type: 'NodeRoleChanged', nodeId: n.id, from: n.role, to }];
}

export function decideNodeRm(s: State, ref: string, force: boolean): EngineEvent[] {
  const n = resolveNode(s, ref);
  if (n.role === 'manager') {
    rpc('FailedPrecondition', `node ${n.id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`);
  }
  // controlapi RemoveNode refuses only a READY node without --force (unknown or disconnected ones may go).
  if (!force && n.state === 'ready') rpc('FailedPrecondition', `node ${n.id} is not down and can't be removed`);
  const out: EngineEvent[] = [];
  const h = tget(s.hosts, n.hostname);
  if (h && h.nodeId === n.id) out.push({ type: 'NodeLeft', nodeId: n.id, host: h.name });
  out.push({ type: 'NodeRemoved', nodeId: n.id });
  return out;
}
