/**
 * Swarm networking on a node (libnetwork's overlay driver and service code): docker_gwbridge, an overlay's
 * namespace created on demand (`1-<id>` with br0 and vxlan0), a task's sandbox with one interface per
 * overlay plus its leg on docker_gwbridge, and each network's load-balancer sandbox: ingress_sbox for the
 * ingress, `lb_<id[:9]>` (libnetwork `lb-<name>`) for the others, with the load balancers programmed in it.
 */
import type { LbPort } from '../../events/index.js';
import { tget } from '../state/table.js';
import type { Endpoint, Network, Service, State } from '../state/types.js';
import { createBridge, detach, endpointsOf, vethEndpoint } from './local.js';
import { intToIp, parseCidr } from './ipam.js';
import { NetPlan, OVERLAY_MTU, rule, type LbEndpoint } from './plan.js';

export const GWBRIDGE = 'docker_gwbridge';
export const INGRESS_SBOX = 'ingress_sbox';

/** The overlay's namespace on a node: "1-" + the network ID, cut to 12 characters (osl.GenerateKey). */
export function overlayNs(n: Network | string): string {
  return `1-${typeof n === 'string' ? n : n.id}`.slice(0, 12);
}

/**
 * A network's load-balancer sandbox (libnetwork network.go lbSandboxName, controller.go NewSandbox): the
 * ingress's is `ingress_sbox`, any other overlay's `lb_` + its ID, cut to 12 characters by osl.GenerateKey.
 */
export function lbNetns(n: Network): string {
  return n.ingress ? INGRESS_SBOX : `lb_${n.id}`.slice(0, 12);
}

/** The same from an ID alone (the network may be gone already). */
export function lbNetnsOf(s: State, networkId: string): string {
  return s.swarm?.ingressNetworkId === networkId ? INGRESS_SBOX : `lb_${networkId}`.slice(0, 12);
}

/**
 * An overlay's MTU (libnetwork overlay driver): the base from `com.docker.network.driver.mtu` (netlabel
 * DriverMTU; seed 004's `com.docker.network.mtu` is no key libnetwork reads, so it changes nothing) less
 * 50 for VXLAN, less 26 more for ESP rounded down to a multiple of 4 when encrypted.
 */
export function overlayMtu(n: Network): number {
  const base = Number(n.options['com.docker.network.driver.mtu'] ?? 1500);
  const mtu = base - 50;
  return n.options.encrypted !== undefined ? Math.floor((mtu - 26) / 4) * 4 : mtu === 1450 ? OVERLAY_MTU : mtu;
}

/** The host's docker_gwbridge network (a user-created one is kept, seed 004). */
export function gwbridgeOf(p: NetPlan, host: string): Network | undefined {
  return p.hostNetworks(host).find((n) => n.name === GWBRIDGE);
}

export function ensureGwbridge(p: NetPlan, host: string): Network {
  const existing = gwbridgeOf(p, host);
  if (existing) return existing;
  return createBridge(p, host, GWBRIDGE, p.localSubnet(host)!, null, {
    'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.name': GWBRIDGE,
  }, {}, false);
}

/** Link names in a namespace: applied ones (its index) and those this batch adds or removes. */
function linkNames(p: NetPlan, host: string, ns: string): Set<string> {
  const used = new Set(tget(p.s.netns, `${host}/${ns}`)?.links ?? []);
  for (const l of p.plannedIn(host, ns)) {
    if (l.created) used.add(l.name);
    else used.delete(l.name);
  }
  return used;
}

/** br0 (with the gateway) and vxlan0 in the overlay's namespace, the first time the node needs it. */
export function ensureOverlayNs(p: NetPlan, host: string, n: Network): string {
  const ns = overlayNs(n);
  if (p.hasNetns(host, ns)) return ns;
  const mtu = overlayMtu(n);
  p.emit({ type: 'NetnsCreated', host, netns: ns });
  p.emit({ type: 'LinkCreated', host, netns: ns, name: 'br0', kind: 'bridge', ifIndex: 2, mtu, mac: p.randomMac(), peer: 0, master: '' });
  p.emit({ type: 'AddressAssigned', host, netns: ns, ifName: 'br0', cidr: p.cidrOf(n, n.gateway) });
  p.emit({ type: 'LinkCreated', host, netns: ns, name: 'vxlan0', kind: 'vxlan', ifIndex: p.nextIf(host), mtu, mac: p.randomMac(), peer: n.vni, master: 'br0' });
  return ns;
}

