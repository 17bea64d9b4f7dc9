/**
 * The orchestrators (swarmkit manager/orchestrator: replicated, global, restart supervisor).
 * They own task creation and desired state: a slot per replica (or a task per eligible node for global
 * services), replacements in the same slot with a new ID after the restart delay, and the reaction to
 * nodes going down, drained or deleted. They never place tasks (the scheduler does) nor run them (agent).
 */
import { decideEach } from '../operators.js';
import type { EngineEvent, TaskState } from '../../../events/index.js';
import { localId, swarmId } from '../../sim/ids.js';
import type { Prng } from '../../sim/prng.js';
import { isNodeAlive, selectLeader, selectNodesById } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import { slotKey } from '../../state/tasks.js';
import type { Service, State, SwarmNode, Task } from '../../state/types.js';
import { compile, matchesAll } from '../scheduler/constraints.js';
import { watches, type Controller, type ControllerDeps, type Fact, type Watch } from '../types.js';
import { taskSpecKey } from './spec.js';
import { currentTask, isTerminal, serviceSlots, slotTasks, tasksOnNode, wantsToRun } from './tasks.js';

/** A replacement waits at most this long for the task it replaces to stop (restart.go). */
export const REPLACEMENT_WAIT_MS = 60_000;

/** Builds a TaskCreated for a slot (or a global node). */
export function newTask(svc: Service, slot: number, nodeId: string | null, rng: Prng, opts: { desired?: TaskState; replaces?: string | null; startAfterMs?: number | null; byUpdate?: boolean } = {}): EngineEvent {
  return {
    type: 'TaskCreated', taskId: swarmId(rng), serviceId: svc.id, slot, nodeId, specVersion: svc.specVersion,
    desiredState: opts.desired ?? 'running', containerId: localId(rng), replaces: opts.replaces ?? null,
    startAfterMs: opts.startAfterMs ?? null, byUpdate: opts.byUpdate ?? false, specKey: taskSpecKey(svc.spec),
  };
}

function desired(t: Task, to: TaskState): EngineEvent[] {
  return t.desiredState === to ? [] : [{ type: 'TaskDesiredStateChanged', taskId: t.id, from: t.desiredState, to }];
}

/** Can a global service run on this node (ready, not drained, constraints met)? */
export function globalEligible(s: State, svc: Service, n: SwarmNode): boolean {
  return n.state === 'ready' && n.availability !== 'drain' && matchesAll(s, n, compile(svc.spec.constraints));
}

/** Replicated: bring the number of slots to the replica count (scale up: lowest free slots; scale down: slot.go order). */
export function reconcileReplicated(s: State, svc: Service, rng: Prng): EngineEvent[] {
  const out: EngineEvent[] = [];
  const slots = serviceSlots(s, svc.id).map((slot) => ({ slot, task: currentTask(s, slot) })).filter((x) => x.task);
  const want = svc.spec.replicas;
  if (slots.length < want) {
    const used = new Set(slots.map((x) => x.slot.slot));
    let need = want - slots.length;
    for (let i = 1; need > 0; i++) {
      if (used.has(i)) continue;
      out.push(newTask(svc, i, null, rng));
      need--;
    }
  } else if (slots.length > want) {
    // Running first, then by slot; number each as the nth copy on its node; keep the first N. A slot
    // that is not exactly one task on a node (unassigned, or two tasks meant to run) is numbered -1,
    // which sorts last: it goes first (replicated/services.go reconcile, slot.go slotsByIndex).
    const sorted = [...slots].sort((a, b) => Number(b.task!.state === 'running') - Number(a.task!.state === 'running') || a.slot.slot - b.slot.slot);
    const perNode = new Map<string, number>();
    const ranked = sorted.map((x, i) => {
      const updatable = slotTasks(s, x.slot).filter(wantsToRun);
      const k = x.task!.nodeId;
      if (updatable.length !== 1 || !k) return { ...x, nth: Infinity, i };
      const nth = (perNode.get(k) ?? 0) + 1;
      perNode.set(k, nth);
      return { ...x, nth, i };
    }).sort((a, b) => (a.nth === b.nth ? 0 : a.nth < b.nth ? -1 : 1) || a.i - b.i);
    for (const x of ranked.slice(want)) {
      for (const t of slotTasks(s, x.slot)) if (wantsToRun(t)) out.push(...desired(t, 'remove'));
    }
  }
  return out;
}

/** Global: one task per eligible node; tasks on nodes no longer eligible are shut down (not moved). */
export function reconcileGlobal(s: State, svc: Service, nodes: SwarmNode[], rng: Prng): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (const n of nodes) {
    const slot = tget(s.slots, slotKey(svc.id, 0, n.id));
    const cur = slot ? currentTask(s, slot) : undefined;
    const eligible = globalEligible(s, svc, n);
    if (eligible && !cur && n.availability === 'active') out.push(newTask(svc, 0, n.id, rng));
    else if (!eligible && cur && !(n.state === 'ready' && n.availability === 'pause')) out.push(...desired(cur, 'shutdown'));
  }
  return out;
}

