/**
 * Slice: tasks, and the indexes the controllers need to stay O(log n) per event:
 * slots (task history per slot), placements (active tasks per node), pending (scheduler queue),
 * delayed (replacements waiting to start).
 */
import { isDraft, original } from 'immer';
import { TASK_STATE_ORDER, type EngineEvent, type PortConfig, type TaskState } from '../../events/index.js';
import { taskSpecOf } from '../controllers/orchestrator/spec.js';
import { invariant } from './invariant.js';
import { tdel, tget, thas, tread, tset } from './table.js';
import type { Placement, Slot, State, Task } from './types.js';

/** A task counts on its node while its desired state is at most COMPLETE (scheduler.go). */
export function isActiveDesired(d: TaskState): boolean {
  return TASK_STATE_ORDER[d] <= TASK_STATE_ORDER.complete;
}

export function slotKey(serviceId: string, slot: number, nodeId: string | null): string {
  return slot > 0 ? `${serviceId}/${slot}` : `${serviceId}/${nodeId}`;
}

function count(s: State, nodeId: string, t: Task, delta: number): void {
  const serviceId = t.serviceId;
  let p = tget(s.placements, nodeId);
  if (!p) {
    tset<Placement>(s.placements, nodeId, { nodeId, total: 0, services: {}, reservedNanoCpus: 0, reservedMemoryBytes: 0 });
    p = tget(s.placements, nodeId)!;
  }
  p.total += delta;
  p.reservedNanoCpus += delta * t.reservedNanoCpus;
  p.reservedMemoryBytes += delta * t.reservedMemoryBytes;
  const n = (p.services[serviceId] ?? 0) + delta;
  invariant(p.total >= 0 && n >= 0, `placement counts of ${nodeId} stay non-negative`);
  if (n === 0) delete p.services[serviceId];
  else p.services[serviceId] = n;
  if (p.total === 0) tdel(s.placements, nodeId);
}

export function tasksReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'TaskCreated': {
      invariant(!thas(s.tasks, e.taskId), `task ${e.taskId} is new`);
      const now = s.sim.nowMs;
      // Through the draft: replay applies many events in one draft, where peek() is the state before them all.
      const res = tread(s.services, e.serviceId)?.spec.reservations;
      tset<Task>(s.tasks, e.taskId, {
        id: e.taskId, serviceId: e.serviceId, slot: e.slot, nodeId: e.nodeId, specVersion: e.specVersion,
        state: 'new', desiredState: e.desiredState, message: 'created', err: '', exitCode: null,
        createdAtMs: now, updatedAtMs: now, stateAtMs: now, containerId: e.containerId, replaces: e.replaces,
        startAfterMs: e.startAfterMs, byUpdate: e.byUpdate, specKey: e.specKey, runningAtMs: null,
        reservedNanoCpus: res?.nanoCpus ?? 0, reservedMemoryBytes: res?.memoryBytes ?? 0, addrs: [], version: s.swarm!.raftIndex,
      });
      const created = tget(s.tasks, e.taskId)!;
      const key = slotKey(e.serviceId, e.slot, e.nodeId);
      const slot = tget(s.slots, key);
      if (slot) slot.taskIds.push(e.taskId);
      else tset<Slot>(s.slots, key, { serviceId: e.serviceId, slot: e.slot, nodeId: e.slot > 0 ? null : e.nodeId, taskIds: [e.taskId] });
      if (e.nodeId && isActiveDesired(e.desiredState)) count(s, e.nodeId, created, +1);
      // NEW until the allocator admits it (in the same batch, unless its addresses could not be allocated).
      tset(s.unallocated, e.taskId, { taskId: e.taskId });
      if (e.nodeId) placeOn(s, e.nodeId, e.taskId);
      if (e.desiredState === 'ready') tset(s.delayed, e.taskId, { taskId: e.taskId });
      return;
    }
    case 'TaskStateChanged': {
      const t = task(s, e.taskId);
      invariant(t.state === e.from && TASK_STATE_ORDER[e.to] > TASK_STATE_ORDER[e.from], `task ${e.taskId} ${t.state}: ${e.from} → ${e.to} moves forward`);
      t.state = e.to;
      t.message = e.message;
      t.err = e.err;
      if (e.exitCode !== undefined) t.exitCode = e.exitCode;
      t.stateAtMs = s.sim.nowMs;
      touch(s, t);
      if (e.to === 'running') t.runningAtMs = s.sim.nowMs;
      if (e.to === 'starting') bindHostPorts(s, t);
      if (e.from === 'new') tdel(s.unallocated, t.id);
      if (e.to === 'pending') tset(s.pending, t.id, { taskId: t.id });
      else if (e.from === 'pending') tdel(s.pending, t.id);
      return;
    }
    case 'TaskAssigned': {
      const t = task(s, e.taskId);
      invariant(TASK_STATE_ORDER[t.state] < TASK_STATE_ORDER.assigned && (!t.nodeId || t.nodeId === e.nodeId), `task ${e.taskId} is not yet assigned`);
      if (!t.nodeId && isActiveDesired(t.desiredState)) count(s, e.nodeId, t, +1);
      if (!t.nodeId) placeOn(s, e.nodeId, t.id);
      t.nodeId = e.nodeId;
      t.state = 'assigned';
      t.message = e.message;
      t.err = '';
      t.stateAtMs = s.sim.nowMs;
      touch(s, t);
      tdel(s.unallocated, t.id);
      tdel(s.pending, t.id);
      return;
    }
    case 'TaskUnschedulable': {
      const t = task(s, e.taskId);
      t.err = e.err;
      touch(s, t);
      return;
    }
    case 'TaskDesiredStateChanged': {
      const t = task(s, e.taskId);
      invariant(t.desiredState === e.from, `desired state of ${e.taskId} was ${e.from}`);
      if (t.nodeId && isActiveDesired(e.from) !== isActiveDesired(e.to)) count(s, t.nodeId, t, isActiveDesired(e.to) ? +1 : -1);
      t.desiredState = e.to;
      touch(s, t);
      if (e.to === 'ready') tset(s.delayed, t.id, { taskId: t.id });
      else if (e.from === 'ready') tdel(s.delayed, t.id);
      return;
    }
    case 'TaskRemoved': {
      const t = task(s, e.taskId);
      if (t.nodeId && isActiveDesired(t.desiredState)) count(s, t.nodeId, t, -1);
      if (t.nodeId) unplace(s, t.nodeId, t.id);
      const key = slotKey(t.serviceId, t.slot, t.nodeId);
      const slot = tget(s.slots, key);
      if (slot) {
        slot.taskIds = slot.taskIds.filter((id) => id !== t.id);
        if (slot.taskIds.length === 0) tdel(s.slots, key);
      }
      tdel(s.unallocated, t.id);
      tdel(s.pending, t.id);
      tdel(s.delayed, t.id);
      tdel(s.tasks, t.id);
      return;
    }
    case 'HostBooted':
      // A restarted daemon's port allocator starts over.
      if (s.hostPortCursors?.[e.name]) delete s.hostPortCursors[e.name];
      return;
    default:
      return;
  }
}

