/**
 * The task reaper (swarmkit orchestrator/taskreaper): keeps at most the task history limit per slot
 * (5 by default, the current task included; max-attempts+1 when that is larger), deletes tasks whose
 * desired state is REMOVE once they stopped, and tasks that were never placed once they are not wanted.
 */
import { decideEach } from '../operators.js';
import { TASK_STATE_ORDER, type EngineEvent } from '../../../events/index.js';
import { tget } from '../../state/table.js';
import { slotKey } from '../../state/tasks.js';
import type { State, Task } from '../../state/types.js';
import { isTerminal, slotTasks, wantsToRun } from '../orchestrator/tasks.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

/**
 * The deletions one slot needs. `reaped`: tasks whose TaskRemoved this batch already queued — two events
 * about one slot (two tasks of a global service's slot told to go, one after the other) are each shown
 * the state before either deletion is applied, and must not delete the same task twice.
 */
function reapSlot(s: State, t: Task, reaped: Set<string>): EngineEvent[] {
  const slot = tget(s.slots, slotKey(t.serviceId, t.slot, t.nodeId));
  if (!slot) return [];
  const tasks = slotTasks(s, slot).filter((x) => !reaped.has(x.id));
  const out: EngineEvent[] = [];
  const gone = new Set<string>();
  for (const x of tasks) {
    const neverPlaced = TASK_STATE_ORDER[x.state] < TASK_STATE_ORDER.assigned;
    if ((x.desiredState === 'remove' && (isTerminal(x) || neverPlaced)) || (!wantsToRun(x) && neverPlaced)) {
      out.push({ type: 'TaskRemoved', taskId: x.id });
      gone.add(x.id);
      reaped.add(x.id);
    }
  }
  const svc = tget(s.services, t.serviceId);
  const limit = Math.max(s.swarm?.taskHistoryLimit ?? 5, svc && svc.spec.restart.maxAttempts > 0 ? svc.spec.restart.maxAttempts + 1 : 0);
  const left = tasks.filter((x) => !gone.has(x.id));
  let excess = left.length - limit;
  for (const x of left) {
    if (excess <= 0) break;
    if (isTerminal(x) && !wantsToRun(x)) {
      out.push({ type: 'TaskRemoved', taskId: x.id });
      reaped.add(x.id);
      excess--;
    }
  }
  return out;
}

export function reaperReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  switch (e.type) {
    case 'TaskCreated': {
      const t = tget(s.tasks, e.taskId);
      const slot = t ? tget(s.slots, slotKey(t.serviceId, t.slot, t.nodeId)) : undefined;
      return t && slot && slot.taskIds.length > 1 ? reapSlot(s, t, deps.ledger().reaped) : [];
    }
    case 'TaskStateChanged':
    case 'TaskDesiredStateChanged': {
      if (e.type === 'TaskStateChanged' ? TASK_STATE_ORDER[e.to] <= TASK_STATE_ORDER.running : e.to !== 'remove' && e.to !== 'shutdown') return [];
      const t = tget(s.tasks, e.taskId);
      return t ? reapSlot(s, t, deps.ledger().reaped) : [];
    }
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const REAPER_EVENTS: Watch = {
  TaskCreated: true,
  // A task past running, or one to shut down or remove: its slot's history may be over the limit.
  TaskStateChanged: (e) => TASK_STATE_ORDER[e.to] > TASK_STATE_ORDER.running,
  TaskDesiredStateChanged: (e) => e.to === 'remove' || e.to === 'shutdown',
};

export const reaperController: Controller = {
  name: 'reaper',
  on: REAPER_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(REAPER_EVENTS, (f) => reaperReact(f, deps))),
};
