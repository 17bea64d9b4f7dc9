/**
 * The network agent of each host (libnetwork inside dockerd): sets up the default networks when the
 * daemon starts, and gives a container's sandbox its interfaces, addresses, routes and DNS names when
 * it starts; tears them down when it stops.
 */
import { from, mergeMap } from 'rxjs';
import type { EngineEvent } from '../../../events/index.js';
import { attachBridge, detach, endpointsOf, hostDefaults, sandboxOf } from '../../net/local.js';
import { attachGateway, attachOverlay, GWBRIDGE, releaseOverlayNs, setupIngressSandbox } from '../../net/overlay.js';
import { TASK_STATE_ORDER } from '../../../events/index.js';
import { NetPlan, type Ledger } from '../../net/plan.js';
import type { Prng } from '../../sim/prng.js';
import { tget, tvalues } from '../../state/table.js';
import { meshDestination, meshedPorts, meshHosts, meshServiceOnNode, unmeshServiceOnNode } from '../../net/mesh.js';
import type { Container, State, Task } from '../../state/types.js';
import type { Controller, ControllerDeps, Fact } from '../types.js';

/**
 * Brings a running container's sandbox in line with the networks it should be on: bridges, attachable
 * overlays (an address from the swarm network, serial; the overlay's namespace on demand), and, when all
 * its networks are overlays and one is not internal, a leg on docker_gwbridge for the default route
 * (libnetwork sandbox.setupDefaultGW / needDefaultGW).
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
  for (const ep of eps) {
    if (kept.includes(ep)) continue;
    const gwLeg = isGwLeg(ep.networkId);
    detach(p, ep, gwLeg ? [] : names);
    const n = tget(s.networks, ep.networkId);
    if (n && n.scope === 'swarm') {
      // A swarm network's address goes back to the allocator, its namespace with the last local user.
      p.release(n.id, ep.ip);
      releaseOverlayNs(p, c.host, n);
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
    if (n.driver === 'bridge') {
      attachBridge(p, c.host, sandbox, c.id, c.name, n, `eth${next}`, needDefault && !n.internal, names);
      if (!n.internal) needDefault = false;
      next++;
    } else if (n.driver === 'overlay') {
      const ip = p.allocate(n, { kind: 'container', id: c.id });
      if (!ip) continue;
      attachOverlay(p, c.host, sandbox, c.id, c.name, n, ip, `eth${next}`);
      for (const d of names) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name: d, ip });
      next++;
    }
  }
  if (wantGw && !kept.some((ep) => isGwLeg(ep.networkId))) attachGateway(p, c.host, sandbox, c.id, `gateway_${sandbox}`, `eth${next}`);
  return p.events;
}

/** The DNS names a task answers to on its user-defined networks. */
function taskDnsNames(s: State, t: Task, networkId: string): string[] {
  const svc = tget(s.services, t.serviceId);
  const n = tget(s.networks, networkId);
  if (!svc || !n || n.ingress || n.scope !== 'swarm') return [];
  const names = [`tasks.${svc.spec.name}`, `${svc.spec.name}.${t.slot > 0 ? t.slot : t.nodeId}.${t.id}`];
  if (svc.spec.endpointMode === 'dnsrr') names.unshift(svc.spec.name);
  return names;
}

/** A task's sandbox as its container starts: one interface per network (ingress first), then docker_gwbridge. */
export function setupTask(s: State, t: Task, rng: Prng, ledger?: Ledger): EngineEvent[] {
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  if (!node || t.addrs.length === 0) return [];
  const host = node.hostname;
  const p = new NetPlan(s, rng, ledger);
  const sandbox = sandboxOf(t.containerId);
  if (tget(s.netns, `${host}/${sandbox}`)) return [];
  p.emit({ type: 'NetnsCreated', host, netns: sandbox });
  const name = `${tget(s.services, t.serviceId)?.spec.name ?? t.serviceId}.${t.slot > 0 ? t.slot : t.nodeId}.${t.id}`;
  let i = 0;
  let external = false;
  for (const a of t.addrs) {
    const n = tget(s.networks, a.networkId);
    if (!n) continue;
    attachOverlay(p, host, sandbox, t.containerId, name, n, a.ip, `eth${i++}`);
    for (const d of taskDnsNames(s, t, n.id)) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name: d, ip: a.ip });
    if (!n.internal) external = true;
  }
  // libnetwork's setupDefaultGW names the endpoint "gateway_" + the sandbox ID's first 12 characters.
  if (external) attachGateway(p, host, sandbox, t.containerId, `gateway_${sandbox}`, `eth${i}`);
  const svc = tget(s.services, t.serviceId);
  const ingressId = s.swarm?.ingressNetworkId;
  const ing = t.addrs.find((a) => a.networkId === ingressId);
  if (svc && ing) meshDestination(p, svc, ing.ip, true);
  return p.events;
}

