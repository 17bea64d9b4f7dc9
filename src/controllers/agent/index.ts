/**
 * The node agent (swarmkit agent/exec + dockerd's executor): runs the tasks assigned to its node,
 * stepping accepted → preparing → ready → starting → running, stops them when their desired state
 * says so, and reports containers that died. A node whose machine is down does nothing.
 */
import { decideEach } from '../operators.js';
import { TASK_STATE_ORDER, type EngineEvent, type MountSpec, type TaskState } from '../../../events/index.js';
import { localId } from '../../sim/ids.js';
import type { Prng } from '../../sim/prng.js';
import { isNodeAlive } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { State, Task } from '../../state/types.js';
import { taskSpecOf } from '../orchestrator/spec.js';
import { tasksOnNode } from '../orchestrator/tasks.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

const STEPS: readonly [TaskState, string][] = [['accepted', 'accepted'], ['preparing', 'preparing'], ['ready', 'prepared']];
const START: readonly [TaskState, string][] = [['starting', 'starting'], ['running', 'started']];

function change(t: { id: string }, from: TaskState, to: TaskState, message: string, err = '', exitCode?: number): EngineEvent {
  const e: EngineEvent = { type: 'TaskStateChanged', taskId: t.id, from, to, message, err };
  if (exitCode !== undefined) e.exitCode = exitCode;
  return e;
}

/** dockerd's mount validation on the node (daemon/cluster/executor/container/validate.go). */
export function mountError(m: MountSpec): string | null {
  if (!m.target.startsWith('/')) return `invalid mount target, must be an absolute path: ${m.target}`;
  if (m.type === 'bind' && !m.source.startsWith('/')) return `invalid bind mount source, must be an absolute path: ${m.source}`;
  if (m.type === 'volume' && m.source.startsWith('/')) return `invalid volume mount source, must not be an absolute path: ${m.source}`;
  if (m.type === 'tmpfs' && m.source !== '') return 'invalid tmpfs source, source must be empty';
  return null;
}

/** The steps from `t.state` up to READY (or REJECTED), creating local volumes while preparing. */
function prepare(s: State, t: Task, host: string, rng: Prng): EngineEvent[] {
  const out: EngineEvent[] = [];
  let st = t.state;
  const svc = tget(s.services, t.serviceId);
  const spec = svc ? taskSpecOf(svc, t) : undefined;
  if (spec && st === 'assigned') {
    // dockerd validates the mounts when it builds the task's controller; swarmkit's exec.Resolve
    // rejects a task whose controller cannot be made before it starts: ASSIGNED → REJECTED.
    for (const m of spec.mounts) {
      const err = mountError(m);
      if (err) return [change(t, st, 'rejected', 'resolving controller failed', err)];
    }
  }
  for (const [to, msg] of STEPS) {
    if (TASK_STATE_ORDER[st] >= TASK_STATE_ORDER[to]) continue;
    if (to === 'ready' && spec) {
      for (const m of spec.mounts) {
        if (m.type !== 'volume') continue;
        const name = m.source || localId(rng);
        if (!tget(s.volumes, `${host}/${name}`) || !m.source) {
          out.push({ type: 'VolumeCreated', host, name, driver: m.volumeDriver || 'local', labels: m.volumeLabels ?? {}, options: m.volumeOptions ?? {} });
        }
      }
    }
    out.push(change(t, st, to, msg));
    st = to;
  }
  return out;
}

function start(t: Task, from: TaskState): EngineEvent[] {
  const out: EngineEvent[] = [];
  let st = from;
  for (const [to, msg] of START) {
    out.push(change(t, st, to, msg));
    st = to;
  }
  return out;
}

/** Runs (or stops) one task as far as its desired state says, on a live node. */
export function drive(s: State, t: Task, rng: Prng): EngineEvent[] {
  if (!t.nodeId) return [];
  const node = tget(s.nodes, t.nodeId);
  if (!node || !isNodeAlive(s, node)) return [];
  const order = TASK_STATE_ORDER[t.state];
  if (order > TASK_STATE_ORDER.running) return [];
  if (t.desiredState === 'shutdown' || t.desiredState === 'remove') {
    return order >= TASK_STATE_ORDER.assigned ? [change(t, t.state, 'shutdown', 'shutdown')] : [];
  }
  if (order < TASK_STATE_ORDER.assigned) return [];
  const out = order < TASK_STATE_ORDER.ready ? prepare(s, t, node.hostname, rng) : [];
  const last = out.at(-1);
  if (last && last.type === 'TaskStateChanged' && last.to === 'rejected') return out;
  if (t.desiredState === 'running' && order < TASK_STATE_ORDER.starting) out.push(...start(t, 'ready'));
  return out;
}

/** The machine came back: containers did not survive; the agent reports what it finds. */
function rebooted(s: State, hostName: string, rng: Prng): EngineEvent[] {
  const h = tget(s.hosts, hostName);
  const out: EngineEvent[] = [];
  for (const c of tvalues(s.containers).filter((x) => x.host === hostName && x.state === 'running').sort((a, b) => (a.id < b.id ? -1 : 1))) {
    out.push({ type: 'ContainerStateChanged', containerId: c.id, from: 'running', to: 'exited', exitCode: 255 });
  }
  if (!h?.nodeId) return out;
  for (const t of tasksOnNode(s, h.nodeId)) {
    const order = TASK_STATE_ORDER[t.state];
    if (order > TASK_STATE_ORDER.running || order < TASK_STATE_ORDER.assigned) continue;
    if (t.desiredState === 'shutdown' || t.desiredState === 'remove') out.push(change(t, t.state, 'shutdown', 'shutdown'));
    else if (order >= TASK_STATE_ORDER.starting) out.push(change(t, t.state, 'failed', 'started', 'task: non-zero exit (255)', 255));
    else out.push(...drive(s, t, rng));
  }
  return out;
}

export function agentReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  switch (e.type) {
    case 'TaskAssigned':
    case 'TaskDesiredStateChanged': {
      const t = tget(s.tasks, e.taskId);
      return t ? drive(s, t, deps.rng()) : [];
    }
    case 'HostBooted':
      // Everything the rebooted agent does to its tasks happens here. The dispatcher marking the node
      // Ready again (NodeStatusChanged, queued in the same round) must not drive them a second time:
      // the changes emitted here are not applied yet, so a second pass would repeat them.
      return rebooted(s, e.name, deps.rng());
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const AGENT_EVENTS: Watch = {
  TaskAssigned: true,
  TaskDesiredStateChanged: true,
  HostBooted: true,
};

export const agentController: Controller = {
  name: 'agent',
  on: AGENT_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(AGENT_EVENTS, (f) => agentReact(f, deps))),
};
