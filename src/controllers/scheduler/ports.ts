/** HostPortFilter support: nodes where a host-mode published port of this service is already taken. */
import { tget, tvalues } from '../../state/table.js';
import type { Service, State } from '../../state/types.js';
import { isActiveDesired } from '../../state/tasks.js';
import { TASK_STATE_ORDER, type TaskState } from '../../../events/index.js';

/** A task in ASSIGNED..RUNNING: placed on its node and not yet ended. */
function holdsResources(state: TaskState): boolean {
  return TASK_STATE_ORDER[state] > TASK_STATE_ORDER.pending && TASK_STATE_ORDER[state] <= TASK_STATE_ORDER.running;
}

export function hostPortsInUse(s: State, svc: Service): Set<string> | null {
  const mine = svc.spec.ports.filter((p) => p.publishMode === 'host' && p.publishedPort > 0).map((p) => `${p.protocol}/${p.publishedPort}`);
  if (mine.length === 0) return null;
  const used = new Set<string>();
  for (const other of tvalues(s.services)) {
    const theirs = new Set(other.spec.ports.filter((p) => p.publishMode === 'host' && p.publishedPort > 0).map((p) => `${p.protocol}/${p.publishedPort}`));
    if (!mine.some((m) => theirs.has(m))) continue;
    for (const slot of tvalues(s.slots)) {
      if (slot.serviceId !== other.id) continue;
      for (const id of slot.taskIds) {
        const t = tget(s.tasks, id);
        // As swarmkit's scheduler builds its node infos (setupTasksList): only tasks past PENDING and not
        // past RUNNING hold their ports; a preassigned task still pending (a global service's) is the one
        // being placed, not a user of the port.
        if (t?.nodeId && isActiveDesired(t.desiredState) && holdsResources(t.state)) used.add(t.nodeId);
      }
    }
  }
  return used;
}
