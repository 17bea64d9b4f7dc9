/**
 * The scheduler (swarmkit manager/scheduler): on every idle tick, places the PENDING tasks.
 * Tasks of one service and spec version pending together are one group: the filter pipeline runs once
 * per node, then each task goes to the best eligible node by (fewer tasks of this service, fewer tasks
 * in total) kept in a binary heap, so a task costs O(log nodes). Ties, random upstream (Go map order),
 * are broken by a seeded shuffle drawn per group.
 */
import { decideEach } from '../operators.js';
import type { EngineEvent, ServiceSpec } from '../../../events/index.js';
import type { Prng } from '../../sim/prng.js';
import { selectNodesById } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { Service, State, SwarmNode, Task } from '../../state/types.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';
import { compile, labelValue, matchesAll, type Constraint } from './constraints.js';
import { hostPortsInUse } from './ports.js';
import { platformMatches, resolvedPlatforms, type ImagePlatform } from '../../sim/registry.js';

/** Filters in swarmkit's pipeline order, with the text their Explain() contributes. */
const FILTERS = ['ready', 'resources', 'constraints', 'platform', 'hostports', 'maxreplicas'] as const;
type FilterName = (typeof FILTERS)[number];

function explainPart(f: FilterName, n: number): string {
  const nodes = n === 1 ? '1 node' : `${n} nodes`;
  switch (f) {
    case 'ready': return `${nodes} not available for new tasks`;
    case 'resources': return `insufficient resources on ${nodes}`;
    case 'constraints': return `scheduling constraints not satisfied on ${nodes}`;
    case 'platform': return `unsupported platform on ${nodes}`;
    case 'hostports': return `host-mode port already in use on ${nodes}`;
    case 'maxreplicas': return 'max replicas per node limit exceed';
  }
}

/** `no suitable node (…)`: each node counted under the first filter that refused it, largest count first. */
export function explain(failures: Map<FilterName, number>): string {
  if (failures.size === 0) return 'no suitable node';
  const parts = [...failures.entries()].sort((a, b) => b[1] - a[1] || FILTERS.indexOf(a[0]) - FILTERS.indexOf(b[0]));
  return `no suitable node (${parts.map(([f, n]) => explainPart(f, n)).join('; ')})`;
}

interface NodeView {
  node: SwarmNode;
  svcCount: number;
  total: number;
  freeCpu: number;
  freeMem: number;
  rank: number;
  /** Values of the placement-preference labels, outermost first. */
  branch: string[];
}

function firstFailing(s: State, v: NodeView, spec: ServiceSpec, cons: Constraint[], ports: Set<string> | null, platforms: ImagePlatform[]): FilterName | null {
  const n = v.node;
  if (n.state !== 'ready' || n.availability !== 'active') return 'ready';
  if (v.freeCpu < spec.reservations.nanoCpus || v.freeMem < spec.reservations.memoryBytes) return 'resources';
  if (cons.length && !matchesAll(s, n, cons)) return 'constraints';
  if (platforms.length && !supportsPlatform(s, n, platforms)) return 'platform';
  if (ports && ports.has(n.id)) return 'hostports';
  if (spec.maxReplicasPerNode > 0 && v.svcCount >= spec.maxReplicasPerNode) return 'maxreplicas';
  return null;
}

/** PlatformFilter: the node's OS and architecture (as its engine reports them) are among the image's. */
function supportsPlatform(s: State, n: SwarmNode, platforms: ImagePlatform[]): boolean {
  const h = tget(s.hosts, n.hostname);
  return !!h && platforms.some((p) => platformMatches(p, h.os, h.arch));
}

/** What earlier groups of the same tick placed (their assignments are not applied yet). */
type TickLoad = Map<string, { total: number; cpu: number; mem: number; services: Map<string, number> }>;

