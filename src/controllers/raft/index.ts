/**
 * Raft leadership (swarmkit manager/state/raft): one leader; when it goes, a follower whose
 * randomized election timeout (ElectionTick 10 × 1 s, so 10–20 s) expires first stands and wins
 * if a quorum of managers is up. CheckQuorum: a leader that cannot reach a quorum steps down.
 */
import { decideEach } from '../operators.js';
import type { EngineEvent } from '../../../events/index.js';
import type { Prng } from '../../sim/prng.js';
import { selectRaftHealth } from '../../state/selectors.js';
import { tget } from '../../state/table.js';
import type { State } from '../../state/types.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

export const ELECTION_TIMEOUT_MIN_MS = 10_000;
export const ELECTION_TIMEOUT_SPREAD_MS = 10_000;
/** Raft's tick (raft.go: TickInterval 1 s): timeouts are whole ticks. */
export const TICK_MS = 1000;

/** Draws every up manager's election timeout; the earliest becomes the candidate. */
function schedule(state: State, rng: Prng): EngineEvent[] {
  const { up } = selectRaftHealth(state);
  if (up.length === 0) return [];
  let best = { id: up[0]!.id, due: Infinity };
  for (const n of up) {
    const due = state.sim.nowMs + ELECTION_TIMEOUT_MIN_MS + rng.int(ELECTION_TIMEOUT_SPREAD_MS / TICK_MS) * TICK_MS;
    if (due < best.due) best = { id: n.id, due };
  }
  return [{ type: 'RaftElectionScheduled', dueMs: best.due, candidateId: best.id }];
}

function managerOfHost(state: State, hostName: string): string | null {
  const h = tget(state.hosts, hostName);
  const n = h?.nodeId ? tget(state.nodes, h.nodeId) : undefined;
  return n && n.role === 'manager' ? n.id : null;
}

/** CheckQuorum: a leader that can no longer reach a quorum of the managers steps down after a timeout. */
function stepDownIfQuorumLost(state: State): EngineEvent[] {
  const raft = state.swarm!.raft;
  if (!raft.leaderId || raft.stepDownDueMs !== null || selectRaftHealth(state).hasQuorum) return [];
  return [{ type: 'RaftStepDownScheduled', dueMs: state.sim.nowMs + ELECTION_TIMEOUT_MIN_MS }];
}

/** Pure reaction to one fact. */
export function raftReact({ event, state }: Fact, deps: ControllerDeps): EngineEvent[] {
  const sw = state.swarm;
  if (!sw) return [];
  const raft = sw.raft;
  switch (event.type) {
    case 'HostCrashed': {
      const id = managerOfHost(state, event.name);
      if (!id) return [];
      if (raft.leaderId === id) {
        const lost: EngineEvent = { type: 'RaftLeaderLost', nodeId: id, term: raft.term, reason: 'leader down' };
        return [lost];
      }
      return stepDownIfQuorumLost(state);
    }
    case 'RaftLeaderLost':
      return raft.electionDueMs === null && selectRaftHealth(state).hasQuorum ? schedule(state, deps.rng()) : [];
    case 'HostBooted': {
      if (!managerOfHost(state, event.name)) return [];
      const health = selectRaftHealth(state);
      if (!health.hasQuorum) return [];
      if (raft.stepDownDueMs !== null) return [{ type: 'RaftStepDownCancelled' }];
      if (!raft.leaderId && raft.electionDueMs === null) return schedule(state, deps.rng());
      return [];
    }
    case 'NodeRoleChanged':
    case 'NodeLeft':
      if (event.nodeId === raft.leaderId && (event.type === 'NodeLeft' || event.to === 'worker')) {
        return [{ type: 'RaftLeaderLost', nodeId: event.nodeId, term: raft.term, reason: 'leader left' }];
      }
      // A manager that leaves (swarm leave --force) stays a Raft member, unreachable: the leader may lose its quorum.
      return event.type === 'NodeLeft' ? stepDownIfQuorumLost(state) : [];
    case 'ClockAdvanced': {
      const now = state.sim.nowMs;
      if (raft.stepDownDueMs !== null && raft.stepDownDueMs <= now && raft.leaderId) {
        return [{ type: 'RaftLeaderLost', nodeId: raft.leaderId, term: raft.term, reason: 'quorum lost' }];
      }
      if (raft.electionDueMs !== null && raft.electionDueMs <= now) {
        const health = selectRaftHealth(state);
        if (!health.hasQuorum) {
          return [{ type: 'RaftElectionFailed', term: raft.term + 1, upManagers: health.up.length, quorum: health.quorum }];
        }
        const winner = health.up.find((n) => n.id === raft.candidateId) ?? health.up[0]!;
        return [{ type: 'RaftLeaderElected', nodeId: winner.id, term: raft.term + 1 }];
      }
      return [];
    }
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const RAFT_EVENTS: Watch = {
  HostCrashed: true,
  RaftLeaderLost: true,
  HostBooted: true,
  NodeRoleChanged: true,
  NodeLeft: true,
  ClockAdvanced: true,
};

export const raftController: Controller = {
  name: 'raft',
  on: RAFT_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(RAFT_EVENTS, (f) => raftReact(f, deps))),
  nextDeadline(state) {
    const raft = state.swarm?.raft;
    if (!raft) return null;
    const ds = [raft.electionDueMs, raft.stepDownDueMs].filter((d): d is number => d !== null && d > state.sim.nowMs);
    return ds.length ? Math.min(...ds) : null;
  },
};