/** Tears the overlay's namespace down when no veth is left in it (no local sandbox uses the network). */
export function releaseOverlayNs(p: NetPlan, host: string, n: Network | string): void {
  const ns = overlayNs(n);
  if (!p.hasNetns(host, ns)) return;
  const left = [...linkNames(p, host, ns)];
  if (left.some((name) => name.startsWith('veth'))) return;
  for (const name of left) p.emit({ type: 'LinkRemoved', host, netns: ns, name });
  p.emit({ type: 'NetnsRemoved', host, netns: ns });
}

/** Veths in the overlay's namespace that belong to a container or task (not to the load-balancer sandbox). */
export function overlayUsers(p: NetPlan, host: string, networkId: string): string[] {
  const lbVeth = lbEndpointOf(p, host, lbNetnsOf(p.s, networkId), networkId)?.peerName;
  return [...linkNames(p, host, overlayNs(networkId))].filter((name) => name.startsWith('veth') && name !== lbVeth);
}

/** A sandbox's interface on an overlay: a veth whose other end is enslaved to br0 in the overlay namespace. */
export function attachOverlay(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, n: Network, ip: string, ifName: string, aliases: string[] = []): Endpoint {
  const ns = ensureOverlayNs(p, host, n);
  const used = linkNames(p, host, ns);
  let i = 0;
  while (used.has(`veth${i}`)) i++;
  return vethEndpoint(p, { host, sandbox, containerId, name, network: n, ip, ifName, peerNetns: ns, peerName: `veth${i}`, master: 'br0', mtu: overlayMtu(n), defaultVia: null, aliases });
}

/** The leg on docker_gwbridge that gives a sandbox on overlays its default route (north–south). */
export function attachGateway(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, ifName: string): Endpoint | null {
  const gw = ensureGwbridge(p, host);
  const ip = p.allocate(gw, { kind: 'container', id: containerId || sandbox });
  if (!ip) return null;
  return vethEndpoint(p, { host, sandbox, containerId, name, network: gw, ip, ifName, peerNetns: '', peerName: p.vethName(), master: GWBRIDGE, mtu: 1500, defaultVia: gw.gateway });
}

/**
 * The load-balancer sandbox's own endpoint on its network (planned in this batch, or from the
 * namespace's index), with ingress_sbox's docker_gwbridge address.
 */
export function lbEndpointOf(p: NetPlan, host: string, netns: string, networkId: string): LbEndpoint | undefined {
  const planned = p.ledger.lbEndpoints.get(`${host}/${netns}`);
  if (planned) return p.hasNetns(host, netns) ? planned : undefined;
  if (!tget(p.s.netns, `${host}/${netns}`) || !p.hasNetns(host, netns)) return undefined;
  const eps = endpointsOf(p.s, host, netns);
  const own = eps.find((e) => e.networkId === networkId);
  if (!own) return undefined;
  // The subnet from the interface's own address (the network may be gone already: stack rm).
  const cidr = tget(p.s.links, `${host}/${netns}/${own.ifName}`)?.addrs.find((a) => a.startsWith(`${own.ip}/`)) ?? `${own.ip}/24`;
  return { id: own.id, ip: own.ip, subnet: subnetOfCidr(cidr), ifName: own.ifName, peerName: own.peerName, gwIp: eps.find((e) => e.networkId !== networkId)?.ip ?? null };
}

/** The node's ingress sandbox: eth0 on ingress (its node attachment address), eth1 on docker_gwbridge. */
export function setupIngressSandbox(p: NetPlan, host: string, ingress: Network, ip: string): boolean {
  if (p.hasNetns(host, INGRESS_SBOX)) return false;
  p.emit({ type: 'NetnsCreated', host, netns: INGRESS_SBOX });
  const eth0 = attachOverlay(p, host, INGRESS_SBOX, '', 'ingress-endpoint', ingress, ip, 'eth0');
  const gw = attachGateway(p, host, INGRESS_SBOX, '', 'gateway_ingress-sbox', 'eth1');
  p.ledger.lbEndpoints.set(`${host}/${INGRESS_SBOX}`, { id: eth0.id, ip, subnet: ingress.subnet, ifName: eth0.ifName, peerName: eth0.peerName, gwIp: gw?.ip ?? null });
  return true;
}

