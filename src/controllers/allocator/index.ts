/**
 * The allocator (swarmkit manager/allocator): admits new tasks, NEW → PENDING. Network resources
 * (task IPs, VIPs, ports) are allocated here too once networks are simulated.
 */
import { decideEach } from '../operators.js';
import type { EngineEvent } from '../../../events/index.js';
import { tget } from '../../state/table.js';
import type { Controller, Fact, Watch } from '../types.js';

export function allocatorReact({ event: e, state: s }: Fact): EngineEvent[] {
  if (e.type !== 'TaskCreated') return [];
  const t = tget(s.tasks, e.taskId);
  if (!t || t.state !== 'new') return [];
  return [{ type: 'TaskStateChanged', taskId: t.id, from: 'new', to: 'pending', message: 'pending task scheduling', err: '' }];
}

/** The facts it reacts to (its pipeline sees no others). */
const ALLOCATOR_EVENTS: Watch = {
  TaskCreated: true,
};

export const allocatorController: Controller = {
  name: 'allocator',
  on: ALLOCATOR_EVENTS,
  react: (fact$) => fact$.pipe(decideEach(ALLOCATOR_EVENTS, (f) => allocatorReact(f))),
};
