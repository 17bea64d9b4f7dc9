/**
 * The rolling updater (swarmkit orchestrator/update/updater.go): after a spec change, replaces dirty
 * slots `parallelism` at a time (0: all), waiting `delay` between batches, stop-first or start-first;
 * counts failures of the new tasks (before running, or within `monitor` of running) against
 * max-failure-ratio and then pauses, continues or rolls back; finishes with `update completed`.
 */
import { decideEach } from '../operators.js';
import { TASK_STATE_ORDER, type EngineEvent, type UpdateConfig, type UpdateState } from '../../../events/index.js';
import type { Prng } from '../../sim/prng.js';
import { selectLeader } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { Service, State, Task } from '../../state/types.js';
import { newTask } from '../orchestrator/index.js';
import { cachedKey } from '../orchestrator/spec.js';
import { currentTask, isTerminal, serviceSlots } from '../orchestrator/tasks.js';
import { compile, matchesAll } from '../scheduler/constraints.js';
import { schedulePending } from '../scheduler/index.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

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
  /** Slots this update already replaced (not dirty any more). */
  updatedSlots: number;
}

/** The placement part of a spec (swarmkit TaskSpec.Placement): constraints, preferences, max replicas. */
function placementKey(spec: Service['spec']): string {
  return JSON.stringify([spec.constraints, spec.preferences, spec.maxReplicasPerNode]);
}

/**
 * orchestrator.IsTaskDirty: a task of the service's spec version is clean; otherwise it is dirty when
 * its task template or endpoint differ from the service's (`specKey`), or when only the placement
 * differs (constraints, preferences, max replicas: IsTaskDirtyPlacementConstraintsOnly compares the
 * whole Placement) and its node no longer meets the constraints (a task with no node never does).
 * The placement a task was made with is known for the current and the previous spec version; for an
 * older one, only a node that no longer meets the constraints makes it dirty. Global tasks on nodes
 * that stop matching are shut down by the global orchestrator instead.
 */
export function isTaskDirty(s: State, svc: Service, t: Task): boolean {
  if (t.specVersion === svc.specVersion) return false;
  if (t.specKey !== cachedKey(svc.spec)) return true;
  if (svc.spec.mode !== 'replicated') return false;
  const known = svc.previousSpec !== null && t.specVersion === svc.specVersion - 1;
  if (known && placementKey(svc.previousSpec!) === placementKey(svc.spec)) return false;
  if (!known && (!t.nodeId || svc.spec.constraints.length === 0)) return false;
  const n = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  return !n || !matchesAll(s, n, compile(svc.spec.constraints));
}

/** The slots a rolling update counts failures against: those dirty when it started (updater.go dirtySlots). */
function dirtyAtStart(p: Progress): number {
  return p.dirty.length + p.updatedSlots;
}

/**
 * The failure that made failures / dirty slots exceed max-failure-ratio (float32, as updater.go
 * computes it), or null: failures are counted in the order they happened.
 */
export function failureOverRatio(failed: Task[], dirtySlots: number, ratio: number): Task | null {
  const ordered = [...failed].sort((a, b) => a.stateAtMs - b.stateAtMs || a.version - b.version || (a.id < b.id ? -1 : 1));
  for (let k = 1; k <= ordered.length; k++) {
    if (Math.fround(Math.fround(k) / Math.fround(dirtySlots)) > Math.fround(ratio)) return ordered[k - 1]!;
  }
  return null;
}

