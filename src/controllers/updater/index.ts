/**
 * The rolling updater (swarmkit orchestrator/update/updater.go): after a spec change, replaces dirty
 * slots `parallelism` at a time (0: all), waiting `delay` between batches, stop-first or start-first;
 * counts failures of the new tasks (before running, or within `monitor` of running) against
 * max-failure-ratio and then pauses, continues or rolls back; finishes with `update completed`.
 */
import { from, mergeMap } from 'rxjs';
import type { EngineEvent, UpdateConfig, UpdateState } from '../../../events/index.js';
import type { Prng } from '../../sim/prng.js';
import { selectLeader } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { Service, State, Task } from '../../state/types.js';
import { newTask } from '../orchestrator/index.js';
import { taskSpecKey } from '../orchestrator/spec.js';
import { currentTask, isTerminal, serviceSlots } from '../orchestrator/tasks.js';
import { compile, matchesAll } from '../scheduler/constraints.js';
import type { Controller, ControllerDeps, Fact } from '../types.js';

const ACTIVE: ReadonlySet<UpdateState> = new Set(['updating', 'rollback_started']);

function isRollback(svc: Service): boolean {
  return svc.updateStatus?.state.startsWith('rollback') ?? false;
}

function config(svc: Service): UpdateConfig {
  return isRollback(svc) ? svc.spec.rollback : svc.spec.update;
}

interface Progress {
  dirty: Task[];
  /** New tasks of this update not yet running. */
  inFlight: Task[];
  /** New tasks of this update that failed or ended early. */
  failed: Task[];
  /** When the last new task reached RUNNING. */
  lastRunningMs: number | null;
  slots: number;
}

/**
 * orchestrator.IsTaskDirty: the task template changed, or (replicated services) only the placement
 * constraints did and the task's node no longer meets them — then the update moves it. Global tasks on
 * nodes that stop matching are shut down by the global orchestrator instead.
 */
function isDirty(s: State, svc: Service, t: Task, key: string): boolean {
  if (t.specKey !== key) return true;
  if (svc.spec.mode !== 'replicated' || !t.nodeId || svc.spec.constraints.length === 0) return false;
  const n = tget(s.nodes, t.nodeId);
  return !n || !matchesAll(s, n, compile(svc.spec.constraints));
}

function progress(s: State, svc: Service): Progress {
  const key = taskSpecKey(svc.spec);
  const cfg = config(svc);
  const p: Progress = { dirty: [], inFlight: [], failed: [], lastRunningMs: null, slots: 0 };
  const since = svc.updateStatus?.startedAtMs ?? 0;
  for (const slot of serviceSlots(s, svc.id)) {
    const cur = currentTask(s, slot);
    if (cur) p.slots++;
    for (const id of slot.taskIds) {
      const t = tget(s.tasks, id);
      if (!t || !t.byUpdate || t.specKey !== key || t.createdAtMs < since) continue;
      // A failure or early termination (updater.go): failed, rejected, or exited on its own within the monitor.
      if (isTerminal(t) && (t.state === 'failed' || t.state === 'rejected' || t.state === 'complete') && (t.runningAtMs === null || t.stateAtMs - t.runningAtMs <= cfg.monitorMs)) p.failed.push(t);
      if (t.runningAtMs !== null && (p.lastRunningMs === null || t.runningAtMs > p.lastRunningMs)) p.lastRunningMs = t.runningAtMs;
    }
    if (!cur) continue;
    if (isDirty(s, svc, cur, key)) p.dirty.push(cur);
    else if (cur.byUpdate && cur.createdAtMs >= since && cur.state !== 'running' && !isTerminal(cur)) p.inFlight.push(cur);
  }
  return p;
}

function status(svc: Service, state: UpdateState, message: string, s: State, completed = false): EngineEvent {
  return {
    type: 'ServiceUpdateStatusChanged', serviceId: svc.id,
    status: { state, startedAtMs: svc.updateStatus?.startedAtMs ?? s.sim.nowMs, completedAtMs: completed ? s.sim.nowMs : null, message },
  };
}

/** Replaces one dirty slot's task. */
function replace(s: State, svc: Service, old: Task, cfg: UpdateConfig, rng: Prng): EngineEvent[] {
  const nodeId = svc.spec.mode === 'global' ? old.nodeId : null;
  if (cfg.order === 'start-first') {
    return [newTask(svc, old.slot, nodeId, rng, { desired: 'running', replaces: old.id, byUpdate: true })];
  }
  return [
    { type: 'TaskDesiredStateChanged', taskId: old.id, from: old.desiredState, to: 'shutdown' },
    newTask(svc, old.slot, nodeId, rng, { desired: 'ready', replaces: old.id, startAfterMs: s.sim.nowMs, byUpdate: true }),
  ];
}