/** Restarts used in a slot within the policy window (for max-attempts). */
function restartsUsed(s: State, svc: Service, old: Task): number {
  const slot = tget(s.slots, slotKey(svc.id, old.slot, old.nodeId));
  if (!slot) return 0;
  const window = svc.spec.restart.windowMs;
  const tasks = slotTasks(s, slot).filter((t) => t.specVersion === svc.specVersion && t.id !== old.id);
  return tasks.filter((t) => t.replaces !== null && (window === 0 || t.createdAtMs >= old.stateAtMs - window)).length
    + (old.replaces !== null && (window === 0 || old.createdAtMs >= old.stateAtMs - window) ? 1 : 0);
}

/** The restart supervisor: shut the old task down and, if the policy allows, replace it in its slot. */
export function restart(s: State, t: Task, why: 'ended' | 'node-down' | 'drained', rng: Prng): EngineEvent[] {
  const svc = tget(s.services, t.serviceId);
  if (!svc || !wantsToRun(t)) return [];
  // A replacement that ended while still waiting out its own restart delay is restarted only once that
  // delay has passed (restart.go Restart: "wait for its restart delay to elapse, to avoid tight restart
  // loops"); it stays desired READY until then, and promotions() restarts it when due.
  if (why === 'ended' && t.desiredState === 'ready' && t.startAfterMs !== null && t.startAfterMs > s.sim.nowMs) return [];
  const out: EngineEvent[] = [...desired(t, 'shutdown')];
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  if (svc.spec.mode === 'global') {
    if (why !== 'ended' || !node || !globalEligible(s, svc, node) || node.availability !== 'active') return out;
  }
  const policy = svc.spec.restart;
  if (policy.condition === 'none') return out;
  if (policy.condition === 'on-failure' && why === 'ended' && t.state === 'complete') return out;
  if (policy.maxAttempts > 0 && restartsUsed(s, svc, t) >= policy.maxAttempts) return out;
  const delay = why === 'drained' ? 0 : policy.delayMs;
  out.push(newTask(svc, t.slot, svc.spec.mode === 'global' ? t.nodeId : null, rng, { desired: 'ready', replaces: t.id, startAfterMs: s.sim.nowMs + delay }));
  return out;
}

/** When a desired-READY replacement may start: its delay passed and its predecessor stopped (or 1 min). */
export function startDue(s: State, t: Task): number {
  const due = t.startAfterMs ?? t.createdAtMs;
  const old = t.replaces ? tget(s.tasks, t.replaces) : undefined;
  const oldNode = old?.nodeId ? tget(s.nodes, old.nodeId) : undefined;
  const oldGone = !old || isTerminal(old) || !oldNode || !isNodeAlive(s, oldNode) || oldNode.state === 'down';
  return oldGone ? due : Math.max(due, t.createdAtMs + REPLACEMENT_WAIT_MS);
}

/** Delayed replacements whose time has come: raised to RUNNING, or restarted if they ended meanwhile. */
function promotions(s: State, rng: () => Prng): EngineEvent[] {
  if (s.delayed.n === 0) return [];
  const out: EngineEvent[] = [];
  for (const { taskId } of tvalues(s.delayed).sort((a, b) => (a.taskId < b.taskId ? -1 : 1))) {
    const t = tget(s.tasks, taskId);
    if (!t || t.desiredState !== 'ready' || startDue(s, t) > s.sim.nowMs) continue;
    out.push(...(isTerminal(t) ? restart(s, t, 'ended', rng()) : desired(t, 'running')));
  }
  return out;
}

function onNode(s: State, nodeId: string, why: 'node-down' | 'drained', rng: Prng): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (const t of tasksOnNode(s, nodeId)) {
    if (!wantsToRun(t)) continue;
    const svc = tget(s.services, t.serviceId);
    if (svc?.spec.mode === 'global') out.push(...desired(t, 'shutdown'));
    else out.push(...restart(s, t, why, rng));
  }
  return out;
}

function globalsFor(s: State, n: SwarmNode, rng: Prng): EngineEvent[] {
  return tvalues(s.services).filter((svc) => svc.spec.mode === 'global').sort((a, b) => (a.id < b.id ? -1 : 1))
    .flatMap((svc) => reconcileGlobal(s, svc, [n], rng));
}

/**
 * taskinit.CheckTasks / FixTask: tasks still meant to run whose container ended, or whose node is down,
 * drained or gone, are restarted (global: shut down when their node is no longer valid).
 */
