/**
 * The constraint enforcer (swarmkit orchestrator/constraintenforcer): when an active node stops
 * satisfying the constraints or reservations of tasks running on it (a label removed, a role changed),
 * those tasks are rejected; the orchestrator then replaces them elsewhere. Paused and drained nodes
 * are left alone.
 */
import { from, mergeMap } from 'rxjs';
import { TASK_STATE_ORDER, type EngineEvent } from '../../../events/index.js';
import { selectLeader } from '../../state/selectors.js';
import { tget } from '../../state/table.js';
import type { State } from '../../state/types.js';
import { tasksOnNode, wantsToRun } from '../orchestrator/tasks.js';
import { compile, matchesAll } from '../scheduler/constraints.js';
import type { Controller, Fact } from '../types.js';

export function enforce(s: State, nodeId: string): EngineEvent[] {
  const n = tget(s.nodes, nodeId);
  const h = n ? tget(s.hosts, n.hostname) : undefined;
  if (!n || !h || n.availability !== 'active') return [];
  const out: EngineEvent[] = [];
  let cpu = h.nanoCpus;
  let mem = h.memoryBytes;
  for (const t of tasksOnNode(s, nodeId)) {
    if (!wantsToRun(t) || TASK_STATE_ORDER[t.state] < TASK_STATE_ORDER.assigned || TASK_STATE_ORDER[t.state] > TASK_STATE_ORDER.running) continue;
    const svc = tget(s.services, t.serviceId);
    if (!svc) continue;
    cpu -= t.reservedNanoCpus;
    mem -= t.reservedMemoryBytes;
    if (!matchesAll(s, n, compile(svc.spec.constraints)) || cpu < 0 || mem < 0) {
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

export const constraintEnforcerController: Controller = {
  name: 'constraintenforcer',
  react: (fact$) => fact$.pipe(mergeMap((f) => from(constraintEnforcerReact(f)))),
};
