/** docker network create / rm / connect / disconnect / prune, as dockerd and swarmkit decide them. */
import type { EngineEvent } from '../../events/index.js';
import { createBridge } from '../net/local.js';
import { meshHosts } from '../net/mesh.js';
import { teardownIngressSandbox } from '../net/overlay.js';
import { NetPlan, OVERLAY_MTU } from '../net/plan.js';
import { cidrString, contains, ipToInt, overlaps, parseCidr, type Cidr } from '../net/ipam.js';
import type { Prng } from '../sim/prng.js';
import { selectHostNode } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { Container, Host, Network, State } from '../state/types.js';
import { requireDaemon, NOT_IN_SWARM } from './access.js';
import { nameError } from './parse.js';
import { daemon, reject, rpc } from './rejection.js';
import { isIPv4 } from './units.js';

export const PREDEFINED = new Set(['bridge', 'host', 'none']);

/** The networks a host's daemon sees: its local ones and the swarm's (a worker sees only those it has, plus ingress). */
export function networksOn(s: State, h: Host): Network[] {
  const node = selectHostNode(s, h.name);
  const isManager = node?.role === 'manager';
  return tvalues(s.networks).filter((n) => {
    if (n.scope === 'local') return n.host === h.name;
    if (!node) return false;
    return isManager || n.ingress || tvalues(s.endpoints).some((e) => e.host === h.name && e.networkId === n.id);
  });
}

/** Docker's network lookup: full ID, then name, then unique ID prefix. */
export function findNetwork(s: State, h: Host, ref: string): Network | undefined {
  const all = networksOn(s, h);
  return all.find((n) => n.id === ref) ?? all.find((n) => n.name === ref) ?? (() => {
    const p = all.filter((n) => n.id.startsWith(ref));
    return p.length === 1 ? p[0] : undefined;
  })();
}

export function resolveNetwork(s: State, h: Host, ref: string): Network {
  return findNetwork(s, h, ref) ?? daemon(`network ${ref} not found`);
}

export interface NetworkCreateInput {
  name: string;
  driver: string;
  subnet: string[];
  gateway: string[];
  ipRange: string[];
  attachable: boolean;
  internal: boolean;
  ingress: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
}

/** docker/cli's client-side checks of --subnet/--gateway/--ip-range (create.go consolidateIpam). */
function ipamConfig(input: NetworkCreateInput): { subnet: Cidr | null; gateway: string | null; range: Cidr | null } {
  if (input.subnet.length > 1) reject('multiple subnets are not supported by the simulated IPAM (give one --subnet)');
  if (input.gateway.length > input.subnet.length || input.ipRange.length > input.subnet.length) {
    reject(input.gateway.length > input.subnet.length ? `every ip-range or gateway must have a corresponding subnet` : `every ip-range or gateway must have a corresponding subnet`);
  }
  const subnet = input.subnet[0] ? parseCidr(input.subnet[0]) : null;
  if (input.subnet[0] && !subnet) reject(`invalid argument "${input.subnet[0]}" for "--subnet" flag: invalid CIDR address: ${input.subnet[0]}`);
  if (subnet && (subnet.base % 2 ** (32 - subnet.bits)) !== 0) {
    rpc('InvalidArgument', `invalid pool request: Invalid Address/Mask: ${input.subnet[0]}`);
  }
  const gateway = input.gateway[0] ?? null;
  if (gateway && !isIPv4(gateway)) reject(`invalid argument "${gateway}" for "--gateway" flag: invalid string being converted to IP address: ${gateway}`);
  if (gateway && subnet && !contains(subnet, ipToInt(gateway))) reject(`no matching subnet for gateway ${gateway}`);
  const range = input.ipRange[0] ? parseCidr(input.ipRange[0]) : null;
  if (input.ipRange[0] && !range) reject(`invalid argument "${input.ipRange[0]}" for "--ip-range" flag: invalid CIDR address: ${input.ipRange[0]}`);
  if (range && subnet && !(contains(subnet, range.base) && range.bits >= subnet.bits)) reject(`no matching subnet for range ${input.ipRange[0]}`);
  return { subnet, gateway, range };
}