/** Removes a node's ingress sandbox, its load balancers first (the node leaves, or the ingress is replaced). */
export function teardownIngressSandbox(p: NetPlan, host: string, ingress: Network): void {
  if (!p.hasNetns(host, INGRESS_SBOX)) return;
  for (const svc of p.lbsIn(host, INGRESS_SBOX)) unprogramLb(p, host, INGRESS_SBOX, svc);
  for (const ep of endpointsOf(p.s, host, INGRESS_SBOX)) detach(p, ep, []);
  releaseOverlayNs(p, host, ingress);
  p.emit({ type: 'NetnsRemoved', host, netns: INGRESS_SBOX });
}

/**
 * A network's load-balancer sandbox on a node (libnetwork createLoadBalancerSandbox, when the network is
 * created on the node): `lb_<id[:9]>` with one interface, eth0, on the network, named `<net>-endpoint`,
 * holding the node's attachment address; no docker_gwbridge leg (sandbox.go: load-balancing endpoints
 * never get a default gateway).
 */
export function createLbSandbox(p: NetPlan, host: string, n: Network, ip: string): boolean {
  const ns = lbNetns(n);
  if (p.hasNetns(host, ns)) return false;
  p.emit({ type: 'NetnsCreated', host, netns: ns });
  const eth0 = attachOverlay(p, host, ns, '', `${n.name}-endpoint`, n, ip, 'eth0');
  p.ledger.lbEndpoints.set(`${host}/${ns}`, { id: eth0.id, ip, subnet: n.subnet, ifName: eth0.ifName, peerName: eth0.peerName, gwIp: null });
  return true;
}

/** Removes a network's load-balancer sandbox from a node: its load balancers, its interface, the namespace. */
export function teardownLbSandbox(p: NetPlan, host: string, networkId: string): void {
  const ns = lbNetnsOf(p.s, networkId);
  if (ns === INGRESS_SBOX || !p.hasNetns(host, ns)) return;
  for (const svc of p.lbsIn(host, ns)) unprogramLb(p, host, ns, svc);
  const ep = lbEndpointOf(p, host, ns, networkId);
  if (ep) {
    p.emit({ type: 'LinkRemoved', host, netns: ns, name: ep.ifName });
    p.emit({ type: 'LinkRemoved', host, netns: overlayNs(networkId), name: ep.peerName });
    p.emit({ type: 'EndpointRemoved', endpointId: ep.id });
  }
  p.emit({ type: 'NetnsRemoved', host, netns: ns });
}

const hexMark = (m: number): string => `0x${m.toString(16)}`;

/** The network of an interface address: 10.0.1.5/24 → 10.0.1.0/24. */
export function subnetOfCidr(cidr: string): string {
  const c = parseCidr(cidr)!;
  const size = 2 ** (32 - c.bits);
  return `${intToIp(Math.floor(c.base / size) * size)}/${c.bits}`;
}

/** The host rules of one published port (libnetwork addIngressPorts, each inserted with -I). */
function ingressPortRules(gwIp: string, port: LbPort) {
  return [
    rule({ table: 'nat', chain: 'DOCKER-INGRESS', proto: port.protocol, dport: port.publishedPort, target: 'DNAT', targetArg: `to:${gwIp}:${port.publishedPort}` }),
    rule({ table: 'filter', chain: 'DOCKER-INGRESS', proto: port.protocol, sport: port.publishedPort, match: 'ctstate RELATED,ESTABLISHED', target: 'ACCEPT' }),
    rule({ table: 'filter', chain: 'DOCKER-INGRESS', proto: port.protocol, dport: port.publishedPort, target: 'ACCEPT' }),
  ];
}

/** The mark rules of a load balancer in its sandbox (libnetwork configureFWMark). */
function markRules(lb: { fwmark: number; vip: string; ports: LbPort[] }) {
  const mark = `MARK set ${hexMark(lb.fwmark)}`;
  return {
    prerouting: lb.ports.map((port) => rule({ table: 'mangle', chain: 'PREROUTING', proto: port.protocol, dport: port.publishedPort, target: 'MARK', targetArg: mark })),
    input: rule({ table: 'mangle', chain: 'INPUT', dst: `${lb.vip}/32`, target: 'MARK', targetArg: mark }),
  };
}

