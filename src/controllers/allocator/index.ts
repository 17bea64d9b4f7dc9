/**
 * The allocator (swarmkit manager/allocator): admits new tasks, NEW → PENDING. Network resources
 * (task IPs, VIPs, ports) are allocated here too once networks are simulated.
 */
import { decideEach } from '../operators.js';
import type { EngineEvent } from '../../../events/index.js';
import { tget } from '../../state/table.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

function admit(taskId: string): EngineEvent {
  return { type: 'TaskStateChanged', taskId, from: 'new', to: 'pending', message: 'pending task scheduling', err: '' };
}

/**
 * A new task is admitted (NEW → PENDING) once the network allocator, which saw the fact first, has its
 * addresses: a task it could not allocate stays NEW, and is admitted when a retry allocates it.
 */
export function allocatorReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  switch (e.type) {
    case 'TaskCreated': {
      const t = tget(s.tasks, e.taskId);
      if (!t || t.state !== 'new' || deps.ledger().unallocated.has(t.id)) return [];
      return [admit(t.id)];
    }
    case 'Idle':
    case 'ClockAdvanced': {
      const L = deps.ledger();
      if (L.admitted.length === 0) return [];
      return L.admitted.splice(0).map(admit);
    }
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const ALLOCATOR_EVENTS: Watch = {
  TaskCreated: true,
  Idle: true,
  ClockAdvanced: true,
};

export const allocatorController: Controller = {
  name: 'allocator',
  on: ALLOCATOR_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(ALLOCATOR_EVENTS, (f) => allocatorReact(f, deps))),
};
