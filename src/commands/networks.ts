/** docker network create / rm / connect / disconnect / prune, as dockerd and swarmkit decide them. */
import type { EngineEvent } from '../../events/index.js';
import { createBridge } from '../net/local.js';
import { meshHosts } from '../net/mesh.js';
import { teardownIngressSandbox } from '../net/overlay.js';
import { NetPlan, OVERLAY_MTU } from '../net/plan.js';
import { cidrString, contains, ipToInt, overlaps, parseCidr, type Cidr } from '../net/ipam.js';
import { isUserDefinedNetwork } from '../net/views.js';
import type { Prng } from '../sim/prng.js';
import { selectHostNode, selectLeader } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { Container, Host, Network, State } from '../state/types.js';
import { requireDaemon, NOT_A_MANAGER_WORKER, NOT_IN_SWARM, NO_LEADER } from './access.js';
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

/**
 * The network a standalone container joins (`run --network`, `network connect`), as dockerd's
 * findAndAttachNetwork finds it: a local network the daemon has is used as is. Anything else, on a
 * swarm node, is a request to the managers for a network attachment (daemon/cluster/networks.go
 * AttachNetwork → swarmkit resourceapi AttachNetwork), on managers and workers alike: the swarm network
 * is looked up by full ID, else by name when exactly one has it; it must be attachable. So a worker,
 * which lists only the overlays it already has, can still join any attachable overlay. Off the swarm,
 * a network the daemon does not have is simply not found.
 */
export function attachTarget(s: State, h: Host, ref: string): Network {
  const local = findNetwork(s, h, ref);
  if (local && local.scope === 'local') return local;
  const node = selectHostNode(s, h.name);
  if (!node) return daemon(`network ${ref} not found`);
  const fail = (msg: string): never => daemon(`Could not attach to network ${ref}: ${msg}`);
  // The request goes to the Raft leader through the node's dispatcher session.
  if (!selectLeader(s)) fail(NO_LEADER);
  const swarmNets = tvalues(s.networks).filter((n) => n.scope === 'swarm');
  const byName = swarmNets.filter((n) => n.name === ref);
  const n = swarmNets.find((x) => x.id === ref) ?? (byName.length === 1 ? byName[0] : undefined);
  if (!n) return fail(`rpc error: code = NotFound desc = network ${ref} not found`);
  if (!n.attachable) fail(`rpc error: code = PermissionDenied desc = network ${ref} not manually attachable`);
  return n;
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

/** Go's net/netip ParseAddr error for an IPv4 literal, or null when it parses (parseIPv4Fields). */
function goParseAddrError(s: string): string | null {
  const err = (msg: string, at?: string) => `ParseAddr(${JSON.stringify(s)}): ${msg}${at !== undefined ? ` (at ${JSON.stringify(at)})` : ''}`;
  if (!s.includes('.')) return err('unable to parse IP');
  let val = 0;
  let pos = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch >= '0' && ch <= '9') {
      if (digits === 1 && val === 0) return err('IPv4 field has octet with leading zero');
      val = val * 10 + Number(ch);
      digits++;
      if (val > 255) return err('IPv4 field has value >255');
    } else if (ch === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') return err('IPv4 field must have at least one digit', s.slice(i));
      if (pos === 3) return err('IPv4 address too long');
      pos++;
      val = 0;
      digits = 0;
    } else {
      return err('unexpected character', s.slice(i));
    }
  }
  return pos < 3 ? err('IPv4 address too short') : null;
}

/** Go's netip.ParsePrefix error, or null when `s` parses (docker/cli checks each --subnet with it). */
function goParsePrefixError(s: string): string | null {
  const err = (msg: string) => `netip.ParsePrefix(${JSON.stringify(s)}): ${msg}`;
  const i = s.lastIndexOf('/');
  if (i < 0) return err("no '/'");
  const addr = goParseAddrError(s.slice(0, i));
  if (addr) return err(addr);
  const bits = s.slice(i + 1);
  if (!/^(0|[1-9]\d*)$/.test(bits)) return err(`bad bits after slash: ${JSON.stringify(bits)}`);
  if (Number(bits) > 32) return err('prefix length out of range');
  return null;
}

/**
 * docker/cli's checks of --subnet/--gateway/--ip-range, before anything is sent: pflag parses --gateway
 * (IPSlice) and --ip-range (IPNetSlice, masked), then createIPAMConfig (cli/command/network/create.go).
 */