/** A service's published ingress-mode ports. */
export function ingressPortsOf(svc: Service): LbPort[] {
  return svc.endpointPorts.filter((x) => x.publishMode === 'ingress').map((x) => ({ protocol: x.protocol, publishedPort: x.publishedPort }));
}

/**
 * Programs a service's load balancer in a node's sandbox for a network (libnetwork addServiceBinding →
 * addLBBackend when the IPVS service is not there yet): a new firewall mark from the node's counter, the
 * VIP as a /32 alias on the sandbox's interface, for the ingress the host's DNAT and filter rules of each
 * published port, the mangle marks (PREROUTING per published port, INPUT for the VIP), the SNAT of IPVS
 * traffic to the sandbox's own address (once per sandbox), then the IPVS service. Idempotent.
 */
export function programLb(p: NetPlan, host: string, n: Network, svc: Service): void {
  const ns = lbNetns(n);
  if (p.lb(host, ns, svc.id)) return;
  const vip = svc.vips.find((v) => v.networkId === n.id)?.ip;
  if (!vip) return;
  const ports = n.ingress ? ingressPortsOf(svc) : [];
  if (n.ingress && ports.length === 0) return;
  const ep = lbEndpointOf(p, host, ns, n.id);
  if (!ep) return;
  const fwmark = p.nextFwmark(host);
  p.emit({ type: 'AddressAssigned', host, netns: ns, ifName: ep.ifName, cidr: `${vip}/32` });
  if (n.ingress) {
    // Host (libnetwork initIngressConfiguration, once): DOCKER-INGRESS in nat and filter, each ending in
    // RETURN; nat PREROUTING/OUTPUT jump to it for local destinations; local traffic leaving through the
    // gwbridge is masqueraded. Then each published port: DNAT to ingress_sbox and the filter ACCEPTs.
    p.addRule(host, '', rule({ table: 'nat', chain: 'DOCKER-INGRESS', target: 'RETURN' }));
    p.addRule(host, '', rule({ table: 'filter', chain: 'DOCKER-INGRESS', target: 'RETURN' }));
    p.addRule(host, '', rule({ table: 'nat', chain: 'PREROUTING', match: 'ADDRTYPE match dst-type LOCAL', target: 'DOCKER-INGRESS' }));
    p.addRule(host, '', rule({ table: 'nat', chain: 'OUTPUT', match: 'ADDRTYPE match dst-type LOCAL', target: 'DOCKER-INGRESS' }));
    p.addRule(host, '', rule({ table: 'nat', chain: 'POSTROUTING', match: 'ADDRTYPE match src-type LOCAL', out: 'docker_gwbridge', target: 'MASQUERADE' }));
    for (const port of ports) for (const r of ingressPortRules(ep.gwIp ?? '172.18.0.2', port)) p.addRule(host, '', r);
  }
  const marks = markRules({ fwmark, vip, ports });
  for (const r of marks.prerouting) p.addRule(host, ns, r);
  p.addRule(host, ns, rule({ table: 'nat', chain: 'POSTROUTING', dst: ep.subnet, match: 'ipvs', target: 'SNAT', targetArg: `to:${ep.ip}` }));
  p.addRule(host, ns, marks.input);
  p.emit({ type: 'IpvsServiceAdded', host, netns: ns, fwmark, serviceId: svc.id, networkId: n.id, vip, ports });
}

/**
 * Removes a service's load balancer from a node's sandbox (libnetwork rmLBBackend with rmService): the
 * IPVS service, for the ingress the host rules of its ports, the mark rules, the VIP alias. The SNAT rule
 * stays, as in libnetwork.
 */
export function unprogramLb(p: NetPlan, host: string, netns: string, serviceId: string): void {
  const lb = p.lb(host, netns, serviceId);
  if (!lb) return;
  const ep = lbEndpointOf(p, host, netns, lb.networkId);
  p.emit({ type: 'IpvsServiceRemoved', host, netns, fwmark: lb.fwmark, serviceId });
  if (netns === INGRESS_SBOX) {
    for (const port of lb.ports) for (const r of ingressPortRules(ep?.gwIp ?? '172.18.0.2', port)) p.removeRule(host, '', r);
  }
  const marks = markRules(lb);
  for (const r of marks.prerouting) p.removeRule(host, netns, r);
  p.removeRule(host, netns, marks.input);
  if (ep) p.emit({ type: 'AddressUnassigned', host, netns, ifName: ep.ifName, cidr: `${lb.vip}/32` });
}