function viewOf(s: State, n: SwarmNode, serviceId: string, tick: TickLoad): NodeView {
  const p = tget(s.placements, n.id);
  const h = tget(s.hosts, n.hostname);
  const extra = tick.get(n.id);
  return {
    node: n, svcCount: (p?.services[serviceId] ?? 0) + (extra?.services.get(serviceId) ?? 0), total: (p?.total ?? 0) + (extra?.total ?? 0),
    freeCpu: (h?.nanoCpus ?? 0) - (p?.reservedNanoCpus ?? 0) - (extra?.cpu ?? 0),
    freeMem: (h?.memoryBytes ?? 0) - (p?.reservedMemoryBytes ?? 0) - (extra?.mem ?? 0),
    rank: 0, branch: [],
  };
}

function addLoad(tick: TickLoad, nodeId: string, serviceId: string, cpu: number, mem: number): void {
  let l = tick.get(nodeId);
  if (!l) tick.set(nodeId, (l = { total: 0, cpu: 0, mem: 0, services: new Map() }));
  l.total++;
  l.cpu += cpu;
  l.mem += mem;
  l.services.set(serviceId, (l.services.get(serviceId) ?? 0) + 1);
}

/** Node A beats node B (scheduler.go nodeLess, then the seeded tie-break). */
function less(a: NodeView, b: NodeView): boolean {
  if (a.svcCount !== b.svcCount) return a.svcCount < b.svcCount;
  if (a.total !== b.total) return a.total < b.total;
  return a.rank < b.rank;
}

class Heap {
  private a: NodeView[] = [];
  get size(): number { return this.a.length; }
  push(v: NodeView): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): NodeView | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** A spread-preference tree level: label value → its nodes' heap, and how many tasks of the service it holds. */
interface Branch {
  key: string;
  count: number;
  heap: Heap | null;
  children: Map<string, Branch> | null;
}

function branchOf(prefs: string[], s: State, n: SwarmNode): string[] {
  const h = tget(s.hosts, n.hostname);
  return prefs.map((d) => {
    const lower = d.toLowerCase();
    if (lower.length > 'node.labels.'.length && lower.startsWith('node.labels.')) return labelValue(n.labels, d.slice('node.labels.'.length)) ?? '';
    if (lower.length > 'engine.labels.'.length && lower.startsWith('engine.labels.')) return labelValue(h?.labels, d.slice('engine.labels.'.length)) ?? '';
    return '';
  });
}

function buildTree(views: NodeView[], depth: number, level: number): Branch {
  const root: Branch = { key: '', count: 0, heap: null, children: null };
  for (const v of views) root.count += v.svcCount;
  if (level === depth) {
    root.heap = new Heap();
    for (const v of views) root.heap.push(v);
    return root;
  }
  const groups = new Map<string, NodeView[]>();
  for (const v of views) {
    const k = v.branch[level]!;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(v);
  }
  root.children = new Map([...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, vs]) => {
    const child = buildTree(vs, depth, level + 1);
    child.key = k;
    return [k, child];
  }));
  return root;
}

/** Picks a node in the branch with the fewest tasks of the service at every level; null when the tree is full. */
function pick(b: Branch, fits: (v: NodeView) => boolean): NodeView | null {
  if (b.heap) {
    for (;;) {
      const v = b.heap.pop();
      if (!v) return null;
      if (fits(v)) return v;
    }
  }
  const kids = [...b.children!.values()].sort((x, y) => x.count - y.count);
  for (const k of kids) {
    const v = pick(k, fits);
    if (v) {
      k.count++;
      return v;
    }
  }
  return null;
}

function returnToTree(b: Branch, v: NodeView, level = 0): void {
  if (b.heap) return b.heap.push(v);
  returnToTree(b.children!.get(v.branch[level]!)!, v, level + 1);
}

function shuffledRanks(n: number, rng: Prng): number[] {
  const r = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [r[i], r[j]] = [r[j]!, r[i]!];
  }
  return r;
}

