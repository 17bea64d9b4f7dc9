/** Slice: the swarm object (CA, join tokens, settings) and Raft leadership. */
import type { EngineEvent } from '../../events/index.js';
import { invariant } from './invariant.js';
import type { State, Swarm } from './types.js';

export function swarmReducer(s: State, e: EngineEvent): void {
  if (e.type === 'SwarmInitialized') {
    invariant(s.swarm === null, 'no swarm yet');
    s.swarm = {
      id: e.swarmId, caDigest: e.caDigest, workerTokenSealed: e.workerTokenSealed, managerTokenSealed: e.managerTokenSealed,
      createdAtMs: s.sim.nowMs, updatedAtMs: s.sim.nowMs, version: 1, defaultAddrPool: e.defaultAddrPool,
      subnetSize: e.subnetSize, dataPathPort: e.dataPathPort, heartbeatPeriodMs: e.heartbeatPeriodMs,
      taskHistoryLimit: e.taskHistoryLimit, raftIndex: 1, ingressNetworkId: null,
      raft: { leaderId: e.nodeId, term: 1, leaderSinceMs: s.sim.nowMs, electionDueMs: null, candidateId: null, stepDownDueMs: null },
    };
    return;
  }
  const sw = s.swarm;
  if (!sw) return;
  switch (e.type) {
    case 'JoinTokenRotated':
      if (e.role === 'worker') sw.workerTokenSealed = e.sealed;
      else sw.managerTokenSealed = e.sealed;
      bump(s, sw);
      return;
    case 'NodeJoined': case 'NodeRemoved': case 'NodeStatusChanged': case 'NodeAvailabilityChanged':
    case 'NodeLabelsChanged': case 'NodeRoleChanged': case 'NodeLeft':
    case 'ServiceCreated': case 'ServiceUpdated': case 'ServiceRemoved': case 'ServiceUpdateStatusChanged':
    case 'TaskCreated': case 'TaskStateChanged': case 'TaskAssigned': case 'TaskUnschedulable': case 'TaskDesiredStateChanged':
    case 'TaskRemoved': case 'SecretCreated': case 'SecretRemoved': case 'ConfigCreated': case 'ConfigRemoved':
      sw.raftIndex++;
      return;
    case 'NetworkCreated':
      if (e.ingress) sw.ingressNetworkId = e.networkId;
      return;
    case 'NetworkRemoved':
      if (sw.ingressNetworkId === e.networkId) sw.ingressNetworkId = null;
      return;
    case 'RaftLeaderLost':
      invariant(sw.raft.leaderId === e.nodeId, 'the lost leader was the leader');
      sw.raft.leaderId = null;
      sw.raft.stepDownDueMs = null;
      return;
    case 'RaftElectionScheduled':
      sw.raft.electionDueMs = e.dueMs;
      sw.raft.candidateId = e.candidateId;
      return;
    case 'RaftElectionFailed':
      sw.raft.electionDueMs = null;
      sw.raft.candidateId = null;
      sw.raft.term = e.term;
      return;
    case 'RaftStepDownScheduled':
      sw.raft.stepDownDueMs = e.dueMs;
      return;
    case 'RaftStepDownCancelled':
      sw.raft.stepDownDueMs = null;
      return;
    case 'RaftLeaderElected':
      invariant(e.term > sw.raft.term, 'terms only increase');
      sw.raft = { leaderId: e.nodeId, term: e.term, leaderSinceMs: s.sim.nowMs, electionDueMs: null, candidateId: null, stepDownDueMs: null };
      sw.raftIndex++;
      return;
    default:
      return;
  }
}

function bump(s: State, sw: Swarm): void {
  sw.raftIndex++;
  sw.version = sw.raftIndex;
  sw.updatedAtMs = s.sim.nowMs;
}