function progress(s: State, svc: Service): Progress {
  const key = cachedKey(svc.spec);
  const cfg = config(svc);
  const p: Progress = { dirty: [], inFlight: [], failed: [], lastRunningMs: null, updatedSlots: 0 };
  const since = svc.updateStatus?.startedAtMs ?? 0;
  for (const slot of serviceSlots(s, svc.id)) {
    const cur = currentTask(s, slot);
    let updated = false;
    for (const id of slot.taskIds) {
      const t = tget(s.tasks, id);
      if (!t || !t.byUpdate || t.specKey !== key || t.createdAtMs < since) continue;
      updated = true;
      // A failure or early termination (updater.go): past RUNNING (complete, shutdown, failed, rejected),
      // before it ever ran or within the monitor period after it did.
      if (isTerminal(t) && (t.runningAtMs === null || t.stateAtMs - t.runningAtMs <= cfg.monitorMs)) p.failed.push(t);
      if (t.runningAtMs !== null && (p.lastRunningMs === null || t.runningAtMs > p.lastRunningMs)) p.lastRunningMs = t.runningAtMs;
    }
    const dirty = cur !== undefined && isTaskDirty(s, svc, cur);
    if (dirty) p.dirty.push(cur);
    else if (updated) p.updatedSlots++;
    if (cur && !dirty && cur.byUpdate && cur.createdAtMs >= since && cur.state !== 'running' && !isTerminal(cur)) p.inFlight.push(cur);
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
  // updater.go updateTask: one store batch that creates the new task, then shuts the old one down.
  return [
    newTask(svc, old.slot, nodeId, rng, { desired: 'ready', replaces: old.id, startAfterMs: s.sim.nowMs, byUpdate: true }),
    { type: 'TaskDesiredStateChanged', taskId: old.id, from: old.desiredState, to: 'shutdown' },
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

/**
 * The tasks the scheduler assigns on this idle tick (it sees the same state): the updater leaves those
 * alone for this tick, else it would shut down a task the scheduler is placing at the same moment (in
 * swarmkit, the store refuses the stale write). Next tick they are placed, and replaced as placed tasks.
 * The probe draws from a copy of the batch's PRNG, so the scheduler's own draws are unchanged.
 */
function assignedThisTick(s: State, rng: Prng): Set<string> {
  const probe = Object.assign(Object.create(Object.getPrototypeOf(rng) as object) as Prng, rng);
  const out = new Set<string>();
  for (const e of schedulePending(s, probe)) if (e.type === 'TaskAssigned') out.add(e.taskId);
  return out;
}

const notPlaced = (t: Task): boolean => TASK_STATE_ORDER[t.state] < TASK_STATE_ORDER.assigned;

export function stepUpdate(s: State, svc: Service, rng: Prng, placing: () => Set<string> = () => new Set()): EngineEvent[] {
  if (!svc.updateStatus || !ACTIVE.has(svc.updateStatus.state)) return [];
  const cfg = config(svc);
  const rb = isRollback(svc);
  const p = progress(s, svc);
  const culprit = cfg.failureAction === 'continue' ? null : failureOverRatio(p.failed, dirtyAtStart(p), cfg.maxFailureRatio);
  if (culprit) {
    const paused = `update paused due to failure or early termination of task ${culprit.id}`;
    // pauseUpdate: a rollback that pauses becomes rollback_paused (the message stays the update's wording).
    if (cfg.failureAction === 'pause') return [status(svc, rb ? 'rollback_paused' : 'paused', paused, s)];
    // failure action rollback: a rollback is never rolled back.
    if (rb) return [status(svc, 'rollback_paused', `rollback paused due to failure or early termination of task ${culprit.id}`, s)];
    if (!svc.previousSpec) return [status(svc, 'paused', paused, s)];
    return [
      // updater.go rollbackUpdate changes only State and Message: StartedAt stays the update's.
      status(svc, 'rollback_started', `update rolled back due to failure or early termination of task ${culprit.id}`, s),
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
  const candidates = p.dirty.filter((t) => !notPlaced(t) || !placing().has(t.id));
  for (const t of candidates.sort((a, b) => a.slot - b.slot || (String(a.nodeId) < String(b.nodeId) ? -1 : 1)).slice(0, Math.max(0, room))) {
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
      const dirty = serviceSlots(s, svc.id).some((slot) => {
        const cur = currentTask(s, slot);
        return cur !== undefined && isTaskDirty(s, svc, cur);
      });
      if (!dirty) return [];
      return [{ type: 'ServiceUpdateStatusChanged', serviceId: svc.id, status: { state: e.rollback ? 'rollback_started' : 'updating', startedAtMs: s.sim.nowMs, completedAtMs: null, message: e.rollback ? 'manually requested rollback' : 'update in progress' } }];
    }
    case 'TaskStateChanged':
      return e.to === 'running' ? retireReplaced(s, e.taskId) : [];
    case 'Idle':
    case 'ClockAdvanced': {
      // The scheduler acts on the idle tick only; what it assigns is worked out once, if asked.
      let placing: Set<string> | null = null;
      const probe = () => (placing ??= e.type === 'Idle' ? assignedThisTick(s, deps.rng()) : new Set());
      return tvalues(s.services).filter((svc) => svc.updateStatus && ACTIVE.has(svc.updateStatus.state))
        .sort((a, b) => (a.id < b.id ? -1 : 1)).flatMap((svc) => stepUpdate(s, svc, deps.rng(), probe));
    }
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const UPDATER_EVENTS: Watch = {
  ServiceUpdated: true,
  Idle: true,
  ClockAdvanced: true,
  // A replacement running: the task it replaces is retired.
  TaskStateChanged: (e) => e.to === 'running',
};

export const updaterController: Controller = {
  name: 'updater',
  on: UPDATER_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(UPDATER_EVENTS, (f) => updaterReact(f, deps))),
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
