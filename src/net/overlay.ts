/**
 * Swarm networking on a node (libnetwork's overlay driver and service code): docker_gwbridge, the
 * ingress sandbox, an overlay's namespace created on demand (`1-<id>` with br0 and vxlan0), and a
 * task's sandbox with one interface per overlay plus its leg on docker_gwbridge.
 */
import { tget } from '../state/table.js';
import type { Endpoint, Network } from '../state/types.js';
import { createBridge, detach, endpointsOf, vethEndpoint } from './local.js';
import { NetPlan, OVERLAY_MTU } from './plan.js';

export const GWBRIDGE = 'docker_gwbridge';
export const INGRESS_SBOX = 'ingress_sbox';

/** The overlay's namespace on a node: "1-" + the network ID, cut to 12 characters (osl.GenerateKey). */
export function overlayNs(n: Network | string): string {
  return `1-${typeof n === 'string' ? n : n.id}`.slice(0, 12);
}

export function overlayMtu(n: Network): number {
  const base = Number(n.options['com.docker.network.driver.mtu'] ?? n.options['com.docker.network.mtu'] ?? 1500);
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
  for (const e of p.plannedIn(host, ns)) {
    if (e.type === 'LinkCreated') used.add(e.name);
    else if (e.type === 'LinkRemoved') used.delete(e.name);
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

/** A sandbox's interface on an overlay: a veth whose other end is enslaved to br0 in the overlay namespace. */
export function attachOverlay(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, n: Network, ip: string, ifName: string): Endpoint {
  const ns = ensureOverlayNs(p, host, n);
  const used = linkNames(p, host, ns);
  let i = 0;
  while (used.has(`veth${i}`)) i++;
  return vethEndpoint(p, { host, sandbox, containerId, name, network: n, ip, ifName, peerNetns: ns, peerName: `veth${i}`, master: 'br0', mtu: overlayMtu(n), defaultVia: null });
}

/** The leg on docker_gwbridge that gives a sandbox on overlays its default route (north–south). */
export function attachGateway(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, ifName: string): Endpoint | null {
  const gw = ensureGwbridge(p, host);
  const ip = p.allocate(gw, { kind: 'container', id: containerId || sandbox });
  if (!ip) return null;
  return vethEndpoint(p, { host, sandbox, containerId, name, network: gw, ip, ifName, peerNetns: '', peerName: p.vethName(), master: GWBRIDGE, mtu: 1500, defaultVia: gw.gateway });
}

/** The node's ingress sandbox: eth0 on ingress (its node attachment address), eth1 on docker_gwbridge. */
export function setupIngressSandbox(p: NetPlan, host: string, ingress: Network, ip: string): { gwIp: string } | null {
  if (p.hasNetns(host, INGRESS_SBOX)) return null;
  p.emit({ type: 'NetnsCreated', host, netns: INGRESS_SBOX });
  attachOverlay(p, host, INGRESS_SBOX, '', 'ingress-endpoint', ingress, ip, 'eth0');
  const gw = attachGateway(p, host, INGRESS_SBOX, '', 'gateway_ingress-sbox', 'eth1');
  return gw ? { gwIp: gw.ip } : null;
}

/** Removes a node's ingress sandbox (the ingress network is being replaced). */
export function teardownIngressSandbox(p: NetPlan, host: string, ingress: Network): void {
  if (!tget(p.s.netns, `${host}/${INGRESS_SBOX}`)) return;
  for (const ep of endpointsOf(p.s, host, INGRESS_SBOX)) detach(p, ep, []);
  releaseOverlayNs(p, host, ingress);
  p.emit({ type: 'NetnsRemoved', host, netns: INGRESS_SBOX });
}
