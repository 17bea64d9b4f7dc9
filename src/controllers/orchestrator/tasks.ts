/** Read helpers over tasks and slots, shared by the orchestrator, updater, reaper and views. */
import { TASK_STATE_ORDER } from '../../../events/index.js';
import { tget, tvalues } from '../../state/table.js';
import { slotKey } from '../../state/tasks.js';
import type { Service, Slot, State, Task } from '../../state/types.js';

export const isTerminal = (t: Task): boolean => TASK_STATE_ORDER[t.state] > TASK_STATE_ORDER.running;
export const wantsToRun = (t: Task): boolean => t.desiredState === 'running' || t.desiredState === 'ready';

/** Every slot of a service (replicated: 1..maxSlot; global or removed: by scanning). */
export function serviceSlots(s: State, serviceId: string): Slot[] {
  const svc = tget(s.services, serviceId);
  if (svc && svc.spec.mode === 'replicated') {
    const out: Slot[] = [];
    for (let i = 1; i <= svc.maxSlot; i++) {
      const slot = tget(s.slots, slotKey(serviceId, i, null));
      if (slot) out.push(slot);
    }
    return out;
  }
  return tvalues(s.slots).filter((x) => x.serviceId === serviceId).sort((a, b) => (String(a.nodeId) < String(b.nodeId) ? -1 : 1));
}

export function slotTasks(s: State, slot: Slot): Task[] {
  return slot.taskIds.map((id) => tget(s.tasks, id)).filter((t): t is Task => !!t);
}

/** The slot's current task: the newest one that is meant to run. */
export function currentTask(s: State, slot: Slot): Task | undefined {
  for (let i = slot.taskIds.length - 1; i >= 0; i--) {
    const t = tget(s.tasks, slot.taskIds[i]!);
    if (t && wantsToRun(t)) return t;
  }
  return undefined;
}

/** Every task of a service that is meant to run, slot by slot. */
export function runnableTasks(s: State, svc: Service): Task[] {
  return serviceSlots(s, svc.id).map((slot) => currentTask(s, slot)).filter((t): t is Task => !!t);
}

/** Tasks placed on a node (a scan: used on rare node events). */
export function tasksOnNode(s: State, nodeId: string): Task[] {
  const ids = tget(s.nodeTasks, nodeId)?.taskIds ?? [];
  return ids.map((id) => tget(s.tasks, id)).filter((t): t is Task => !!t).sort((a, b) => (a.id < b.id ? -1 : 1));
}
