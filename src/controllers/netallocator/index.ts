/**
 * The network allocator (swarmkit manager/allocator, network half): the ingress network at swarm init,
 * service VIPs (ingress first, then each network, none for dnsrr), task addresses before scheduling, and
 * node attachments: each node's ingress-sandbox address, and its load-balancer address on an overlay
 * while a task using the overlay is placed there (allocator network.go reallocateNode/getNodeNetworks).
 * Addresses are released when a task passes RUNNING and are not reused until the serial cursor wraps.
 */
import { decideEach } from '../operators.js';
import { TASK_STATE_ORDER, type EngineEvent } from '../../../events/index.js';
import { NetPlan } from '../../net/plan.js';
import { nodeNeeds } from '../../net/mesh.js';
import { cidrString } from '../../net/ipam.js';
import type { Prng } from '../../sim/prng.js';
import { tget, tkeysSorted, tvalues } from '../../state/table.js';
import type { Network, Service, State, Task } from '../../state/types.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

export function ingressNetwork(s: State): Network | undefined {
  const id = s.swarm?.ingressNetworkId;
  return id ? tget(s.networks, id) : undefined;
}

/** The networks a service's tasks and VIPs live on: the ingress (when it publishes ingress ports) first. */
export function serviceNetworks(s: State, svc: Service): Network[] {
  const out: Network[] = [];
  const ingress = ingressNetwork(s);
  if (ingress && svc.endpointPorts.some((p) => p.publishMode === 'ingress')) out.push(ingress);
  for (const id of svc.spec.networks) {
    const n = tget(s.networks, id);
    if (n) out.push(n);
  }
  return out;
}

function createIngress(p: NetPlan): void {
  const sub = p.globalSubnet();
  if (!sub) return;
  const vni = p.nextVni();
  p.createNetwork({
    name: 'ingress', driver: 'overlay', scope: 'swarm', host: null, subnet: cidrString(sub), gateway: cidrString({ base: sub.base + 1, bits: 32 }).split('/')[0]!,
    ipRange: '', vni, internal: false, attachable: false, ingress: true, options: { 'com.docker.network.driver.overlay.vxlanid_list': String(vni) }, labels: {},
  });
}

/** The names a service's VIP answers to on a network: the service's, then its aliases there (libnetwork addServiceBinding). */
function vipNames(svc: Service, networkId: string): string[] {
  return [svc.spec.name, ...(svc.spec.networkOptions?.[networkId]?.aliases ?? [])];
}

/** The DNS records of a network that hold an address (by name order). */
function recordsHolding(s: State, networkId: string, ip: string): string[] {
  return tvalues(s.dns).filter((r) => r.networkId === networkId && r.ips.includes(ip)).map((r) => r.name).sort();
}

function syncVips(p: NetPlan, svc: Service): void {
  const want = svc.spec.endpointMode === 'dnsrr' ? [] : serviceNetworks(p.s, svc);
  for (const v of svc.vips) {
    if (!want.some((n) => n.id === v.networkId)) {
      p.release(v.networkId, v.ip);
      const n = tget(p.s.networks, v.networkId);
      if (n && !n.ingress) for (const name of recordsHolding(p.s, n.id, v.ip)) p.emit({ type: 'DnsRecordRemoved', networkId: n.id, name, ip: v.ip });
    }
  }
  for (const n of want) {
    const vip = svc.vips.find((v) => v.networkId === n.id);
    if (vip) {
      // An update that changes the service's aliases on the network: the VIP's names follow.
      const aliases = svc.spec.networkOptions?.[n.id]?.aliases ?? [];
      const previous = svc.previousSpec?.networkOptions?.[n.id]?.aliases ?? [];
      if (n.ingress || (aliases.length === 0 && previous.length === 0)) continue;
      const names = vipNames(svc, n.id);
      const held = recordsHolding(p.s, n.id, vip.ip);
      for (const name of names) if (!held.includes(name)) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name, ip: vip.ip });
      for (const name of held) if (!names.includes(name)) p.emit({ type: 'DnsRecordRemoved', networkId: n.id, name, ip: vip.ip });
      continue;
    }
    const ip = p.allocate(n, { kind: 'vip', id: svc.id });
    if (ip && !n.ingress) for (const name of vipNames(svc, n.id)) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name, ip });
  }
}