/** The kernel's default ephemeral range (ip_local_port_range), where libnetwork's allocator picks host ports. */
export const EPHEMERAL_FIRST = 32768;
export const EPHEMERAL_LAST = 60999;

/**
 * A task's container starts (libnetwork port mapping, daemon/cluster/executor/container portBindings):
 * each host-mode port is bound on the node's host, a published one as given, an unpublished one to the
 * next free port of the host daemon's allocator for that protocol (portallocator.go: serial from the
 * last one handed out, wrapping, skipping ports in use; a fresh daemon starts at the range's first).
 */
function bindHostPorts(s: State, t: Task): void {
  // Read through the draft (replay applies many events in one draft: peek() would miss their changes).
  const svc = tread(s.services, t.serviceId);
  if (!svc) return;
  const ports = taskSpecOf(svc, t).ports.filter((p) => p.publishMode === 'host');
  if (ports.length === 0) return;
  const host = t.nodeId ? tread(s.nodes, t.nodeId)?.hostname : undefined;
  if (!host) return;
  const inUse = new Set<string>();
  for (const id of tget(s.nodeTasks, t.nodeId!)?.taskIds ?? []) {
    const other = tread(s.tasks, id);
    if (!other || other.id === t.id || (other.state !== 'starting' && other.state !== 'running')) continue;
    for (const p of other.hostPorts ?? []) inUse.add(`${p.protocol}/${p.publishedPort}`);
  }
  for (const p of ports) if (p.publishedPort) inUse.add(`${p.protocol}/${p.publishedPort}`);
  const bound: PortConfig[] = [];
  for (const p of ports) {
    if (p.publishedPort) {
      bound.push({ ...p });
      continue;
    }
    s.hostPortCursors ??= {};
    const cursor = (s.hostPortCursors[host] ??= {});
    let port = cursor[p.protocol] ?? EPHEMERAL_LAST;
    let found = false;
    for (let i = EPHEMERAL_FIRST; i <= EPHEMERAL_LAST; i++) {
      port = port >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (!inUse.has(`${p.protocol}/${port}`)) {
        found = true;
        break;
      }
    }
    invariant(found, `host ${host} has a free ${p.protocol} port`);
    cursor[p.protocol] = port;
    inUse.add(`${p.protocol}/${port}`);
    bound.push({ ...p, publishedPort: port });
  }
  t.hostPorts = bound;
}

/**
 * A table to read without drafting it: the base when it is an immer draft. Reading through a draft
 * creates proxies along the whole trie path; use this where the read does not depend on this event's
 * own changes to that table.
 */
export function peek<T>(t: T): T {
  return isDraft(t) ? (original(t as never) as T) : t;
}

function placeOn(s: State, nodeId: string, taskId: string): void {
  const e = tget(s.nodeTasks, nodeId);
  if (e) e.taskIds.push(taskId);
  else tset(s.nodeTasks, nodeId, { nodeId, taskIds: [taskId] });
}

function unplace(s: State, nodeId: string, taskId: string): void {
  const e = tget(s.nodeTasks, nodeId);
  if (!e) return;
  e.taskIds = e.taskIds.filter((id) => id !== taskId);
  if (e.taskIds.length === 0) tdel(s.nodeTasks, nodeId);
}

function task(s: State, id: string): Task {
  const t = tget(s.tasks, id);
  invariant(t, `task ${id} exists`);
  return t;
}

function touch(s: State, t: Task): void {
  t.updatedAtMs = s.sim.nowMs;
  t.version = s.swarm ? s.swarm.raftIndex : t.version;
}