function clientIpam(input: NetworkCreateInput): { subnet: Cidr | null; gateway: string | null; range: Cidr | null } {
  for (const g of input.gateway) if (!isIPv4(g)) reject(`invalid argument "${g}" for "--gateway" flag: invalid string being converted to IP address: ${g}`);
  const ranges = input.ipRange.map((r) => {
    const c = parseCidr(r);
    if (!c) reject(`invalid argument "${r}" for "--ip-range" flag: invalid CIDR address: ${r}`);
    const size = 2 ** (32 - c.bits);
    return { base: c.base - (c.base % size), bits: c.bits };
  });
  if (input.subnet.length < input.ipRange.length || input.subnet.length < input.gateway.length) reject('every ip-range or gateway must have a corresponding subnet');
  for (const sn of input.subnet) {
    const e = goParsePrefixError(sn);
    if (e) reject(e);
  }
  if (input.subnet.length > 1) reject('multiple subnets are not supported by the simulated IPAM (give one --subnet)');
  const subnet = input.subnet[0] ? parseCidr(input.subnet[0])! : null;
  const masked = subnet ? { base: subnet.base - (subnet.base % 2 ** (32 - subnet.bits)), bits: subnet.bits } : null;
  const range = ranges[0] ?? null;
  if (range && masked && !contains(masked, range.base)) reject(`no matching subnet for range ${cidrString(range)}`);
  const gateway = input.gateway[0] ?? null;
  if (gateway && masked && !contains(masked, ipToInt(gateway))) reject(`no matching subnet for gateway ${gateway}`);
  return { subnet, gateway, range };
}

/** dockerd's validateIpamConfig (moby daemon/network.go): a subnet with host bits set is refused. */
function daemonIpam(subnet: Cidr | null, raw: string): void {
  if (!subnet) return;
  const size = 2 ** (32 - subnet.bits);
  if (subnet.base % size !== 0) daemon(`invalid network config:\ninvalid subnet ${raw}: it should be ${cidrString({ base: subnet.base - (subnet.base % size), bits: subnet.bits })}`);
}

