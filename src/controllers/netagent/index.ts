/**
 * The network agent of each host (libnetwork inside dockerd): sets up the default networks when the
 * daemon starts, gives a container's sandbox its interfaces, addresses, routes and DNS names when it
 * starts and tears them down when it stops, keeps each network's load-balancer sandbox and its load
 * balancers, and follows networkdb: a node that leaves or fails is forgotten by the others.
 */
import { decideEach } from '../operators.js';
import type { EngineEvent } from '../../../events/index.js';
import { attachBridge, detach, endpointsOf, hostDefaults, sandboxOf } from '../../net/local.js';
import {
  attachGateway, attachOverlay, GWBRIDGE, overlayUsers, setupIngressSandbox, teardownIngressSandbox, teardownLbSandbox,
} from '../../net/overlay.js';
import { TASK_STATE_ORDER } from '../../../events/index.js';
import { NetPlan, type Ledger } from '../../net/plan.js';
import type { Prng } from '../../sim/prng.js';
import { tget, tvalues } from '../../state/table.js';
import { taskSpecOf } from '../orchestrator/spec.js';
import {
  addBackend, ensureLbSandbox, forgetNode, learnNetwork, nodeNeeds, rebootLbs, releaseNetworkOnHost, removeBackend, reprogramIngress, taskEndpointNames,
} from '../../net/mesh.js';
import type { Container, Host, State, Task } from '../../state/types.js';
import type { Controller, ControllerDeps, Fact, Watch } from '../types.js';

/**
 * memberlist's failure detection as networkdb configures it (DefaultLANConfig): a silent node is probed
 * (ProbeInterval 1 s; ProbeTimeout 500 ms, then indirect probes until the interval ends) and, having
 * failed, is suspected for SuspicionMult (4) × max(1, log10(n)) × ProbeInterval before it is declared
 * dead (memberlist util.go suspicionTimeout; the peers' own suspicions confirm it down to that minimum).
 * networkdb's NotifyLeave then hides the node's entries (networkdb/event_delegate.go).
 */
export const GOSSIP_PROBE_INTERVAL_MS = 1000;
export const GOSSIP_SUSPICION_MULT = 4;

/**
 * When networkdb on the other nodes declares a crashed host failed, or null if it is up, not in the
 * swarm, or has no endpoint anyone would forget (no started task, no running container).
 */
export function gossipFailureAt(s: State, h: Host): number | null {
  if (h.up || !h.nodeId) return null;
  const started = (tget(s.nodeTasks, h.nodeId)?.taskIds ?? []).some((id) => {
    const st = tget(s.tasks, id)?.state;
    return st === 'starting' || st === 'running';
  });
  if (!started && !tvalues(s.containers).some((c) => c.host === h.name && c.state === 'running')) return null;
  const n = Math.max(1, s.nodes.n);
  const nodeScale = Math.max(1, Math.log10(n));
  return h.changedAtMs + GOSSIP_PROBE_INTERVAL_MS + GOSSIP_SUSPICION_MULT * Math.floor(nodeScale * 1000) * (GOSSIP_PROBE_INTERVAL_MS / 1000);
}

/**
 * Brings a running container's sandbox in line with the networks it should be on: bridges, attachable
 * overlays (an address from the swarm network, serial; the overlay's namespace and load-balancer sandbox
 * on demand), and, when all its networks are overlays and one is not internal, a leg on docker_gwbridge
 * for the default route (libnetwork sandbox.setupDefaultGW / needDefaultGW).
 */