/** When the updater next has something to do for this service (delay or monitor end). */
function dueAt(s: State, svc: Service, p: Progress): number {
  const cfg = config(svc);
  if (p.dirty.length === 0 && p.inFlight.length === 0) {
    const last = p.lastRunningMs ?? svc.updateStatus!.startedAtMs;
    const wait = cfg.delayMs >= cfg.monitorMs ? cfg.delayMs + 1000 : cfg.monitorMs;
    return last + wait;
  }
  return p.lastRunningMs === null ? s.sim.nowMs : p.lastRunningMs + cfg.delayMs;
}

export function stepUpdate(s: State, svc: Service, rng: Prng): EngineEvent[] {
  if (!svc.updateStatus || !ACTIVE.has(svc.updateStatus.state)) return [];
  const cfg = config(svc);
  const rb = isRollback(svc);
  const p = progress(s, svc);
  if (p.failed.length > 0 && cfg.failureAction !== 'continue' && p.failed.length / Math.max(1, p.slots) > cfg.maxFailureRatio) {
    const culprit = p.failed[0]!.id;
    if (rb) return [status(svc, 'rollback_paused', `rollback paused due to failure or early termination of task ${culprit}`, s)];
    if (cfg.failureAction === 'pause') return [status(svc, 'paused', `update paused due to failure or early termination of task ${culprit}`, s)];
    if (!svc.previousSpec) return [status(svc, 'paused', `update paused due to failure or early termination of task ${culprit}`, s)];
    return [
      // updater.go rollbackUpdate changes only State and Message: StartedAt stays the update's.
      status(svc, 'rollback_started', `update rolled back due to failure or early termination of task ${culprit}`, s),
      { type: 'ServiceUpdated', serviceId: svc.id, spec: svc.previousSpec, endpointPorts: svc.previousEndpointPorts ?? svc.endpointPorts, rollback: true },
    ];
  }
  const due = dueAt(s, svc, p);
  if (due > s.sim.nowMs) return [];
  if (p.dirty.length === 0 && p.inFlight.length === 0) {
    return [status(svc, rb ? 'rollback_completed' : 'completed', rb ? 'rollback completed' : 'update completed', s, true)];
  }
  const room = (cfg.parallelism === 0 ? Infinity : cfg.parallelism) - p.inFlight.length;
  const out: EngineEvent[] = [];
  for (const t of p.dirty.sort((a, b) => a.slot - b.slot || (String(a.nodeId) < String(b.nodeId) ? -1 : 1)).slice(0, Math.max(0, room))) {
    out.push(...replace(s, svc, t, cfg, rng));
  }
  return out;
}

/** start-first: once the new task runs, the one it replaces is shut down. */
function retireReplaced(s: State, taskId: string): EngineEvent[] {
  const t = tget(s.tasks, taskId);
  if (!t || !t.byUpdate || !t.replaces || t.state !== 'running') return [];
  const old = tget(s.tasks, t.replaces);
  if (!old || (old.desiredState !== 'running' && old.desiredState !== 'ready')) return [];
  return [{ type: 'TaskDesiredStateChanged', taskId: old.id, from: old.desiredState, to: 'shutdown' }];
}

export function updaterReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  if (e.type !== 'ServiceUpdated' && e.type !== 'Idle' && e.type !== 'ClockAdvanced' && !(e.type === 'TaskStateChanged' && e.to === 'running')) return [];
  if (!selectLeader(s)) return [];
  switch (e.type) {
    case 'ServiceUpdated': {
      const svc = tget(s.services, e.serviceId)!;
      if (e.rollback && svc.updateStatus?.state === 'rollback_started') return [];
      const key = taskSpecKey(svc.spec);
      const dirty = serviceSlots(s, svc.id).some((slot) => {
        const cur = currentTask(s, slot);
        return cur !== undefined && isDirty(s, svc, cur, key);
      });
      if (!dirty) return [];
      return [{ type: 'ServiceUpdateStatusChanged', serviceId: svc.id, status: { state: e.rollback ? 'rollback_started' : 'updating', startedAtMs: s.sim.nowMs, completedAtMs: null, message: e.rollback ? 'manually requested rollback' : 'update in progress' } }];
    }
    case 'TaskStateChanged':
      return e.to === 'running' ? retireReplaced(s, e.taskId) : [];
    case 'Idle':
    case 'ClockAdvanced':
      return tvalues(s.services).filter((svc) => svc.updateStatus && ACTIVE.has(svc.updateStatus.state))
        .sort((a, b) => (a.id < b.id ? -1 : 1)).flatMap((svc) => stepUpdate(s, svc, deps.rng()));
    default:
      return [];
  }
}

export const updaterController: Controller = {
  name: 'updater',
  react: (fact$, deps) => fact$.pipe(mergeMap((f) => from(updaterReact(f, deps)))),
  nextDeadline(s) {
    if (!selectLeader(s)) return null;
    let min: number | null = null;
    for (const svc of tvalues(s.services)) {
      if (!svc.updateStatus || !ACTIVE.has(svc.updateStatus.state)) continue;
      const d = dueAt(s, svc, progress(s, svc));
      if (d > s.sim.nowMs && (min === null || d < min)) min = d;
    }
    return min;
  },
};