function releaseTask(p: NetPlan, taskId: string): void {
  const t = tget(p.s.tasks, taskId);
  if (!t) return;
  for (const a of t.addrs) p.release(a.networkId, a.ip);
}

/** Overlays other than the ingress among a task's networks: those a node needs a load-balancer address on. */
function lbNetworks(p: NetPlan, t: Task): Network[] {
  return t.addrs.map((a) => p.network(a.networkId)).filter((n): n is Network => !!n && n.driver === 'overlay' && n.scope === 'swarm' && !n.ingress);
}

/**
 * A task is placed on a node (assigned, or created there for a global service and allocated): the node
 * gets an address on each of the task's overlays it has none on yet, for its `lb-<net>` sandbox.
 */
function attachNode(p: NetPlan, t: Task): void {
  if (!t.nodeId || !tget(p.s.nodes, t.nodeId)) return;
  for (const n of lbNetworks(p, t)) if (!p.attachment(t.nodeId, n.id)) p.allocate(n, { kind: 'node', id: t.nodeId });
}

/** A task passed RUNNING: the node's address on an overlay goes with the last task there using it. */
function detachNode(p: NetPlan, t: Task): void {
  const node = t.nodeId ? tget(p.s.nodes, t.nodeId) : undefined;
  if (!node) return;
  for (const n of lbNetworks(p, t)) {
    const ip = p.attachment(node.id, n.id);
    if (ip && !nodeNeeds(p, node.id, node.hostname, n.id, { taskId: t.id })) p.release(n.id, ip);
  }
}

/**
 * swarmkit allocateTask: an address on each of the task's networks, all or none. None: the task stays
 * NEW (the allocator does not admit it) until a retry finds room.
 */
function allocateTask(p: NetPlan, nets: readonly Network[], taskId: string): boolean {
  if (!nets.every((n) => p.hasFree(n))) return false;
  for (const n of nets) p.allocate(n, { kind: 'task', id: taskId });
  return true;
}

/**
 * swarmkit procTasksNetwork(onRetry): the tasks left NEW are tried again, in ID order, once something was
 * deallocated (and as time passes: its retry interval). A network found full is not tried again in the pass.
 */
function retryUnallocated(s: State, p: NetPlan): void {
  const full = new Set<string>();
  for (const id of tkeysSorted(s.unallocated)) {
    const t = tget(s.tasks, id);
    if (!t || t.state !== 'new') continue;
    const svc = tget(s.services, t.serviceId);
    if (!svc) continue;
    const nets = serviceNetworks(s, svc);
    if (nets.some((n) => full.has(n.id))) continue;
    const lacking = nets.find((n) => !p.hasFree(n));
    if (lacking) {
      full.add(lacking.id);
      continue;
    }
    allocateTask(p, nets, id);
    p.ledger.admitted.push(id);
  }
}

