/**
 * Local networks (libnetwork's bridge, host and null drivers): what dockerd sets up when it starts,
 * user-defined bridges, and a container's endpoint on a bridge (veth pair, address, default route, DNS).
 */
import type { Endpoint, Network, State } from '../state/types.js';
import { tget } from '../state/table.js';
import { NetPlan, rule } from './plan.js';
import { cidrString, type Cidr } from './ipam.js';

export const DEFAULT_BRIDGE_OPTIONS = (name: string): Record<string, string> => ({
  'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true',
  'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
  'com.docker.network.bridge.name': name, 'com.docker.network.driver.mtu': '1500',
});

/** The Linux bridge device of a bridge network: docker0, docker_gwbridge, or br-<id12>. */
export function bridgeDevice(n: Network): string {
  return n.options['com.docker.network.bridge.name'] ?? `br-${n.id.slice(0, 12)}`;
}

/** dockerd starting on a new host: eth0, docker0 (bridge), host and none. */
export function hostDefaults(p: NetPlan, host: string): void {
  const h = tget(p.s.hosts, host)!;
  p.emit({ type: 'LinkCreated', host, netns: '', name: 'eth0', kind: 'bridge', ifIndex: p.nextIf(host), mtu: 1500, mac: p.mac(h.ip), peer: 0, master: '' });
  p.emit({ type: 'AddressAssigned', host, netns: '', ifName: 'eth0', cidr: `${h.ip}/24` });
  const gw = h.ip.split('.').slice(0, 3).join('.') + '.1';
  p.emit({ type: 'RouteAdded', host, netns: '', dst: 'default', via: gw, dev: 'eth0', src: '' });
  createBridge(p, host, 'bridge', p.localSubnet(host)!, null, DEFAULT_BRIDGE_OPTIONS('docker0'), {}, false);
  p.createNetwork({ name: 'host', driver: 'host', scope: 'local', host, subnet: '', gateway: '', ipRange: '', vni: 0, internal: false, attachable: false, ingress: false, options: {}, labels: {} });
  p.createNetwork({ name: 'none', driver: 'null', scope: 'local', host, subnet: '', gateway: '', ipRange: '', vni: 0, internal: false, attachable: false, ingress: false, options: {}, labels: {} });
}

/** A bridge network: the network, its Linux bridge with the gateway address (hence the subnet route), NAT. */
export function createBridge(p: NetPlan, host: string, name: string, subnet: Cidr, gateway: string | null, options: Record<string, string>, labels: Record<string, string>, internal: boolean, ipRange = ''): Network {
  const gw = gateway ?? cidrString({ base: subnet.base + 1, bits: 32 }).split('/')[0]!;
  const n = p.createNetwork({ name, driver: 'bridge', scope: 'local', host, subnet: cidrString(subnet), gateway: gw, ipRange, vni: 0, internal, attachable: false, ingress: false, options, labels });
  const dev = bridgeDevice(n);
  const mtu = Number(options['com.docker.network.driver.mtu'] ?? 1500);
  p.emit({ type: 'LinkCreated', host, netns: '', name: dev, kind: 'bridge', ifIndex: p.nextIf(host), mtu, mac: p.randomMac(), peer: 0, master: '' });
  // The gateway address brings the subnet's connected route (src the gateway): derived, not recorded.
  p.emit({ type: 'AddressAssigned', host, netns: '', ifName: dev, cidr: `${gw}/${subnet.bits}` });
  if (!internal && options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false') {
    p.emit({ type: 'IptablesRuleAdded', host, netns: '', rule: rule({ table: 'nat', chain: 'POSTROUTING', src: cidrString(subnet), out: `!${dev}`, target: 'MASQUERADE' }) });
  }
  return n;
}

/** The container's sandbox (netns) name: its ID's first 12 characters, as /var/run/docker/netns shows it. */
export function sandboxOf(containerId: string): string {
  return containerId.slice(0, 12);
}

/** Endpoints of a sandbox on a host, in interface order (through the namespace's index). */
export function endpointsOf(s: State, host: string, sandbox: string): Endpoint[] {
  const ns = tget(s.netns, `${host}/${sandbox}`);
  if (!ns) return [];
  return ns.endpoints.map((id) => tget(s.endpoints, id)).filter((e): e is Endpoint => !!e)
    .sort((a, b) => a.ifName.localeCompare(b.ifName, 'en', { numeric: true }));
}