export function decideNetworkCreate(s: State, h: Host, input: NetworkCreateInput, rng: Prng): EngineEvent[] {
  requireDaemon(h);
  const driver = input.driver;
  if (!['bridge', 'overlay', 'host', 'null', 'macvlan', 'ipvlan'].includes(driver)) daemon(`plugin "${driver}" not found`);
  if (driver === 'macvlan' || driver === 'ipvlan') reject(`the ${driver} driver is not simulated`);
  if (PREDEFINED.has(input.name)) daemon(`operation is not permitted on predefined ${input.name} network `);
  if (driver === 'host' || driver === 'null') daemon(`only one instance of "${driver}" network is allowed`);
  const ne = nameError(input.name);
  if (ne && driver === 'overlay') rpc('InvalidArgument', ne);
  const { subnet, gateway, range } = ipamConfig(input);
  const node = selectHostNode(s, h.name);
  if (networksOn(s, h).some((n) => n.name === input.name) || (driver === 'overlay' && tvalues(s.networks).some((n) => n.scope === 'swarm' && n.name === input.name))) {
    daemon(`network with name ${input.name} already exists`);
  }
  const p = new NetPlan(s, rng);
  if (driver === 'bridge') {
    if (input.ingress) daemon('only overlay networks can be created as ingress networks');
    const used = p.networks().filter((n) => n.scope === 'local' && n.host === h.name && n.subnet).map((n) => parseCidr(n.subnet)!);
    if (subnet && used.some((u) => overlaps(u, subnet))) daemon('invalid pool request: Pool overlaps with other one on this address space');
    const sub = subnet ?? p.localSubnet(h.name) ?? daemon('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    const options = { ...input.options };
    createBridge(p, h.name, input.name, sub, gateway, options, input.labels, input.internal, range ? cidrString(range) : '');
    return p.events;
  }
  // overlay: swarm-scoped, created through the managers.
  if (!node) daemon(NOT_IN_SWARM);
  if (node.role !== 'manager') daemon(NOT_IN_SWARM);
  if (input.ingress) {
    const existing = tvalues(s.networks).find((n) => n.ingress);
    if (existing) rpc('AlreadyExists', `ingress network (${existing.id}) is already present`);
    if (input.attachable) rpc('InvalidArgument', 'ingress network cannot be attachable');
  }
  const used = p.networks().filter((n) => n.scope === 'swarm' && n.subnet).map((n) => parseCidr(n.subnet)!);
  if (subnet && used.some((u) => overlaps(u, subnet))) rpc('InvalidArgument', `invalid pool request: Pool overlaps with other one on this address space`);
  const sub = subnet ?? p.globalSubnet() ?? rpc('ResourceExhausted', 'could not find an available IP while allocating VIP');
  const fixedVni = input.options['com.docker.network.driver.overlay.vxlanid_list'];
  const vni = fixedVni ? Number(fixedVni) : p.nextVni();
  const options: Record<string, string> = { ...input.options, 'com.docker.network.driver.overlay.vxlanid_list': String(vni) };
  p.createNetwork({
    name: input.name, driver: 'overlay', scope: 'swarm', host: null, subnet: cidrString(sub),
    gateway: gateway ?? cidrString({ base: sub.base + 1, bits: 32 }).split('/')[0]!, ipRange: range ? cidrString(range) : '', vni,
    internal: input.internal, attachable: input.attachable, ingress: input.ingress, options, labels: input.labels,
  });
  return p.events;
}

/** Endpoints (active containers or tasks) on a network, for `network rm`. */
function users(s: State, n: Network): string[] {
  return tvalues(s.endpoints).filter((e) => e.networkId === n.id && e.containerId).map((e) => e.name).sort();
}

export function decideNetworkRm(s: State, h: Host, ref: string, rng: Prng): EngineEvent[] {
  requireDaemon(h);
  const n = findNetwork(s, h, ref);
  if (!n) daemon(`network ${ref} not found`);
  if (PREDEFINED.has(n.name) && n.scope === 'local') daemon(`${n.name} is a pre-defined network and cannot be removed`);
  if (n.scope === 'swarm') {
    const node = selectHostNode(s, h.name);
    if (!node || node.role !== 'manager') daemon(NOT_IN_SWARM);
    for (const svc of tvalues(s.services).sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (n.ingress && svc.endpointPorts.some((p) => p.publishMode === 'ingress')) rpc('FailedPrecondition', `ingress network cannot be removed because service ${svc.id} depends on it`);
      if (svc.spec.networks.includes(n.id)) rpc('FailedPrecondition', `network ${n.id} is in use by service ${svc.id}`);
    }
    const c = tvalues(s.endpoints).find((e) => e.networkId === n.id && e.containerId);
    if (c) rpc('FailedPrecondition', `network ${n.id} is in use by task ${c.containerId}`);
    if (n.ingress) {
      // The routing mesh goes with it: every node's ingress sandbox is torn down.
      const p = new NetPlan(s, rng);
      for (const host of meshHosts(s)) teardownIngressSandbox(p, host, n);
      return [...p.events, ...removeNetworkEvents(s, n).filter((e) => !(e.type === 'AddressReleased' && p.events.some((x) => x.type === 'AddressReleased' && x.ip === e.ip && x.networkId === e.networkId)))];
    }
  } else {
    const u = users(s, n);
    if (u.length) daemon(`error while removing network: network ${n.name} has active endpoints (${u.map((x) => `name:"${x}" id:"${tvalues(s.endpoints).find((e) => e.name === x && e.networkId === n.id)!.id.slice(0, 12)}"`).join(', ')})`);
    const stopped = tvalues(s.containers).filter((c) => c.networks.includes(n.id));
    if (stopped.length) daemon(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
  }
  return removeNetworkEvents(s, n);
}

/** The network and what it left behind (its bridge device, NAT rule, gateway address). */
export function removeNetworkEvents(s: State, n: Network): EngineEvent[] {
  const out: EngineEvent[] = [];
  if (n.scope === 'local' && n.driver === 'bridge' && n.host) {
    const dev = n.options['com.docker.network.bridge.name'] ?? `br-${n.id.slice(0, 12)}`;
    for (const r of tvalues(s.rules).filter((x) => x.host === n.host && x.netns === '' && (x.rule.out === `!${dev}` || x.rule.in === dev || x.rule.out === dev))) {
      out.push({ type: 'IptablesRuleRemoved', host: n.host, netns: '', rule: r.rule });
    }
    for (const r of tvalues(s.routes).filter((x) => x.host === n.host && x.netns === '' && x.dev === dev)) out.push({ type: 'RouteRemoved', host: n.host, netns: '', dst: r.dst, dev });
    if (tget(s.links, `${n.host}//${dev}`)) out.push({ type: 'LinkRemoved', host: n.host, netns: '', name: dev });
  }
  // Task and VIP addresses are the allocator's to release (with their task or service, in this batch or later).
  for (const a of tvalues(s.addresses).filter((x) => x.networkId === n.id && x.owner.kind !== 'task' && x.owner.kind !== 'vip')) {
    out.push({ type: 'AddressReleased', networkId: n.id, ip: a.ip });
  }
  out.push({ type: 'NetworkRemoved', networkId: n.id });
  return out;
}

export function decideConnect(s: State, h: Host, c: Container, ref: string): EngineEvent[] {
  const n = resolveNetwork(s, h, ref);
  if (n.scope === 'swarm' && !n.attachable) rpc('PermissionDenied', `network ${n.name} not manually attachable`);
  if (n.driver === 'host' || n.driver === 'null') daemon(`container cannot be disconnected from host network or connected to host network`);
  if (c.networks.includes(n.id)) daemon(`endpoint with name ${c.name} already exists in network ${n.name}`);
  if (c.networks.some((id) => tget(s.networks, id)?.driver === 'host')) daemon('container sharing network namespace with another container or host cannot be connected to any other network');
  return [{ type: 'ContainerNetworksChanged', containerId: c.id, networks: [...c.networks, n.id] }];
}

export function decideDisconnect(s: State, h: Host, c: Container, ref: string): EngineEvent[] {
  const n = resolveNetwork(s, h, ref);
  if (!c.networks.includes(n.id)) daemon(`container ${c.id} is not connected to network ${n.name}`);
  return [{ type: 'ContainerNetworksChanged', containerId: c.id, networks: c.networks.filter((x) => x !== n.id) }];
}

/** `network prune`: user-defined local networks no container uses. */
export function decideNetworkPrune(s: State, h: Host): { events: EngineEvent[]; names: string[] } {
  const unused = networksOn(s, h).filter((n) => n.scope === 'local' && !PREDEFINED.has(n.name) && n.name !== 'docker_gwbridge'
    && !tvalues(s.containers).some((c) => c.networks.includes(n.id)) && users(s, n).length === 0)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { events: unused.flatMap((n) => removeNetworkEvents(s, n)), names: unused.map((n) => n.name) };
}

export { OVERLAY_MTU };
