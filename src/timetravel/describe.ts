/** One readable line per event, naming nodes by hostname where the state knows them. */
import type { EngineEvent } from '../../events/index.js';
import { formatDurationMs } from '../sim/duration.js';
import { assertNever } from '../state/invariant.js';
import { tget } from '../state/table.js';
import type { State } from '../state/types.js';

/** `worker1 (3k2j5…)` when the node is known, else the short ID. */
export function nodeLabel(s: State | null, nodeId: string): string {
  const n = s ? tget(s.nodes, nodeId) : undefined;
  return n ? `${n.hostname} (${nodeId.slice(0, 12)})` : nodeId.slice(0, 12);
}

export function describe(e: EngineEvent, s: State | null): string {
  switch (e.type) {
    case 'LogInitialized': return `log created with seed ${e.seed}`;
    case 'ClockAdvanced': return `clock ${formatDurationMs(e.fromMs)} → ${formatDurationMs(e.toMs)}`;
    case 'HostAdded': return `host ${e.name} added (${e.ip}, ${e.os}/${e.arch}, ${e.nanoCpus / 1e9} CPUs)`;
    case 'HostCrashed': return `host ${e.name} crashed`;
    case 'HostBooted': return `host ${e.name} booted`;
    case 'SwarmInitialized': return `swarm ${e.swarmId.slice(0, 12)} initialized on ${e.host}: node ${e.nodeId.slice(0, 12)} is the first manager and leader`;
    case 'JoinTokenRotated': return `${e.role} join token rotated`;
    case 'NodeJoined': return `${e.host} joined as a ${e.role}: node ${e.nodeId.slice(0, 12)}`;
    case 'NodeLeft': return `${e.host} left the swarm (node ${e.nodeId.slice(0, 12)})`;
    case 'NodeRemoved': return `node ${nodeLabel(s, e.nodeId)} removed`;
    case 'NodeStatusChanged': return `node ${nodeLabel(s, e.nodeId)} ${e.from} → ${e.to}${e.message ? ` (${e.message})` : ''}`;
    case 'NodeAvailabilityChanged': return `node ${nodeLabel(s, e.nodeId)} availability ${e.from} → ${e.to}`;
    case 'NodeLabelsChanged': return `node ${nodeLabel(s, e.nodeId)} labels${Object.entries(e.added).map(([k, v]) => ` +${k}=${v}`).join('')}${e.removed.map((k) => ` -${k}`).join('')}`;
    case 'NodeRoleChanged': return `node ${nodeLabel(s, e.nodeId)} ${e.from} → ${e.to}`;
    case 'RaftLeaderLost': return `raft: leader ${nodeLabel(s, e.nodeId)} lost in term ${e.term} (${e.reason})`;
    case 'RaftElectionScheduled': return `raft: election timeout of ${nodeLabel(s, e.candidateId)} expires at ${formatDurationMs(e.dueMs)}`;
    case 'RaftElectionFailed': return `raft: election for term ${e.term} failed: ${e.upManagers} of the ${e.quorum} managers a quorum needs are up`;
    case 'RaftStepDownScheduled': return `raft: leader cannot reach a quorum; steps down at ${formatDurationMs(e.dueMs)}`;
    case 'RaftStepDownCancelled': return 'raft: quorum is back; the leader stays';
    case 'RaftLeaderElected': return `raft: ${nodeLabel(s, e.nodeId)} elected leader for term ${e.term}`;
    default: return assertNever(e);
  }
}

/** Node IDs and host names an event is about (for `engine log --node`). */
export function subjects(e: EngineEvent): string[] {
  const out: string[] = [];
  const r = e as unknown as Record<string, unknown>;
  for (const k of ['nodeId', 'host', 'name', 'candidateId']) if (typeof r[k] === 'string') out.push(r[k] as string);
  return out;
}
