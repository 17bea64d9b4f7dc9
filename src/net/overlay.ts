/**
 * Swarm networking on a node (libnetwork's overlay driver and service code): docker_gwbridge, the
 * ingress sandbox, an overlay's namespace created on demand (`1-<id>` with br0 and vxlan0), and a
 * task's sandbox with one interface per overlay plus its leg on docker_gwbridge.
 */
import { tget, tvalues } from '../state/table.js';
import type { Endpoint, Network, State } from '../state/types.js';
import { createBridge, endpointsOf } from './local.js';
import { NetPlan, OVERLAY_MTU } from './plan.js';

export const GWBRIDGE = 'docker_gwbridge';
export const INGRESS_SBOX = 'ingress_sbox';

/** The overlay's namespace on a node: "1-" + the network ID, cut to 12 characters (osl.GenerateKey). */
export function overlayNs(n: Network): string {
  return `1-${n.id}`.slice(0, 12);
}

export function overlayMtu(n: Network): number {
  const base = Number(n.options['com.docker.network.driver.mtu'] ?? n.options['com.docker.network.mtu'] ?? 1500);
  const mtu = base - 50;
  return n.options.encrypted !== undefined ? Math.floor((mtu - 26) / 4) * 4 : mtu === 1450 ? OVERLAY_MTU : mtu;
}

/** The host's docker_gwbridge network (a user-created one is kept, seed 004). */
export function gwbridgeOf(p: NetPlan, host: string): Network | undefined {
  return p.networks().find((n) => n.scope === 'local' && n.host === host && n.name === GWBRIDGE);
}

export function ensureGwbridge(p: NetPlan, host: string): Network {
  const existing = gwbridgeOf(p, host);
  if (existing) return existing;
  return createBridge(p, host, GWBRIDGE, p.localSubnet(host)!, null, {
    'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.name': GWBRIDGE,
  }, {}, false);
}

/** br0 (with the gateway) and vxlan0 in the overlay's namespace, the first time the node needs it. */
export function ensureOverlayNs(p: NetPlan, host: string, n: Network): string {
  const ns = overlayNs(n);
  if (tget(p.s.netns, `${host}/${ns}`) || p.events.some((e) => e.type === 'NetnsCreated' && e.host === host && e.netns === ns)) return ns;
  const mtu = overlayMtu(n);
  p.emit({ type: 'NetnsCreated', host, netns: ns });
  p.emit({ type: 'LinkCreated', host, netns: ns, name: 'br0', kind: 'bridge', ifIndex: 2, mtu, mac: p.randomMac(), peer: 0, master: '' });
  p.emit({ type: 'AddressAssigned', host, netns: ns, ifName: 'br0', cidr: p.cidrOf(n, n.gateway) });
  p.emit({ type: 'LinkCreated', host, netns: ns, name: 'vxlan0', kind: 'vxlan', ifIndex: p.nextIf(host), mtu, mac: p.randomMac(), peer: n.vni, master: 'br0' });
  return ns;
}

/** Tears the overlay's namespace down when nothing on the node uses it any more. */
export function releaseOverlayNs(p: NetPlan, host: string, n: Network, leaving: Set<string>): void {
  const ns = overlayNs(n);
  if (!tget(p.s.netns, `${host}/${ns}`)) return;
  const still = tvalues(p.s.endpoints).some((e) => e.host === host && e.networkId === n.id && !leaving.has(e.id));
  if (still) return;
  for (const l of tvalues(p.s.links).filter((x) => x.host === host && x.netns === ns)) p.emit({ type: 'LinkRemoved', host, netns: ns, name: l.name });
  p.emit({ type: 'NetnsRemoved', host, netns: ns });
}

/** A sandbox's interface on an overlay: a veth whose other end is enslaved to br0 in the overlay namespace. */
export function attachOverlay(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, n: Network, ip: string, ifName: string): Endpoint {
  const ns = ensureOverlayNs(p, host, n);
  const mtu = overlayMtu(n);
  const inner = p.nextIf(host);
  const outer = p.nextIf(host);
  // The lowest free vethN in the overlay namespace (names are reused as tasks come and go).
  const used = new Set(tvalues(p.s.links).filter((l) => l.host === host && l.netns === ns).map((l) => l.name));
  for (const e of p.plannedIn(host, ns)) {
    if (e.type === 'LinkCreated') used.add(e.name);
    else if (e.type === 'LinkRemoved') used.delete(e.name);
  }
  let vethCount = 0;
  while (used.has(`veth${vethCount}`)) vethCount++;
  const mac = p.mac(ip);
  p.emit({ type: 'LinkCreated', host, netns: ns, name: `veth${vethCount}`, kind: 'veth', ifIndex: outer, mtu, mac: p.randomMac(), peer: inner, master: 'br0' });
  p.emit({ type: 'LinkCreated', host, netns: sandbox, name: ifName, kind: 'veth', ifIndex: inner, mtu, mac, peer: outer, master: '' });
  p.emit({ type: 'AddressAssigned', host, netns: sandbox, ifName, cidr: p.cidrOf(n, ip) });
  p.emit({ type: 'RouteAdded', host, netns: sandbox, dst: n.subnet, via: '', dev: ifName, src: ip });
  const endpointId = p.rng.hex(32);
  p.emit({ type: 'EndpointCreated', endpointId, networkId: n.id, host, sandbox, containerId, name, ip, mac, ifName });
  return { id: endpointId, networkId: n.id, host, sandbox, containerId, name, ip, mac, ifName };
}