export interface VethEndpoint {
  host: string;
  sandbox: string;
  containerId: string;
  name: string;
  network: Network;
  ip: string;
  ifName: string;
  /** Where the other end of the veth lives, its name, and the bridge it is enslaved to. */
  peerNetns: string;
  peerName: string;
  master: string;
  mtu: number;
  /** Add the default route through this interface, via this gateway. */
  defaultVia: string | null;
  /** The service aliases the endpoint answers to (recorded only when there are some). */
  aliases?: string[];
}

/** A sandbox's interface: a veth pair (inside end named ifName), its address, its default route, the endpoint. */
export function vethEndpoint(p: NetPlan, o: VethEndpoint): Endpoint {
  const inner = p.nextIf(o.host);
  const outer = p.nextIf(o.host);
  const mac = p.mac(o.ip);
  p.emit({
    type: 'VethCreated', host: o.host, mtu: o.mtu,
    outer: { netns: o.peerNetns, name: o.peerName, ifIndex: outer, mac: p.randomMac(), master: o.master },
    inner: { netns: o.sandbox, name: o.ifName, ifIndex: inner, mac, master: '' },
  });
  // The address brings its connected route (the subnet, dev ifName, src ip): the kernel's, not recorded.
  p.emit({ type: 'AddressAssigned', host: o.host, netns: o.sandbox, ifName: o.ifName, cidr: p.cidrOf(o.network, o.ip) });
  if (o.defaultVia) p.emit({ type: 'RouteAdded', host: o.host, netns: o.sandbox, dst: 'default', via: o.defaultVia, dev: o.ifName, src: '' });
  const ep: Endpoint = {
    id: p.rng.hex(32), networkId: o.network.id, host: o.host, sandbox: o.sandbox, containerId: o.containerId, name: o.name,
    ip: o.ip, mac, ifName: o.ifName, peerNetns: o.peerNetns, peerName: o.peerName,
  };
  if (o.aliases?.length) ep.aliases = [...o.aliases];
  const { id, ...rest } = ep;
  p.emit({ type: 'EndpointCreated', endpointId: id, ...rest });
  return ep;
}

/** Connects a sandbox to a bridge network: veth pair, address, routes; DNS on user-defined networks. */
export function attachBridge(p: NetPlan, host: string, sandbox: string, containerId: string, name: string, n: Network, ifName: string, firstInterface: boolean, dnsNames: string[], aliases: string[] = []): Endpoint | null {
  const ip = p.allocate(n, { kind: 'container', id: containerId });
  if (!ip) return null;
  const ep = vethEndpoint(p, {
    host, sandbox, containerId, name, network: n, ip, ifName, peerNetns: '', peerName: p.vethName(), master: bridgeDevice(n),
    mtu: Number(n.options['com.docker.network.driver.mtu'] ?? 1500), defaultVia: firstInterface && !n.internal ? n.gateway : null, aliases,
  });
  // The embedded DNS serves user-defined networks only; the default bridge resolves through --link.
  if (n.options['com.docker.network.bridge.default_bridge'] !== 'true') {
    for (const d of dnsNames) p.emit({ type: 'DnsRecordAdded', networkId: n.id, name: d, ip });
  }
  return ep;
}

/**
 * Undoes an endpoint: its DNS names, its default route, both veth ends (and with the inside end its
 * address and connected route); a local network's address is released.
 */
export function detach(p: NetPlan, ep: Endpoint, dnsNames: string[]): void {
  const s = p.s;
  const n = tget(s.networks, ep.networkId);
  for (const d of dnsNames) if (tget(s.dns, `${ep.networkId}/${d}`)?.ips.includes(ep.ip)) p.emit({ type: 'DnsRecordRemoved', networkId: ep.networkId, name: d, ip: ep.ip });
  if (tget(s.routes, `${ep.host}/${ep.sandbox}/default/${ep.ifName}`)) p.emit({ type: 'RouteRemoved', host: ep.host, netns: ep.sandbox, dst: 'default', dev: ep.ifName });
  if (tget(s.links, `${ep.host}/${ep.sandbox}/${ep.ifName}`)) p.emit({ type: 'LinkRemoved', host: ep.host, netns: ep.sandbox, name: ep.ifName });
  if (tget(s.links, `${ep.host}/${ep.peerNetns}/${ep.peerName}`)) p.emit({ type: 'LinkRemoved', host: ep.host, netns: ep.peerNetns, name: ep.peerName });
  p.emit({ type: 'EndpointRemoved', endpointId: ep.id });
  // Local networks' addresses belong to the endpoint; swarm networks' to the allocator (released with the task).
  if (n && n.scope === 'local') p.release(n.id, ep.ip);
}
