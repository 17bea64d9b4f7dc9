/**
 * Node liveness (swarmkit's dispatcher): a node whose heartbeats stop is marked DOWN after
 * period × 3; after a leader change every node is first UNKNOWN and gets period × 6.
 * Only a live leader runs a dispatcher: without one, nothing is marked.
 */
import { decideEach } from '../operators.js';
import type { EngineEvent } from '../../../events/index.js';
import { isNodeAlive, selectLeader, selectNodesById } from '../../state/selectors.js';
import type { State, SwarmNode } from '../../state/types.js';
import { tget } from '../../state/table.js';
import type { Controller, Fact, Watch } from '../types.js';

export const DOWN_GRACE = 3;
export const UNKNOWN_GRACE = 6;
const UNKNOWN_MESSAGE = 'Node moved to "unknown" state due to leadership change in cluster';

/** When the dispatcher will give up on this silent node, or null if it is alive or not watched. */
export function downDeadline(s: State, n: SwarmNode): number | null {
  const sw = s.swarm;
  if (!sw || isNodeAlive(s, n)) return null;
  const period = sw.heartbeatPeriodMs;
  if (n.state === 'unknown') return sw.raft.leaderSinceMs + UNKNOWN_GRACE * period;
  if (n.state !== 'ready' && n.state !== 'disconnected') return null;
  const h = tget(s.hosts, n.hostname);
  const lastHeartbeat = Math.max(h ? h.changedAtMs : 0, sw.raft.leaderSinceMs);
  return lastHeartbeat + DOWN_GRACE * period;
}

/** Pure reaction to one fact. */
export function livenessReact({ event, state }: Fact): EngineEvent[] {
  if (event.type !== 'HostBooted' && event.type !== 'RaftLeaderElected' && event.type !== 'ClockAdvanced') return [];
  if (!selectLeader(state)) return [];
  switch (event.type) {
    case 'HostBooted': {
      const h = tget(state.hosts, event.name);
      const n = h?.nodeId ? tget(state.nodes, h.nodeId) : undefined;
      return n && n.state !== 'ready' ? [ready(n)] : [];
    }
    case 'RaftLeaderElected':
      // The new dispatcher knows nobody: silent nodes become unknown, live ones re-register at once.
      return selectNodesById(state).flatMap((n): EngineEvent[] => {
        const alive = isNodeAlive(state, n);
        if (!alive && n.state === 'ready') return [{ type: 'NodeStatusChanged', nodeId: n.id, from: 'ready', to: 'unknown', message: UNKNOWN_MESSAGE }];
        if (alive && n.state !== 'ready') return [ready(n)];
        return [];
      });
    case 'ClockAdvanced':
      return selectNodesById(state).flatMap((n): EngineEvent[] => {
        const due = downDeadline(state, n);
        if (due === null || due > state.sim.nowMs) return [];
        const message = n.state === 'unknown' ? 'heartbeat failure for node in "unknown" state' : 'heartbeat failure';
        return [{ type: 'NodeStatusChanged', nodeId: n.id, from: n.state, to: 'down', message }];
      });
    default:
      return [];
  }
}

function ready(n: SwarmNode): EngineEvent {
  return { type: 'NodeStatusChanged', nodeId: n.id, from: n.state, to: 'ready', message: '' };
}

/** The facts it reacts to (its pipeline sees no others). */
const LIVENESS_EVENTS: Watch = {
  HostBooted: true,
  RaftLeaderElected: true,
  ClockAdvanced: true,
};

export const livenessController: Controller = {
  name: 'liveness',
  on: LIVENESS_EVENTS,
  react: (fact$) => fact$.pipe(decideEach(LIVENESS_EVENTS, (f) => livenessReact(f))),
  nextDeadline(state) {
    if (!selectLeader(state)) return null;
    let min: number | null = null;
    for (const n of selectNodesById(state)) {
      const d = downDeadline(state, n);
      if (d !== null && d > state.sim.nowMs && (min === null || d < min)) min = d;
    }
    return min;
  },
};