export function syncContainer(s: State, c: Container, rng: Prng, ledger?: Ledger): EngineEvent[] {
  const p = new NetPlan(s, rng, ledger);
  const sandbox = sandboxOf(c.id);
  const running = c.state === 'running';
  const hostMode = c.networks.some((id) => tget(s.networks, id)?.driver === 'host');
  const hasNs = tget(s.netns, `${c.host}/${sandbox}`) !== undefined;
  const eps = endpointsOf(s, c.host, sandbox);
  const names = [c.name, c.id.slice(0, 12)];
  const nets = c.networks.map((id) => tget(s.networks, id)).filter((n): n is NonNullable<typeof n> => !!n);
  const wantGw = running && !hostMode && nets.length > 0 && nets.every((n) => n.driver === 'overlay') && nets.some((n) => !n.internal);
  const isGwLeg = (networkId: string) => !c.networks.includes(networkId) && tget(s.networks, networkId)?.name === GWBRIDGE;
  const kept = eps.filter((ep) => running && (isGwLeg(ep.networkId) ? wantGw : c.networks.includes(ep.networkId)));
  const h = tget(s.hosts, c.host);
  const nodeId = h?.nodeId ?? null;
  for (const ep of eps) {
    if (kept.includes(ep)) continue;
    const gwLeg = isGwLeg(ep.networkId);
    detach(p, ep, gwLeg ? [] : [...names, ...(ep.aliases ?? [])]);
    const n = tget(s.networks, ep.networkId);
    if (n && n.scope === 'swarm') {
      // A swarm network's address goes back to the allocator, the network leaves the node with its last
      // local user, and so does the node's load-balancer address on it.
      p.release(n.id, ep.ip);
      releaseNetworkOnHost(p, c.host, n.id);
      const lbIp = nodeId ? p.attachment(nodeId, n.id) : undefined;
      if (nodeId && lbIp && !n.ingress && !nodeNeeds(p, nodeId, c.host, n.id, { containerId: c.id })) p.release(n.id, lbIp);
    }
  }
  if (!running) {
    if (hasNs) p.emit({ type: 'NetnsRemoved', host: c.host, netns: sandbox });
    return p.events;
  }
  if (hostMode) return p.events;
  if (!hasNs) p.emit({ type: 'NetnsCreated', host: c.host, netns: sandbox });
  const have = new Set(kept.map((e) => e.networkId));
  // New interfaces are named after the highest kept one (libnetwork's osl counts eth<N> up per sandbox;
  // without a per-sandbox counter this matches it unless the highest interface was just removed).
  let next = kept.reduce((m, e) => Math.max(m, Number(e.ifName.replace(/^eth/, '')) + 1), 0);
  // The default route: through the first bridge when no kept interface holds it (sandbox.updateGateway).
  let needDefault = !kept.some((ep) => tget(s.routes, `${c.host}/${sandbox}/default/${ep.ifName}`));
  for (const n of nets) {
    if (have.has(n.id)) continue;
    // `--network-alias` / `network connect --alias`: the embedded DNS answers these too, on that network.
    const aliases = c.aliases?.[n.id] ?? [];
    if (n.driver === 'bridge') {
      attachBridge(p, c.host, sandbox, c.id, c.name, n, `eth${next}`, needDefault && !n.internal, [...names, ...aliases], aliases);
      if (!n.internal) needDefault = false;
      next++;
    } else if (n.driver === 'overlay') {
      const ip = p.allocate(n, { kind: 'container', id: c.id });
      if (!ip) continue;
      // The container's attachment task makes swarmkit give the node a load-balancer address on the
      // network (allocator getNodeNetworks), after the container's own.
      if (nodeId && !p.attachment(nodeId, n.id)) p.allocate(n, { kind: 'node', id: nodeId });
      if (nodeId) ensureLbSandbox(p, c.host, nodeId, n);
      attachOverlay(p, c.host, sandbox, c.id, c.name, n, ip, `eth${next}`, aliases);
      for (const d of [...names, ...aliases]) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name: d, ip });
      next++;
    }
  }
  if (wantGw && !kept.some((ep) => isGwLeg(ep.networkId))) attachGateway(p, c.host, sandbox, c.id, `gateway_${sandbox}`, `eth${next}`);
  return p.events;
}

/** A task's service aliases on a network (`--network name=N,alias=A`), from the spec it was made from. */
function taskAliases(s: State, t: Task, networkId: string): string[] {
  const svc = tget(s.services, t.serviceId);
  return svc ? taskSpecOf(svc, t).networkOptions?.[networkId]?.aliases ?? [] : [];
}

/**
 * The DNS names a task answers to on one of its user-defined networks (libnetwork addServiceBinding):
 * `tasks.<service>` and `tasks.<alias>`, its container name, and in dnsrr mode the service name and
 * its aliases themselves (with a VIP, those hold the VIP: netallocator).
 */
function taskDnsNames(s: State, t: Task, networkId: string): string[] {
  const svc = tget(s.services, t.serviceId);
  const n = tget(s.networks, networkId);
  if (!svc || !n || n.ingress || n.scope !== 'swarm') return [];
  const aliases = taskAliases(s, t, networkId);
  const names = [`tasks.${svc.spec.name}`, ...aliases.map((a) => `tasks.${a}`), `${svc.spec.name}.${t.slot > 0 ? t.slot : t.nodeId}.${t.id}`];
  if (svc.spec.endpointMode === 'dnsrr') names.unshift(svc.spec.name, ...aliases);
  return names;
}

/** The container name of a task (`web.1.<task ID>`; a global task has its node ID instead of a slot). */
function taskName(s: State, t: Task): string {
  return `${tget(s.services, t.serviceId)?.spec.name ?? t.serviceId}.${t.slot > 0 ? t.slot : t.nodeId}.${t.id}`;
}

