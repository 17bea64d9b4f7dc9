/**
 * Service load balancing across the swarm (libnetwork service_common.go, service_linux.go, networkdb):
 * the routing mesh on the ingress and the east–west VIPs on every other overlay work the same way.
 *
 * - A service task's endpoint on a network where the service has a VIP is a **backend** (networkdb's
 *   endpoint_table entry, LbBackendAdded): every node that has the network learns it.
 * - A node **has** a network while its load-balancer sandbox is there: ingress_sbox for the ingress (every
 *   node of the mesh), `lb_<id[:9]>` for another overlay (while a local task or container uses it).
 * - A node has a **load balancer** for (service, network) while it has the network and the service has a
 *   backend on it (addServiceBinding creates it with the first backend, rmServiceBinding removes it with
 *   the last): its firewall mark comes from the node's counter, which starts at 256 and only goes up, so
 *   marks differ between nodes and are never reused (fwMarkCtr). The IPVS real servers are the backends.
 * - A node whose host is down changes nothing; when it boots, its dockerd starts again: marks from 256.
 */
import { TASK_STATE_ORDER } from '../../events/index.js';
import { selectNodesById } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { Endpoint, Network, Service, State, SwarmNode, Task } from '../state/types.js';
import { endpointsOf, sandboxOf } from './local.js';
import {
  createLbSandbox, INGRESS_SBOX, ingressPortsOf, lbNetnsOf, overlayUsers, programLb, releaseOverlayNs, teardownLbSandbox,
  unprogramLb,
} from './overlay.js';
import type { NetPlan } from './plan.js';

export { FIRST_FWMARK } from '../state/kernel.js';

/** Every host with an ingress sandbox (the routing mesh spans them all), by name. */
export function meshHosts(s: State): string[] {
  return tvalues(s.netns).filter((n) => n.name === INGRESS_SBOX).map((n) => n.host).sort();
}

function isUp(p: NetPlan, host: string): boolean {
  return tget(p.s.hosts, host)?.up === true;
}

/** The hosts that have a network (planned changes included), in a fixed order. */
export function lbHosts(p: NetPlan, networkId: string): string[] {
  if (networkId !== p.s.swarm?.ingressNetworkId) return p.netHosts(networkId);
  return selectNodesById(p.s).map((n) => n.hostname).filter((h) => p.hasNetns(h, INGRESS_SBOX));
}

/**
 * A task's endpoint joined a network: on a network where its service has a VIP, it becomes a backend;
 * the service's first backend there makes every node having the network program a load balancer.
 */
export function addBackend(p: NetPlan, n: Network, svc: Service, ip: string): void {
  if (!svc.vips.some((v) => v.networkId === n.id)) return;
  const b = p.backends(n.id, svc.id);
  if (b.has(ip)) return;
  const first = b.size === 0;
  p.emit({ type: 'LbBackendAdded', networkId: n.id, serviceId: svc.id, ip });
  if (!first) return;
  for (const host of lbHosts(p, n.id)) if (isUp(p, host)) programLb(p, host, n, svc);
}

/** A backend is gone; with the service's last one on the network, every node removes the load balancer. */
export function removeBackend(p: NetPlan, networkId: string, serviceId: string, ip: string): void {
  const b = p.backends(networkId, serviceId);
  if (!b.has(ip)) return;
  p.emit({ type: 'LbBackendRemoved', networkId, serviceId, ip });
  if (b.size > 0) return;
  const ns = lbNetnsOf(p.s, networkId);
  for (const host of lbHosts(p, networkId)) if (isUp(p, host)) unprogramLb(p, host, ns, serviceId);
}

/**
 * A node got a network's load-balancer sandbox: it learns every backend of the network (networkdb bulk
 * sync) and programs a load balancer for each service, in the order the services got their first backend.
 */
export function learnNetwork(p: NetPlan, host: string, n: Network): void {
  for (const id of p.netServices(n.id)) {
    const svc = tget(p.s.services, id);
    if (svc) programLb(p, host, n, svc);
  }
}

/**
 * The first local task or container on an overlay: the network is created on the node with its
 * load-balancer sandbox, whose address is the node's attachment on the network (swarmkit allocates it
 * when the first task using the network is assigned to the node).
 */
export function ensureLbSandbox(p: NetPlan, host: string, nodeId: string, n: Network): void {
  if (n.ingress || n.driver !== 'overlay' || n.scope !== 'swarm') return;
  const ip = p.attachment(nodeId, n.id);
  if (!ip) return;
  if (createLbSandbox(p, host, n, ip)) learnNetwork(p, host, n);
}

/**
 * A local sandbox left an overlay: with the last one, the network leaves the node (libnetwork deletes
 * the load-balancer sandbox with the network), and so does the overlay's namespace.
 */
export function releaseNetworkOnHost(p: NetPlan, host: string, networkId: string): void {
  if (networkId !== p.s.swarm?.ingressNetworkId) {
    if (overlayUsers(p, host, networkId).length) return;
    teardownLbSandbox(p, host, networkId);
  }
  releaseOverlayNs(p, host, networkId);
}

/**
 * A service's published ports changed: libnetwork keys its load balancers by (service, ports), so the
 * nodes drop the old one and program a new one, with a new mark.
 */