/** The task's container is gone: its interfaces, DNS names and namespace; the overlay namespace if unused. */
export function teardownTask(s: State, t: Task, rng: Prng, ledger?: Ledger): EngineEvent[] {
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  if (!node) return [];
  const host = node.hostname;
  const sandbox = sandboxOf(t.containerId);
  if (!tget(s.netns, `${host}/${sandbox}`)) return [];
  const p = new NetPlan(s, rng, ledger);
  const eps = endpointsOf(s, host, sandbox);
  const svc = tget(s.services, t.serviceId);
  const ing = eps.find((ep) => ep.networkId === s.swarm?.ingressNetworkId);
  if (svc && ing) meshDestination(p, svc, ing.ip, false);
  for (const ep of eps) detach(p, ep, taskDnsNames(s, t, ep.networkId));
  // By network ID: the network may be gone already (stack rm removes it in the same batch).
  for (const ep of eps) if (ep.peerNetns.startsWith('1-')) releaseOverlayNs(p, host, ep.networkId);
  p.emit({ type: 'NetnsRemoved', host, netns: sandbox });
  return p.events;
}

export function netAgentReact({ event: e, state: s }: Fact, deps: ControllerDeps): EngineEvent[] {
  switch (e.type) {
    case 'AddressAllocated': {
      const n = tget(s.networks, e.networkId);
      if (!n?.ingress) return [];
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      if (e.owner.kind === 'node') {
        // A node joins the mesh: its ingress sandbox, then a load balancer per published service.
        const node = tget(s.nodes, e.owner.id);
        if (!node) return [];
        const sbox = setupIngressSandbox(p, node.hostname, n, e.ip);
        for (const svc of tvalues(s.services).sort((a, b) => (a.createdAtMs - b.createdAtMs) || (a.id < b.id ? -1 : 1))) {
          meshServiceOnNode(p, node.hostname, svc, n.id, e.ip, sbox?.gwIp);
        }
      } else if (e.owner.kind === 'vip') {
        // A service got its ingress VIP: every node of the mesh programs its load balancer.
        const svc = tget(s.services, e.owner.id);
        if (!svc) return [];
        for (const host of meshHosts(s)) meshServiceOnNode(p, host, svc, n.id);
      }
      return p.events;
    }
    case 'ServiceRemoved': {
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      for (const host of meshHosts(s)) unmeshServiceOnNode(p, host, e.serviceId);
      return p.events;
    }
    case 'ServiceUpdated': {
      // Published ports changed: reprogram the mesh for this service.
      const svc = tget(s.services, e.serviceId);
      const ingressId = s.swarm?.ingressNetworkId;
      if (!svc || !ingressId) return [];
      const want = svc.endpointPorts.filter((x) => x.publishMode === 'ingress').map((x) => ({ protocol: x.protocol, publishedPort: x.publishedPort })).sort((a, b) => a.publishedPort - b.publishedPort);
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      for (const host of meshHosts(s)) {
        if (JSON.stringify(meshedPorts(s, host, svc.id)) === JSON.stringify(want)) continue;
        unmeshServiceOnNode(p, host, svc.id);
        // Still publishing: the load balancer comes back with the new ports.
        if (want.length) meshServiceOnNode(p, host, svc, ingressId, undefined, undefined, true);
      }
      return p.events;
    }
    case 'TaskStateChanged': {
      const t = tget(s.tasks, e.taskId);
      if (!t) return [];
      // dockerd joins a task's container to its networks when it starts it (containerStart →
      // connectToNetwork; `docker create` in PREPARING sets up nothing): a task waiting in READY
      // (restart delay) has no sandbox, no DNS record and no IPVS backend yet.
      if (e.to === 'starting') return setupTask(s, t, deps.rng(), deps.ledger());
      if (TASK_STATE_ORDER[e.to] > TASK_STATE_ORDER.running) return teardownTask(s, t, deps.rng(), deps.ledger());
      return [];
    }
    case 'HostAdded': {
      const p = new NetPlan(s, deps.rng(), deps.ledger());
      hostDefaults(p, e.name);
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

export const netAgentController: Controller = {
  name: 'netagent',
  react: (fact$, deps) => fact$.pipe(mergeMap((f) => from(netAgentReact(f, deps)))),
};