/** Schedules one group of pending tasks of one service; returns the events. */
function scheduleGroup(s: State, svc: Service, tasks: Task[], nodes: SwarmNode[], rng: Prng, tick: TickLoad): EngineEvent[] {
  const spec = svc.spec;
  const cons = compile(spec.constraints);
  const ports = hostPortsInUse(s, svc);
  const platforms = resolvedPlatforms(spec.image);
  const out: EngineEvent[] = [];
  const preassigned = tasks.filter((t) => t.nodeId);
  for (const t of preassigned) {
    const n = tget(s.nodes, t.nodeId!);
    const f = n ? firstFailing(s, viewOf(s, n, svc.id, tick), spec, cons, ports, platforms) : 'ready';
    if (f === null) {
      out.push({ type: 'TaskAssigned', taskId: t.id, nodeId: t.nodeId!, message: 'scheduler confirmed task can run on preassigned node' });
      addLoad(tick, t.nodeId!, svc.id, spec.reservations.nanoCpus, spec.reservations.memoryBytes);
    }
    else {
      const err = explain(new Map([[f, 1]]));
      if (t.err !== err) out.push({ type: 'TaskUnschedulable', taskId: t.id, err });
    }
  }
  const free = tasks.filter((t) => !t.nodeId);
  if (free.length === 0) return out;
  const ranks = shuffledRanks(nodes.length, rng);
  const failures = new Map<FilterName, number>();
  const eligible: NodeView[] = [];
  nodes.forEach((n, i) => {
    const v = viewOf(s, n, svc.id, tick);
    v.rank = ranks[i]!;
    const f = firstFailing(s, v, spec, cons, ports, platforms);
    if (f === null) eligible.push(v);
    else failures.set(f, (failures.get(f) ?? 0) + 1);
  });
  for (const v of eligible) v.branch = branchOf(spec.preferences, s, v.node);
  const tree = buildTree(eligible, spec.preferences.length, 0);
  const fits = (v: NodeView): boolean => {
    const f = firstFailing(s, v, spec, cons, ports, platforms);
    if (f !== null) failures.set(f, (failures.get(f) ?? 0) + 1);
    return f === null;
  };
  for (const t of free) {
    const v = pick(tree, fits);
    if (!v) {
      const err = explain(failures);
      if (t.err !== err) out.push({ type: 'TaskUnschedulable', taskId: t.id, err });
      continue;
    }
    out.push({ type: 'TaskAssigned', taskId: t.id, nodeId: v.node.id, message: 'scheduler assigned task to node' });
    v.svcCount++;
    v.total++;
    v.freeCpu -= spec.reservations.nanoCpus;
    v.freeMem -= spec.reservations.memoryBytes;
    addLoad(tick, v.node.id, svc.id, spec.reservations.nanoCpus, spec.reservations.memoryBytes);
    // HostPortFilter: a host-mode published port now taken on this node.
    if (ports) ports.add(v.node.id);
    returnToTree(tree, v);
  }
  return out;
}

/** Everything the scheduler does on an idle tick. */
export function schedulePending(s: State, rng: Prng): EngineEvent[] {
  if (s.pending.n === 0) return [];
  const groups = new Map<string, Task[]>();
  for (const { taskId } of tvalues(s.pending)) {
    const t = tget(s.tasks, taskId);
    if (!t || t.state !== 'pending' || (t.desiredState !== 'running' && t.desiredState !== 'ready')) continue;
    const key = `${t.serviceId}\0${t.specVersion}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(t);
  }
  if (groups.size === 0) return [];
  const nodes = selectNodesById(s);
  const out: EngineEvent[] = [];
  const tick: TickLoad = new Map();
  for (const key of [...groups.keys()].sort()) {
    const tasks = groups.get(key)!.sort((a, b) => a.slot - b.slot || (a.id < b.id ? -1 : 1));
    const svc = tget(s.services, tasks[0]!.serviceId);
    if (!svc) continue;
    out.push(...scheduleGroup(s, svc, tasks, nodes, rng, tick));
  }
  return out;
}

export function schedulerReact({ event, state }: Fact, deps: ControllerDeps): EngineEvent[] {
  return event.type === 'Idle' ? schedulePending(state, deps.rng()) : [];
}

/** The facts it reacts to (its pipeline sees no others). */
const SCHEDULER_EVENTS: Watch = {
  Idle: true,
};

export const schedulerController: Controller = {
  name: 'scheduler',
  on: SCHEDULER_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(SCHEDULER_EVENTS, (f) => schedulerReact(f, deps))),
};