/** The leg on docker_gwbridge that gives a container on overlays its default route (north–south). */
export function attachGateway(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, ifName: string): Endpoint | null {
  const gw = ensureGwbridge(p, host);
  const ip = p.allocate(gw, { kind: 'container', id: containerId });
  if (!ip) return null;
  const inner = p.nextIf(host);
  const outer = p.nextIf(host);
  const mac = p.mac(ip);
  p.emit({ type: 'LinkCreated', host, netns: '', name: p.vethName(), kind: 'veth', ifIndex: outer, mtu: 1500, mac: p.randomMac(), peer: inner, master: GWBRIDGE });
  p.emit({ type: 'LinkCreated', host, netns: sandbox, name: ifName, kind: 'veth', ifIndex: inner, mtu: 1500, mac, peer: outer, master: '' });
  p.emit({ type: 'AddressAssigned', host, netns: sandbox, ifName, cidr: p.cidrOf(gw, ip) });
  p.emit({ type: 'RouteAdded', host, netns: sandbox, dst: 'default', via: gw.gateway, dev: ifName, src: '' });
  p.emit({ type: 'RouteAdded', host, netns: sandbox, dst: gw.subnet, via: '', dev: ifName, src: ip });
  const endpointId = p.rng.hex(32);
  p.emit({ type: 'EndpointCreated', endpointId, networkId: gw.id, host, sandbox, containerId, name: `gateway_${containerId.slice(0, 12)}`, ip, mac, ifName });
  return { id: endpointId, networkId: gw.id, host, sandbox, containerId, name: `gateway_${containerId.slice(0, 12)}`, ip, mac, ifName };
}

/** The node's ingress sandbox: eth0 on ingress (its node attachment address), eth1 on docker_gwbridge. */
export function setupIngressSandbox(p: NetPlan, host: string, ingress: Network, ip: string): void {
  if (tget(p.s.netns, `${host}/${INGRESS_SBOX}`)) return;
  p.emit({ type: 'NetnsCreated', host, netns: INGRESS_SBOX });
  attachOverlay(p, host, INGRESS_SBOX, '', 'ingress-endpoint', ingress, ip, 'eth0');
  const gw = ensureGwbridge(p, host);
  const gip = p.allocate(gw, { kind: 'container', id: 'ingress-sbox' });
  if (!gip) return;
  const inner = p.nextIf(host);
  const outer = p.nextIf(host);
  p.emit({ type: 'LinkCreated', host, netns: '', name: p.vethName(), kind: 'veth', ifIndex: outer, mtu: 1500, mac: p.randomMac(), peer: inner, master: GWBRIDGE });
  p.emit({ type: 'LinkCreated', host, netns: INGRESS_SBOX, name: 'eth1', kind: 'veth', ifIndex: inner, mtu: 1500, mac: p.mac(gip), peer: outer, master: '' });
  p.emit({ type: 'AddressAssigned', host, netns: INGRESS_SBOX, ifName: 'eth1', cidr: p.cidrOf(gw, gip) });
  p.emit({ type: 'RouteAdded', host, netns: INGRESS_SBOX, dst: 'default', via: gw.gateway, dev: 'eth1', src: '' });
  p.emit({ type: 'RouteAdded', host, netns: INGRESS_SBOX, dst: gw.subnet, via: '', dev: 'eth1', src: gip });
  p.emit({ type: 'EndpointCreated', endpointId: p.rng.hex(32), networkId: gw.id, host, sandbox: INGRESS_SBOX, containerId: '', name: 'gateway_ingress-sbox', ip: gip, mac: p.mac(gip), ifName: 'eth1' });
}

/** Endpoints of a task's sandbox, for teardown. */
export function sandboxEndpoints(s: State, host: string, sandbox: string): Endpoint[] {
  return endpointsOf(s, host, sandbox);
}