/**
 * A task's sandbox as its container starts: one interface per network (ingress first), then the
 * docker_gwbridge leg; then each endpoint joins its service's load balancer on that network.
 *
 * A task without networks gets no sandbox here. In Docker it runs on the default bridge, as any container
 * does (swarmkit's container adapter sets no NetworkMode: moby daemon/cluster/executor/container/
 * container.go), but each such leg is eight kernel objects and events: the Swarm2k scale (95,000 tasks
 * without networks) would take three times as long and twice the memory. A documented divergence
 * (docs/networking.md §11).
 */
function setupTaskIn(p: NetPlan, t: Task): void {
  const s = p.s;
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  const svc = tget(s.services, t.serviceId);
  if (!node || !svc) return;
  const host = node.hostname;
  const sandbox = sandboxOf(t.containerId);
  if (p.hasNetns(host, sandbox)) return;
  const name = taskName(s, t);
  if (t.addrs.length === 0) return;
  p.emit({ type: 'NetnsCreated', host, netns: sandbox });
  let i = 0;
  let external = false;
  for (const a of t.addrs) {
    const n = tget(s.networks, a.networkId);
    if (!n) continue;
    // The network is created on the node (with its load-balancer sandbox) before the container joins it.
    ensureLbSandbox(p, host, node.id, n);
    attachOverlay(p, host, sandbox, t.containerId, name, n, a.ip, `eth${i++}`, n.ingress ? [] : taskAliases(s, t, n.id));
    for (const d of taskDnsNames(s, t, n.id)) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name: d, ip: a.ip });
    if (!n.internal) external = true;
  }
  // libnetwork's setupDefaultGW names the endpoint "gateway_" + the sandbox ID's first 12 characters.
  if (external) attachGateway(p, host, sandbox, t.containerId, `gateway_${sandbox}`, `eth${i}`);
  for (const a of t.addrs) {
    const n = tget(s.networks, a.networkId);
    if (n) addBackend(p, n, svc, a.ip);
  }
}

export function setupTask(s: State, t: Task, rng: Prng, ledger?: Ledger): EngineEvent[] {
  const p = new NetPlan(s, rng, ledger);
  setupTaskIn(p, t);
  return p.events;
}

/**
 * The task's container is gone: it leaves its services' load balancers, then its interfaces, DNS names
 * and namespace go; an overlay no longer used on the node leaves it with its load-balancer sandbox.
 */
function teardownTaskIn(p: NetPlan, t: Task): void {
  const s = p.s;
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  if (!node) return;
  const host = node.hostname;
  const sandbox = sandboxOf(t.containerId);
  if (!tget(s.netns, `${host}/${sandbox}`) || !p.hasNetns(host, sandbox)) return;
  const eps = endpointsOf(s, host, sandbox);
  for (const ep of eps) if (tget(s.networks, ep.networkId)?.scope !== 'local') removeBackend(p, ep.networkId, t.serviceId, ep.ip);
  // The network may be gone already (stack rm removes it in the same batch): the connected route goes
  // with the interface all the same.
  for (const ep of eps) detach(p, ep, taskEndpointNames(t, ep));
  // By network ID: the network may be gone already.
  for (const ep of eps) if (ep.peerNetns.startsWith('1-')) releaseNetworkOnHost(p, host, ep.networkId);
  p.emit({ type: 'NetnsRemoved', host, netns: sandbox });
}

export function teardownTask(s: State, t: Task, rng: Prng, ledger?: Ledger): EngineEvent[] {
  const p = new NetPlan(s, rng, ledger);
  teardownTaskIn(p, t);
  return p.events;
}

/**
 * `swarm leave` (or `node rm --force` of a live node): dockerd force-removes the node's task containers
 * (their endpoints leave networkdb, so the other nodes drop them at once: a graceful leave), then
 * releases the swarm networks (clearAttachableNetworks, ReleaseIngress): the overlays' load-balancer
 * sandboxes and namespaces, and ingress_sbox with its load balancers. docker_gwbridge, a local network,
 * stays. Standalone containers keep their attachable overlays here (not simulated: dockerd disconnects them).
 */
function leaveSwarm(p: NetPlan, host: string, nodeId: string): void {
  const s = p.s;
  const node = tget(s.nodes, nodeId);
  if (!node) return;
  for (const id of [...(tget(s.nodeTasks, nodeId)?.taskIds ?? [])].sort()) {
    const t = tget(s.tasks, id);
    if (t) teardownTaskIn(p, t);
  }
  const ingressId = s.swarm?.ingressNetworkId;
  for (const a of node.attachments) {
    if (a.networkId === ingressId) continue;
    if (overlayUsers(p, host, a.networkId).length === 0) releaseNetworkOnHost(p, host, a.networkId);
    else teardownLbSandbox(p, host, a.networkId);
  }
  const ingress = ingressId ? tget(s.networks, ingressId) : undefined;
  if (ingress) teardownIngressSandbox(p, host, ingress);
}