export function decideNetworkCreate(s: State, h: Host, input: NetworkCreateInput, rng: Prng): EngineEvent[] {
  requireDaemon(h);
  const { subnet, gateway, range } = clientIpam(input);
  const driver = input.driver;
  const node = selectHostNode(s, h.name);
  // The router first looks the name up among the swarm's networks (network_routes.go postNetworkCreate).
  if (node?.role === 'manager' && tvalues(s.networks).some((n) => n.scope === 'swarm' && n.name === input.name)) daemon(`network with name ${input.name} already exists`);
  if (PREDEFINED.has(input.name)) daemon(`operation is not permitted on predefined ${input.name} network `);
  // moby cluster errNoManager: a worker is told it is one; a host outside any swarm, to join one.
  if (driver === 'overlay' && node?.role !== 'manager') daemon(node ? NOT_A_MANAGER_WORKER : NOT_IN_SWARM);
  daemonIpam(subnet, input.subnet[0] ?? '');
  // libnetwork's Controller.NewNetwork: the name, then the driver, then the ingress scope.
  if (networksOn(s, h).some((n) => n.name === input.name)) daemon(`network with name ${input.name} already exists`);
  if (!['bridge', 'overlay', 'host', 'null', 'macvlan', 'ipvlan'].includes(driver)) daemon(`plugin "${driver}" not found`);
  if (driver === 'macvlan' || driver === 'ipvlan') reject(`the ${driver} driver is not simulated`);
  if (input.ingress && driver !== 'overlay') daemon('Ingress network can only be global scope network');
  if (driver === 'host' || driver === 'null') daemon(`only one instance of "${driver}" network is allowed`);
  const ne = nameError(input.name);
  if (ne && driver === 'overlay') rpc('InvalidArgument', ne);
  const p = new NetPlan(s, rng);
  if (driver === 'bridge') {
    const used = p.networks().filter((n) => n.scope === 'local' && n.host === h.name && n.subnet).map((n) => parseCidr(n.subnet)!);
    if (subnet && used.some((u) => overlaps(u, subnet))) daemon('invalid pool request: Pool overlaps with other one on this address space');
    const sub = subnet ?? p.localSubnet(h.name) ?? daemon('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
    const options = { ...input.options };
    createBridge(p, h.name, input.name, sub, gateway, options, input.labels, input.internal, range ? cidrString(range) : '');
    return p.events;
  }
  // overlay: swarm-scoped, created through the managers.
  // swarmkit controlapi CreateNetwork: validateNetworkSpec first, then the one-ingress rule.
  if (input.ingress && input.attachable) rpc('InvalidArgument', 'ingress network cannot be attachable');
  if (input.ingress) {
    const existing = tvalues(s.networks).find((n) => n.ingress);
    if (existing) rpc('AlreadyExists', `ingress network (${existing.id}) is already present`);
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
    if (!node || node.role !== 'manager') daemon(node ? NOT_A_MANAGER_WORKER : NOT_IN_SWARM);
    // swarmkit controlapi removeNetwork / removeIngressNetwork: services (by ID), then tasks by task ID.
    for (const svc of tvalues(s.services).sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (n.ingress && svc.endpointPorts.some((p) => p.publishMode === 'ingress')) rpc('FailedPrecondition', `ingress network cannot be removed because service ${svc.id} depends on it`);
      if (svc.spec.networks.includes(n.id)) rpc('FailedPrecondition', `network ${n.id} is in use by service ${svc.id}`);
    }
    const c = tvalues(s.endpoints).find((e) => e.networkId === n.id && e.containerId);
    if (c) rpc('FailedPrecondition', `network ${n.id} is in use by task ${tvalues(s.tasks).find((t) => t.containerId === c.containerId)?.id ?? c.containerId}`);
    if (n.ingress) {
      // The routing mesh goes with it: every node's ingress sandbox is torn down.
      const p = new NetPlan(s, rng);
      for (const host of meshHosts(s)) teardownIngressSandbox(p, host, n);
      return [...p.events, ...removeNetworkEvents(s, n).filter((e) => !(e.type === 'AddressReleased' && p.events.some((x) => x.type === 'AddressReleased' && x.ip === e.ip && x.networkId === e.networkId)))];
    }
  } else {
    const u = users(s, n);
    if (u.length) daemon(`error while removing network: network ${n.name} has active endpoints (${u.map((x) => `name:"${x}" id:"${tvalues(s.endpoints).find((e) => e.name === x && e.networkId === n.id)!.id.slice(0, 12)}"`).join(', ')})`);
    // A stopped container has no endpoint: it does not hold the network (libnetwork counts endpoints).
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
    // Explicit routes through the bridge, if any; its connected route goes with the link (derived, not recorded).
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

export function decideConnect(s: State, h: Host, c: Container, ref: string, aliases: string[] = []): EngineEvent[] {
  // A swarm network the container is already on is found locally first: dockerd refuses before asking
  // the managers for another attachment (findAndAttachNetwork).
  const onIt = findNetwork(s, h, ref);
  if (onIt && onIt.scope === 'swarm' && c.networks.includes(onIt.id)) daemon(`${c.name} is already attached to network ${onIt.name}`);
  const n = attachTarget(s, h, ref);
  if (n.driver === 'host' || n.driver === 'null') daemon(`container cannot be disconnected from host network or connected to host network`);
  if (c.networks.includes(n.id)) daemon(`endpoint with name ${c.name} already exists in network ${n.name}`);
  if (c.networks.some((id) => tget(s.networks, id)?.driver === 'host')) daemon('container sharing network namespace with another container or host cannot be connected to any other network');
  // daemon updateNetworkConfig → validateEndpointSettings.
  if (aliases.length && !isUserDefinedNetwork(n)) daemon('invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks');
  const all = { ...(c.aliases ?? {}), ...(aliases.length ? { [n.id]: [...aliases] } : {}) };
  return [{ type: 'ContainerNetworksChanged', containerId: c.id, networks: [...c.networks, n.id], ...(Object.keys(all).length ? { aliases: all } : {}) }];
}

export function decideDisconnect(s: State, h: Host, c: Container, ref: string): EngineEvent[] {
  const n = resolveNetwork(s, h, ref);
  if (!c.networks.includes(n.id)) daemon(`container ${c.id} is not connected to network ${n.name}`);
  const rest = Object.fromEntries(Object.entries(c.aliases ?? {}).filter(([id]) => id !== n.id));
  return [{ type: 'ContainerNetworksChanged', containerId: c.id, networks: c.networks.filter((x) => x !== n.id), ...(Object.keys(rest).length ? { aliases: rest } : {}) }];
}

/**
 * `network prune` (moby daemon/prune.go): on a manager first the swarm networks no service or task uses
 * (never the ingress; swarmkit's list order, by ID), then the host's local networks that are not
 * predefined and have no endpoint left (docker_gwbridge included, once nothing is attached to it).
 */
export function decideNetworkPrune(s: State, h: Host): { events: EngineEvent[]; names: string[] } {
  const node = selectHostNode(s, h.name);
  const cluster = node?.role === 'manager'
    ? tvalues(s.networks).filter((n) => n.scope === 'swarm' && !n.ingress
      && !tvalues(s.services).some((svc) => svc.spec.networks.includes(n.id))
      && !tvalues(s.endpoints).some((e) => e.networkId === n.id && e.containerId)
      && !tvalues(s.containers).some((c) => c.networks.includes(n.id)))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
    : [];
  // moby daemon/prune.go: a local network goes when it has no endpoint (a stopped container has none).
  const local = networksOn(s, h).filter((n) => n.scope === 'local' && !PREDEFINED.has(n.name)
    && !tvalues(s.endpoints).some((e) => e.networkId === n.id))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const gone = [...cluster, ...local];
  return { events: gone.flatMap((n) => removeNetworkEvents(s, n)), names: gone.map((n) => n.name) };
}

export { OVERLAY_MTU };