export function fixTasks(s: State, svc: Service, rng: Prng): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (const slot of serviceSlots(s, svc.id)) {
    for (const t of slotTasks(s, slot)) {
      if (!wantsToRun(t)) continue;
      const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
      const invalid = t.nodeId !== null && (!node || node.state === 'down' || node.availability === 'drain');
      if (isTerminal(t)) out.push(...restart(s, t, 'ended', rng));
      else if (invalid && svc.spec.mode === 'global') out.push(...desired(t, 'shutdown'));
      else if (invalid) out.push(...restart(s, t, node?.availability === 'drain' ? 'drained' : 'node-down', rng));
    }
  }
  return out;
}

/** The facts it reacts to (its pipeline sees no others). */
const ORCHESTRATOR_EVENTS: Watch = {
  ServiceCreated: true,
  ServiceUpdated: true,
  ServiceRemoved: true,
  // A task that ended: restart it (restart policy) if its slot still wants one.
  TaskStateChanged: (e) => isTerminal({ state: e.to } as Task),
  NodeStatusChanged: true,
  NodeAvailabilityChanged: true,
  NodeJoined: true,
  NodeLabelsChanged: true,
  NodeRoleChanged: true,
  NodeRemoved: true,
  RaftLeaderElected: true,
  Idle: true,
  ClockAdvanced: true,
};

/** Pure reaction to one fact. Without a leader there is no orchestrator. */
export function orchestratorReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  if (!watches(ORCHESTRATOR_EVENTS, e)) return [];
  if (e.type === 'TaskStateChanged' && !isTerminal({ state: e.to } as Task)) return [];
  if ((e.type === 'Idle' || e.type === 'ClockAdvanced') && s.delayed.n === 0) return [];
  if (!s.swarm || !selectLeader(s)) return [];
  switch (e.type) {
    case 'ServiceCreated':
    case 'ServiceUpdated': {
      const svc = tget(s.services, e.serviceId)!;
      return svc.spec.mode === 'global' ? reconcileGlobal(s, svc, selectNodesById(s), deps.rng()) : reconcileReplicated(s, svc, deps.rng());
    }
    case 'ServiceRemoved': {
      const out: EngineEvent[] = [];
      for (const slot of serviceSlots(s, e.serviceId)) for (const t of slotTasks(s, slot)) if (t.desiredState !== 'remove') out.push(...desired(t, 'remove'));
      return out;
    }
    case 'TaskStateChanged': {
      if (!isTerminal({ state: e.to } as Task)) return [];
      const t = tget(s.tasks, e.taskId);
      return t && wantsToRun(t) ? restart(s, t, 'ended', deps.rng()) : [];
    }
    case 'NodeStatusChanged':
      if (e.to === 'down') return onNode(s, e.nodeId, 'node-down', deps.rng());
      if (e.to === 'ready') return globalsFor(s, tget(s.nodes, e.nodeId)!, deps.rng());
      return [];
    case 'NodeAvailabilityChanged':
      if (e.to === 'drain') return onNode(s, e.nodeId, 'drained', deps.rng());
      return globalsFor(s, tget(s.nodes, e.nodeId)!, deps.rng());
    case 'NodeJoined':
    case 'NodeLabelsChanged':
    case 'NodeRoleChanged': {
      const n = tget(s.nodes, e.nodeId);
      return n ? globalsFor(s, n, deps.rng()) : [];
    }
    case 'NodeRemoved': {
      const out: EngineEvent[] = [];
      for (const t of tasksOnNode(s, e.nodeId)) {
        const svc = tget(s.services, t.serviceId);
        if (svc?.spec.mode === 'global') out.push(...desired(t, 'remove'));
        else out.push(...restart(s, t, 'node-down', deps.rng()));
      }
      return out;
    }
    case 'RaftLeaderElected': {
      // A new leader's orchestrators first fix the tasks nobody handled while there was no leader
      // (taskinit.CheckTasks + FixTask), then reconcile the services those fixes did not touch.
      const rng = deps.rng();
      return tvalues(s.services).sort((a, b) => (a.id < b.id ? -1 : 1)).flatMap((svc) => {
        const fixes = fixTasks(s, svc, rng);
        if (fixes.length) return fixes;
        return svc.spec.mode === 'global' ? reconcileGlobal(s, svc, selectNodesById(s), rng) : reconcileReplicated(s, svc, rng);
      });
    }
    case 'Idle':
    case 'ClockAdvanced':
      return promotions(s, () => deps.rng());
    default:
      return [];
  }
}

export const orchestratorController: Controller = {
  name: 'orchestrator',
  on: ORCHESTRATOR_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(ORCHESTRATOR_EVENTS, (f) => orchestratorReact(f, deps))),
  nextDeadline(s) {
    if (!selectLeader(s)) return null;
    let min: number | null = null;
    for (const { taskId } of tvalues(s.delayed)) {
      const t = tget(s.tasks, taskId);
      if (!t || t.desiredState !== 'ready') continue;
      const d = startDue(s, t);
      if (d > s.sim.nowMs && (min === null || d < min)) min = d;
    }
    return min;
  },
};