export function netAllocatorReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  const rng = (): Prng => deps.rng();
  switch (e.type) {
    case 'SwarmInitialized': {
      const p = new NetPlan(s, rng(), deps.ledger());
      if (!ingressNetwork(s)) createIngress(p);
      return p.events;
    }
    case 'NodeJoined': {
      const ingress = ingressNetwork(s);
      if (!ingress) return [];
      const p = new NetPlan(s, rng(), deps.ledger());
      p.allocate(ingress, { kind: 'node', id: e.nodeId });
      return p.events;
    }
    case 'AddressAllocated': {
      // Once an ingress network has its gateway (at init, or a replacement made with
      // `network create --ingress`), every node gets its ingress-sandbox address on it.
      if (e.owner.kind !== 'gateway') return [];
      const n = tget(s.networks, e.networkId);
      if (!n?.ingress) return [];
      const p = new NetPlan(s, rng(), deps.ledger());
      for (const node of tvalues(s.nodes).sort((a, b) => (a.id < b.id ? -1 : 1))) {
        if (!node.attachments.some((a) => a.networkId === n.id)) p.allocate(n, { kind: 'node', id: node.id });
      }
      return p.events;
    }
    case 'ServiceCreated':
    case 'ServiceUpdated': {
      const svc = tget(s.services, e.serviceId);
      if (!svc) return [];
      const p = new NetPlan(s, rng(), deps.ledger());
      syncVips(p, svc);
      return p.events;
    }
    case 'ServiceRemoved': {
      const p = new NetPlan(s, rng(), deps.ledger());
      for (const a of tvalues(s.addresses).filter((x) => x.owner.kind === 'vip' && x.owner.id === e.serviceId).sort((x, y) => (x.ip < y.ip ? -1 : 1))) {
        p.release(a.networkId, a.ip);
        for (const name of recordsHolding(s, a.networkId, a.ip)) p.emit({ type: 'DnsRecordRemoved', networkId: a.networkId, name, ip: a.ip });
      }
      return p.events;
    }
    case 'TaskCreated': {
      const svc = tget(s.services, e.serviceId);
      if (!svc) return [];
      const p = new NetPlan(s, rng(), deps.ledger());
      if (!allocateTask(p, serviceNetworks(s, svc), e.taskId)) p.ledger.unallocated.add(e.taskId);
      return p.events;
    }
    case 'TaskAssigned': {
      const t = tget(s.tasks, e.taskId);
      if (!t) return [];
      const p = new NetPlan(s, rng(), deps.ledger());
      attachNode(p, t);
      return p.events;
    }
    case 'TaskStateChanged': {
      const t = tget(s.tasks, e.taskId);
      if (e.to === 'pending' && t?.nodeId) {
        const p = new NetPlan(s, rng(), deps.ledger());
        attachNode(p, t);
        return p.events;
      }
      if (TASK_STATE_ORDER[e.to] <= TASK_STATE_ORDER.running) return [];
      const p = new NetPlan(s, rng(), deps.ledger());
      releaseTask(p, e.taskId);
      if (t) detachNode(p, t);
      return p.events;
    }
    case 'Idle':
    case 'ClockAdvanced': {
      if (s.unallocated.n === 0) return [];
      const L = deps.ledger();
      if (e.type === 'Idle' && !L.released) return [];
      L.released = false;
      const p = new NetPlan(s, rng(), L);
      retryUnallocated(s, p);
      return p.events;
    }
    case 'NodeRemoved': {
      // swarmkit deallocateNode: every attachment of the deleted node (a scan of the addresses: a rare event).
      const p = new NetPlan(s, rng(), deps.ledger());
      const mine = tvalues(s.addresses).filter((a) => a.owner.kind === 'node' && a.owner.id === e.nodeId)
        .sort((a, b) => (a.networkId < b.networkId ? -1 : a.networkId > b.networkId ? 1 : a.ip < b.ip ? -1 : 1));
      for (const a of mine) if (p.ownerOf(a.networkId, a.ip)) p.release(a.networkId, a.ip);
      return p.events;
    }
    case 'TaskRemoved': {
      const p = new NetPlan(s, rng(), deps.ledger());
      releaseTask(p, e.taskId);
      return p.events;
    }
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const NETALLOCATOR_EVENTS: Watch = {
  SwarmInitialized: true,
  NodeJoined: true,
  // The ingress gateway's address (the network's first one): every node joins the mesh.
  AddressAllocated: (e) => e.owner.kind === 'gateway',
  ServiceCreated: true,
  ServiceUpdated: true,
  ServiceRemoved: true,
  TaskCreated: true,
  TaskAssigned: true,
  // A task made for a node (global) attaches the node; an ended one releases its addresses.
  TaskStateChanged: (e) => e.to === 'pending' || TASK_STATE_ORDER[e.to] > TASK_STATE_ORDER.running,
  NodeRemoved: true,
  TaskRemoved: true,
  // Tasks left NEW for want of addresses are retried at quiescence after a release, and as time passes.
  Idle: true,
  ClockAdvanced: true,
};

export const netAllocatorController: Controller = {
  name: 'netallocator',
  on: NETALLOCATOR_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(NETALLOCATOR_EVENTS, (f) => netAllocatorReact(f, deps))),
};