export function reprogramIngress(p: NetPlan, svc: Service): void {
  const ingressId = p.s.swarm?.ingressNetworkId;
  const ingress = ingressId ? tget(p.s.networks, ingressId) : undefined;
  if (!ingress || p.backends(ingress.id, svc.id).size === 0) return;
  const want = JSON.stringify(ingressPortsOf(svc));
  const hosts = lbHosts(p, ingress.id).filter((h) => isUp(p, h));
  const sample = hosts.map((h) => p.lb(h, INGRESS_SBOX, svc.id)).find((lb) => lb);
  if (sample && JSON.stringify(sample.ports) === want && svc.vips.some((v) => v.networkId === ingress.id && v.ip === sample.vip)) return;
  for (const host of hosts) {
    const lb = p.lb(host, INGRESS_SBOX, svc.id);
    if (lb && JSON.stringify(lb.ports) === want && lb.vip === svc.vips.find((v) => v.networkId === ingress.id)?.ip) continue;
    unprogramLb(p, host, INGRESS_SBOX, svc.id);
    programLb(p, host, ingress, svc);
  }
}

/**
 * Does the node still need its load-balancer address on a network (swarmkit getNodeNetworks): a task
 * placed on it and not yet past RUNNING uses the network, or (attachable networks) a running standalone
 * container there does (its attachment task)? Walks the node's tasks (the nodeTasks index).
 */
export function nodeNeeds(p: NetPlan, nodeId: string, host: string, networkId: string, except: { taskId?: string; containerId?: string }): boolean {
  for (const id of tget(p.s.nodeTasks, nodeId)?.taskIds ?? []) {
    if (id === except.taskId) continue;
    const t = tget(p.s.tasks, id);
    if (t && TASK_STATE_ORDER[t.state] <= TASK_STATE_ORDER.running && t.addrs.some((a) => a.networkId === networkId)) return true;
  }
  if (!p.network(networkId)?.attachable) return false;
  return tvalues(p.s.containers).some((c) => c.host === host && c.id !== except.containerId && c.state === 'running' && c.networks.includes(networkId));
}

/**
 * The DNS names a task's endpoint answers to (`<service>.<slot>.<task ID>`, `tasks.<service>`, and the
 * service name in dnsrr mode), read from the endpoint's name so that they can be withdrawn after the
 * service is gone. Only records that hold the endpoint's address are removed, so the VIP's stays.
 */
export function taskEndpointNames(t: Task, ep: Endpoint): string[] {
  const suffix = `.${t.slot > 0 ? t.slot : t.nodeId}.${t.id}`;
  if (!ep.name.endsWith(suffix)) return [ep.name];
  const svc = ep.name.slice(0, -suffix.length);
  const aliases = ep.aliases ?? [];
  return [ep.name, `tasks.${svc}`, svc, ...aliases.flatMap((a) => [`tasks.${a}`, a])];
}

/** Removes the DNS records that name `ip` on a network. */
export function dropNames(p: NetPlan, networkId: string, names: string[], ip: string): void {
  for (const d of names) {
    if (tget(p.s.dns, `${networkId}/${d}`)?.ips.includes(ip)) p.emit({ type: 'DnsRecordRemoved', networkId, name: d, ip });
  }
}

/**
 * The other nodes forget a node's endpoints: its tasks leave their services' load balancers and the DNS
 * (networkdb deletes a left node's entries, and hides a failed node's: nodemgmt.go changeNodeState).
 * The node itself is not touched (down, or tearing its own sandboxes down).
 */
export function forgetNode(p: NetPlan, host: string, nodeId: string): void {
  const ids = tget(p.s.nodeTasks, nodeId)?.taskIds ?? [];
  for (const id of [...ids].sort()) {
    const t = tget(p.s.tasks, id);
    if (!t || TASK_STATE_ORDER[t.state] > TASK_STATE_ORDER.running) continue;
    for (const ep of endpointsOf(p.s, host, sandboxOf(t.containerId))) {
      const n = tget(p.s.networks, ep.networkId);
      if (n && n.scope !== 'swarm') continue;
      removeBackend(p, ep.networkId, t.serviceId, ep.ip);
      dropNames(p, ep.networkId, taskEndpointNames(t, ep), ep.ip);
    }
  }
  // Standalone containers on attachable overlays (a scan of the containers: a rare event).
  for (const c of tvalues(p.s.containers).filter((x) => x.host === host && x.state === 'running').sort((a, b) => (a.id < b.id ? -1 : 1))) {
    for (const ep of endpointsOf(p.s, host, sandboxOf(c.id))) {
      if (tget(p.s.networks, ep.networkId)?.scope === 'swarm') dropNames(p, ep.networkId, [c.name, c.id.slice(0, 12)], ep.ip);
    }
  }
}

/**
 * The host rebooted: a new dockerd, whose firewall-mark counter starts at 256 again. The overlays'
 * load-balancer sandboxes are gone with the reboot (the tasks that used them failed); every load balancer
 * of ingress_sbox is programmed afresh.
 */
export function rebootLbs(p: NetPlan, host: string, node: SwarmNode): void {
  p.resetFwmark(host);
  const ingressId = p.s.swarm?.ingressNetworkId;
  for (const a of node.attachments) if (a.networkId !== ingressId) teardownLbSandbox(p, host, a.networkId);
  const ingress = ingressId ? tget(p.s.networks, ingressId) : undefined;
  if (!ingress || !p.hasNetns(host, INGRESS_SBOX)) return;
  for (const id of p.lbsIn(host, INGRESS_SBOX)) unprogramLb(p, host, INGRESS_SBOX, id);
  learnNetwork(p, host, ingress);
}