export function netAgentReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  switch (e.type) {
    case 'AddressAllocated': {
      if (e.owner.kind !== 'node') return [];
      const n = tget(s.networks, e.networkId);
      if (!n?.ingress) return [];
      // A node joins the mesh: its ingress sandbox, then a load balancer per service with backends there.
      const node = tget(s.nodes, e.owner.id);
      const h = node ? tget(s.hosts, node.hostname) : undefined;
      if (!node || !h || h.nodeId !== node.id || !h.up) return [];
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      if (setupIngressSandbox(p, node.hostname, n, e.ip)) learnNetwork(p, node.hostname, n);
      return p.events;
    }
    case 'ServiceUpdated': {
      const svc = tget(s.services, e.serviceId);
      if (!svc) return [];
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      reprogramIngress(p, svc);
      return p.events;
    }
    case 'TaskStateChanged': {
      const t = tget(s.tasks, e.taskId);
      if (!t) return [];
      // dockerd joins a task's container to its networks when it starts it (containerStart →
      // connectToNetwork; `docker create` in PREPARING sets up nothing): a task waiting in READY
      // (restart delay) has no sandbox, no DNS record and no load-balancer backend yet.
      if (e.to === 'starting') return setupTask(s, t, deps.rng(), deps.ledger());
      if (TASK_STATE_ORDER[e.to] > TASK_STATE_ORDER.running) return teardownTask(s, t, deps.rng(), deps.ledger());
      return [];
    }
    case 'HostAdded': {
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      hostDefaults(p, e.name);
      return p.events;
    }
    case 'HostBooted': {
      const h = tget(s.hosts, e.name);
      const node = h?.nodeId ? tget(s.nodes, h.nodeId) : undefined;
      if (!h || !node) return [];
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      rebootLbs(p, h.name, node);
      // An ingress made while the host was down: its sandbox now.
      const ingress = s.swarm?.ingressNetworkId ? tget(s.networks, s.swarm.ingressNetworkId) : undefined;
      const ip = ingress ? p.attachment(node.id, ingress.id) : undefined;
      if (ingress && ip && setupIngressSandbox(p, h.name, ingress, ip)) learnNetwork(p, h.name, ingress);
      return p.events;
    }
    case 'NodeLeft': {
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      leaveSwarm(p, e.host, e.nodeId);
      return p.events;
    }
    case 'ClockAdvanced': {
      // networkdb on the live nodes declares a crashed host failed: its entries are hidden.
      const failed = tvalues(s.hosts).filter((h) => {
        if (h.up) return false;
        const due = gossipFailureAt(s, h);
        return due !== null && due > e.fromMs && due <= e.toMs;
      });
      if (failed.length === 0) return [];
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      for (const h of failed.sort((a, b) => (a.name < b.name ? -1 : 1))) forgetNode(p, h.name, h.nodeId!);
      return p.events;
    }
    case 'ContainerStateChanged':
    case 'ContainerNetworksChanged': {
      const c = tget(s.containers, e.containerId);
      return c ? syncContainer(s, c, deps.rng(), deps.ledger()) : [];
    }
    default:
      return [];
  }
}

/** The facts it reacts to (its pipeline sees no others). */
const NETAGENT_EVENTS: Watch = {
  // A node's address on the ingress network: its ingress sandbox.
  AddressAllocated: (e) => e.owner.kind === 'node',
  ServiceUpdated: true,
  // dockerd sets a task's networking up as it starts it, and tears it down once it has ended.
  TaskStateChanged: (e) => e.to === 'starting' || TASK_STATE_ORDER[e.to] > TASK_STATE_ORDER.running,
  HostAdded: true,
  HostBooted: true,
  NodeLeft: true,
  ClockAdvanced: true,
  ContainerStateChanged: true,
  ContainerNetworksChanged: true,
};

export const netAgentController: Controller = {
  name: 'netagent',
  on: NETAGENT_EVENTS,
  react: (fact$, deps) => fact$.pipe(decideEach(NETAGENT_EVENTS, (f) => netAgentReact(f, deps))),
  nextDeadline(state) {
    let min: number | null = null;
    for (const h of tvalues(state.hosts)) {
      if (h.up) continue;
      const d = gossipFailureAt(state, h);
      if (d !== null && d > state.sim.nowMs && (min === null || d < min)) min = d;
    }
    return min;
  },
};
