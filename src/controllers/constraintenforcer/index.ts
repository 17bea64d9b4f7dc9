/**
 * The constraint enforcer (swarmkit orchestrator/constraintenforcer): when an active node stops
 * satisfying the constraints or reservations of tasks running on it (a label removed, a role changed),
 * those tasks are rejected; the orchestrator then replaces them elsewhere. Paused and drained nodes
 * are left alone.
 */
import { decideEach } from '../operators.js';
import { TASK_STATE_ORDER, type EngineEvent } from '../../../events/index.js';
import { selectLeader } from '../../state/selectors.js';
import { tget } from '../../state/table.js';
import type { State } from '../../state/types.js';
import { tasksOnNode, wantsToRun } from '../orchestrator/tasks.js';
import { compile, matchesAll } from '../scheduler/constraints.js';
import type { Controller, Fact, Watch } from '../types.js';

export function enforce(s: State, nodeId: string): EngineEvent[] {
  const n = tget(s.nodes, nodeId);
  const h = n ? tget(s.hosts, n.hostname) : undefined;
  if (!n || !h || n.availability !== 'active') return [];
  const out: EngineEvent[] = [];
  let cpu = h.nanoCpus;
  let mem = h.memoryBytes;
  // Fast path: no service active on this node constrains placement or reserves resources.
  const active = Object.keys(tget(s.placements, nodeId)?.services ?? {});
  if (active.every((id) => {
    const svc = tget(s.services, id);
    return !svc || (svc.spec.constraints.length === 0 && svc.spec.reservations.nanoCpus === 0 && svc.spec.reservations.memoryBytes === 0);
  })) return [];
  // Per service, once: does it constrain placement at all, and does this node still match?
  const verdict = new Map<string, boolean>();
  const matchOf = (serviceId: string): boolean => {
    let v = verdict.get(serviceId);
    if (v === undefined) {
      const svc = tget(s.services, serviceId);
      v = !svc || svc.spec.constraints.length === 0 || matchesAll(s, n, compile(svc.spec.constraints));
      verdict.set(serviceId, v);
    }
    return v;
  };
  for (const t of tasksOnNode(s, nodeId)) {
    if (t.reservedNanoCpus === 0 && t.reservedMemoryBytes === 0 && matchOf(t.serviceId)) continue;
    if (!wantsToRun(t) || TASK_STATE_ORDER[t.state] < TASK_STATE_ORDER.assigned || TASK_STATE_ORDER[t.state] > TASK_STATE_ORDER.running) continue;
    cpu -= t.reservedNanoCpus;
    mem -= t.reservedMemoryBytes;
    if (!matchOf(t.serviceId) || cpu < 0 || mem < 0) {
      out.push({ type: 'TaskStateChanged', taskId: t.id, from: t.state, to: 'rejected', message: 'task rejected by constraint enforcer', err: 'assigned node no longer meets constraints' });
    }
  }
  return out;
}

export function constraintEnforcerReact({ event: e, state: s }: Fact): EngineEvent[] {
  if (e.type !== 'NodeLabelsChanged' && e.type !== 'NodeRoleChanged') return [];
  if (!selectLeader(s)) return [];
  return enforce(s, e.nodeId);
}

/** The facts it reacts to (its pipeline sees no others). */
const ENFORCER_EVENTS: Watch = {
  NodeLabelsChanged: true,
  NodeRoleChanged: true,
};

export const constraintEnforcerController: Controller = {
  name: 'constraintenforcer',
  on: ENFORCER_EVENTS,
  react: (fact$) => fact$.pipe(decideEach(ENFORCER_EVENTS, (f) => constraintEnforcerReact(f))),
};
