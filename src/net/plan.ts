/**
 * NetPlan: builds the events of one network change (a network created, a sandbox attached…) against the
 * state, remembering what it already allocated in this batch (addresses, interface indexes) so that
 * several allocations can be planned before the reducers apply any of them. Pure apart from its own
 * bookkeeping; every random choice comes from the batch's PRNG.
 */
import type { AddressOwner, EngineEvent, IptablesRule, NetworkCreated } from '../../events/index.js';
import { localId, swarmId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { FIRST_FWMARK, ruleKey } from '../state/kernel.js';
import { FIRST_VNI, firstFreeVni, isLbSandbox, MAX_VNI } from '../state/networks.js';
import { tget, tvalues } from '../state/table.js';
import type { Endpoint, IpvsService, Network, State } from '../state/types.js';
import { cidrString, firstFit, globalPools, intToIp, ipToInt, localPools, macOf, nextAddress, parseCidr, type Cidr } from './ipam.js';

export const OVERLAY_MTU = 1450;
export { FIRST_VNI };

export function rule(r: Partial<IptablesRule> & Pick<IptablesRule, 'table' | 'chain' | 'target'>): IptablesRule {
  return { proto: 'all', src: '0.0.0.0/0', dst: '0.0.0.0/0', dport: 0, sport: 0, in: '*', out: '*', match: '', targetArg: '', ...r };
}

/** A load-balancer sandbox's own endpoint on its network (and, for ingress_sbox, its docker_gwbridge address). */
export interface LbEndpoint {
  id: string;
  ip: string;
  /** The network's subnet (the connected route of its address in the sandbox; the SNAT rule's destination). */
  subnet: string;
  ifName: string;
  /** Its veth's other end in the overlay namespace. */
  peerName: string;
  gwIp: string | null;
}

/** A link created or removed in a namespace by the batch (not applied yet). */
export interface PlannedLink {
  name: string;
  created: boolean;
}

/**
 * What a batch has planned but not applied yet. The reactor applies events in FIFO order, so a controller
 * reacting to one event does not see what it (or another) planned for earlier ones still in the queue.
 * Every NetPlan of a batch shares this ledger, and NetPlan.emit folds each planned event into it, so a
 * query (an address taken? a rule present? a load balancer on that node?) answers for the state as it
 * will be once everything planned so far is applied.
 */
export class Ledger {
  readonly taken = new Map<string, Set<number>>();
  readonly cursors = new Map<string, { next: number; released: number[] }>();
  readonly ifIndex = new Map<string, number>();
  readonly newNetworks = new Map<string, Network>();
  /** Links created (true) or removed (false) by this batch, in order, keyed by namespace `host/netns`. */
  readonly links = new Map<string, PlannedLink[]>();
  /** Namespaces created (true) or removed (false) by this batch, keyed `host/name`. */
  readonly netns = new Map<string, boolean>();
  /** iptables rules added (true) or removed (false), by kernel ruleKey. */
  readonly rules = new Map<string, boolean>();
  /** Load balancers added or removed (null), keyed `host/netns/serviceId`. */
  readonly lbs = new Map<string, IpvsService | null>();
  /** Services with a load balancer in a namespace, keyed `host/netns` (the state's list, then planned changes). */
  readonly nsLbs = new Map<string, Set<string>>();
  /** The next firewall mark of a host. */
  readonly fwmark = new Map<string, number>();
  /** A service's backends on a network, keyed `networkId/serviceId`. */
  readonly backends = new Map<string, Set<string>>();
  /** The services with backends on a network, and the hosts with its load-balancer sandbox. */
  readonly netServices = new Map<string, Set<string>>();
  readonly netHosts = new Map<string, Set<string>>();
  /** Endpoints created or removed (null). */
  readonly endpoints = new Map<string, Endpoint | null>();
  /** Load-balancer sandboxes' endpoints created in this batch, keyed `host/netns`. */
  readonly lbEndpoints = new Map<string, LbEndpoint>();
  /** Owners of addresses allocated or released (null), keyed `networkId/ip`. */
  readonly owners = new Map<string, AddressOwner | null>();
  /** Node attachments allocated (their address) or released (null), keyed `nodeId/networkId`. */
  readonly attachments = new Map<string, string | null>();
  /** The manager's next VNI to try (0: not read from the state yet). */
  vni = 0;
  /** Tasks the reaper asked to delete in this batch (queued, maybe not applied yet). */
  readonly reaped = new Set<string>();
  /** Tasks whose addresses could not all be allocated in this batch: they stay NEW. */
  readonly unallocated = new Set<string>();
  /** Tasks the network allocator allocated on a retry, for the allocator to admit (NEW → PENDING), in order. */
  readonly admitted: string[] = [];
  /** An address was released in this batch: the allocator retries the tasks it could not allocate. */
  released = false;
}

export class NetPlan {
  readonly events: EngineEvent[] = [];
  private readonly taken: Map<string, Set<number>>;
  private readonly cursors: Map<string, { next: number; released: number[] }>;
  private readonly ifIndex: Map<string, number>;
  private readonly newNetworks: Map<string, Network>;

  constructor(readonly s: State, readonly rng: Prng, readonly ledger: Ledger = new Ledger()) {
    this.taken = ledger.taken;
    this.cursors = ledger.cursors;
    this.ifIndex = ledger.ifIndex;
    this.newNetworks = ledger.newNetworks;
  }

  emit(...e: EngineEvent[]): void {
    for (const x of e) {
      this.events.push(x);
      this.note(x);
    }
  }

  /** Folds a planned event into the ledger. */
  private note(x: EngineEvent): void {
    const L = this.ledger;
    switch (x.type) {
      case 'NetnsCreated':
      case 'NetnsRemoved':
        L.netns.set(`${x.host}/${x.netns}`, x.type === 'NetnsCreated');
        return;
      case 'LinkCreated':
      case 'LinkRemoved':
        this.noteLink(x.host, x.netns, x.name, x.type === 'LinkCreated');
        return;
      case 'VethCreated':
        this.noteLink(x.host, x.outer.netns, x.outer.name, true);
        this.noteLink(x.host, x.inner.netns, x.inner.name, true);
        return;
      case 'IptablesRuleAdded':
      case 'IptablesRuleRemoved':
        L.rules.set(ruleKey(x.host, x.netns, x.rule), x.type === 'IptablesRuleAdded');
        return;
      case 'IpvsServiceAdded': {
        const { type: _t, ...lb } = x;
        L.lbs.set(`${x.host}/${x.netns}/${x.serviceId}`, lb);
        this.lbSet(x.host, x.netns).add(x.serviceId);
        L.fwmark.set(x.host, Math.max(this.peekFwmark(x.host), x.fwmark + 1));
        return;
      }
      case 'IpvsServiceRemoved':
        L.lbs.set(`${x.host}/${x.netns}/${x.serviceId}`, null);
        this.lbSet(x.host, x.netns).delete(x.serviceId);
        return;
      case 'LbBackendAdded': {
        const b = this.backendSet(x.networkId, x.serviceId);
        if (b.size === 0) this.netSet(L.netServices, x.networkId, 'services').add(x.serviceId);
        b.add(x.ip);
        return;
      }
      case 'LbBackendRemoved': {
        const b = this.backendSet(x.networkId, x.serviceId);
        b.delete(x.ip);
        if (b.size === 0) this.netSet(L.netServices, x.networkId, 'services').delete(x.serviceId);
        return;
      }
      case 'EndpointCreated': {
        const { type: _t, endpointId, ...rest } = x;
        L.endpoints.set(endpointId, { id: endpointId, ...rest });
        if (isLbSandbox(x.sandbox) && !x.containerId) this.netSet(L.netHosts, x.networkId, 'hosts').add(x.host);
        return;
      }
      case 'EndpointRemoved': {
        const ep = this.endpoint(x.endpointId);
        L.endpoints.set(x.endpointId, null);
        if (ep && isLbSandbox(ep.sandbox) && !ep.containerId) this.netSet(L.netHosts, ep.networkId, 'hosts').delete(ep.host);
        return;
      }
      case 'AddressAllocated':
        L.owners.set(`${x.networkId}/${x.ip}`, x.owner);
        if (x.owner.kind === 'node') L.attachments.set(`${x.owner.id}/${x.networkId}`, x.ip);
        return;
      case 'AddressReleased': {
        L.released = true;
        const owner = this.ownerOf(x.networkId, x.ip);
        L.owners.set(`${x.networkId}/${x.ip}`, null);
        if (owner?.kind === 'node') L.attachments.set(`${owner.id}/${x.networkId}`, null);
        return;
      }
      default:
        return;
    }
  }

  private noteLink(host: string, netns: string, name: string, created: boolean): void {
    const k = `${host}/${netns}`;
    const list = this.ledger.links.get(k);
    if (list) list.push({ name, created });
    else this.ledger.links.set(k, [{ name, created }]);
  }

  private lbSet(host: string, netns: string): Set<string> {
    const k = `${host}/${netns}`;
    let set = this.ledger.nsLbs.get(k);
    if (!set) this.ledger.nsLbs.set(k, (set = new Set(tget(this.s.netns, k)?.lbs ?? [])));
    return set;
  }

  private backendSet(networkId: string, serviceId: string): Set<string> {
    const k = `${networkId}/${serviceId}`;
    let set = this.ledger.backends.get(k);
    if (!set) this.ledger.backends.set(k, (set = new Set(tget(this.s.backends, k)?.ips ?? [])));
    return set;
  }

  private netSet(map: Map<string, Set<string>>, networkId: string, field: 'hosts' | 'services'): Set<string> {
    let set = map.get(networkId);
    if (!set) map.set(networkId, (set = new Set(tget(this.s.netlb, networkId)?.[field] ?? [])));
    return set;
  }

  private peekFwmark(host: string): number {
    return this.ledger.fwmark.get(host) ?? tget(this.s.hosts, host)?.nextFwmark ?? FIRST_FWMARK;
  }

  /** Does the namespace exist once this batch's planned changes apply? */
  hasNetns(host: string, name: string): boolean {
    const planned = this.ledger.netns.get(`${host}/${name}`);
    return planned ?? tget(this.s.netns, `${host}/${name}`) !== undefined;
  }

  /** Link changes planned in this batch (not applied yet) in a namespace, in order. */
  plannedIn(host: string, netns: string): readonly PlannedLink[] {
    return this.ledger.links.get(`${host}/${netns}`) ?? [];
  }

  hasRule(host: string, netns: string, r: IptablesRule): boolean {
    const k = ruleKey(host, netns, r);
    return this.ledger.rules.get(k) ?? tget(this.s.rules, k) !== undefined;
  }

  addRule(host: string, netns: string, r: IptablesRule): void {
    if (!this.hasRule(host, netns, r)) this.emit({ type: 'IptablesRuleAdded', host, netns, rule: r });
  }

  removeRule(host: string, netns: string, r: IptablesRule): void {
    if (this.hasRule(host, netns, r)) this.emit({ type: 'IptablesRuleRemoved', host, netns, rule: r });
  }

  /** A host's load balancer for a service in a namespace. */
  lb(host: string, netns: string, serviceId: string): IpvsService | undefined {
    const planned = this.ledger.lbs.get(`${host}/${netns}/${serviceId}`);
    if (planned !== undefined) return planned ?? undefined;
    return tget(this.s.ipvs, `${host}/${netns}/${serviceId}`);
  }

  /** The services with a load balancer in a namespace, in the order they were programmed. */
  lbsIn(host: string, netns: string): string[] {
    return [...this.lbSet(host, netns)];
  }

  /** Hands out the host's next firewall mark (libnetwork fwMarkCtr++). */
  nextFwmark(host: string): number {
    const m = this.peekFwmark(host);
    this.ledger.fwmark.set(host, m + 1);
    return m;
  }

  /** The host's daemon restarted: its firewall-mark counter is 256 again (the reducer resets the state's). */
  resetFwmark(host: string): void {
    this.ledger.fwmark.delete(host);
  }

  backends(networkId: string, serviceId: string): ReadonlySet<string> {
    return this.backendSet(networkId, serviceId);
  }

  /** Services with backends on a network, in the order their first backend appeared. */
  netServices(networkId: string): string[] {
    return [...this.netSet(this.ledger.netServices, networkId, 'services')];
  }

  /** Hosts with the network's load-balancer sandbox, in the order they joined (not kept for the ingress). */
  netHosts(networkId: string): string[] {
    return [...this.netSet(this.ledger.netHosts, networkId, 'hosts')];
  }

  endpoint(id: string): Endpoint | undefined {
    const planned = this.ledger.endpoints.get(id);
    if (planned !== undefined) return planned ?? undefined;
    return tget(this.s.endpoints, id);
  }

  ownerOf(networkId: string, ip: string): AddressOwner | undefined {
    const planned = this.ledger.owners.get(`${networkId}/${ip}`);
    if (planned !== undefined) return planned ?? undefined;
    return tget(this.s.addresses, `${networkId}/${ip}`)?.owner;
  }

  /** A node's address on a swarm network (its ingress-sandbox or load-balancer attachment). */
  attachment(nodeId: string, networkId: string): string | undefined {
    const planned = this.ledger.attachments.get(`${nodeId}/${networkId}`);
    if (planned !== undefined) return planned ?? undefined;
    return tget(this.s.nodes, nodeId)?.attachments.find((a) => a.networkId === networkId)?.ip;
  }

  network(id: string): Network | undefined {
    return this.newNetworks.get(id) ?? tget(this.s.networks, id);
  }

  /** Every network known (state plus planned). */
  networks(): Network[] {
    const out = new Map(tvalues(this.s.networks).map((n) => [n.id, n]));
    for (const [id, n] of this.newNetworks) out.set(id, n);
    return [...out.values()];
  }

  nextIf(host: string): number {
    const i = this.ifIndex.get(host) ?? tget(this.s.hosts, host)!.nextIfIndex;
    this.ifIndex.set(host, i + 1);
    return i;
  }

  /** The local networks of a host (state, via the host's index, plus those planned in this batch). */
  hostNetworks(host: string): Network[] {
    const ids = tget(this.s.hosts, host)?.networks ?? [];
    const out = ids.map((id) => tget(this.s.networks, id)).filter((n): n is Network => !!n);
    for (const n of this.newNetworks.values()) if (n.host === host) out.push(n);
    return out;
  }

  /**
   * The next free subnet of a host's local pools (or null when exhausted). Besides the host's networks,
   * libnetwork reserves the host's on-link routes (netutils.InferReservedNetworks, applied to
   * local-scope networks in Network.ipamAllocateVersion): here eth0's /24.
   */
  localSubnet(host: string): Cidr | null {
    const used = this.hostNetworks(host).filter((n) => n.subnet).map((n) => parseCidr(n.subnet)!);
    const ip = tget(this.s.hosts, host)?.ip;
    if (ip) used.push({ base: ipToInt(ip) - (ipToInt(ip) % 256), bits: 24 });
    return firstFit(localPools(), used);
  }

  globalSubnet(): Cidr | null {
    const sw = this.s.swarm!;
    const used = this.networks().filter((n) => n.scope === 'swarm' && n.subnet).map((n) => parseCidr(n.subnet)!);
    return firstFit(globalPools(sw.defaultAddrPool, sw.subnetSize), used);
  }

  /**
   * The manager's next VXLAN ID (ovmanager SetAnyInRange(4096, 2^24−1, serial)): the first free VNI from
   * the serial cursor, which only moves forward (and wraps), so a freed VNI is not reused before the wrap.
   */
  nextVni(): number {
    const used = new Set<number>();
    for (const n of this.networks()) if (n.scope === 'swarm' && n.vni) used.add(n.vni);
    const from = this.ledger.vni || (this.s.swarm?.nextVni ?? FIRST_VNI);
    const v = firstFreeVni(used, from);
    if (v === null) throw new Error('could not obtain vxlan id: every VNI is in use');
    this.ledger.vni = v >= MAX_VNI ? FIRST_VNI : v + 1;
    return v;
  }

  /** Records a new network (and allocates its gateway). */
  createNetwork(e: Omit<NetworkCreated, 'type' | 'networkId'>, id?: string): Network {
    const networkId = id ?? (e.scope === 'swarm' ? swarmId(this.rng) : localId(this.rng));
    this.emit({ type: 'NetworkCreated', networkId, ...e });
    const n: Network = { id: networkId, ...e, createdAtMs: this.s.sim.nowMs, version: 0, pool: { next: 0, released: [] } };
    this.newNetworks.set(networkId, n);
    if (e.gateway) this.allocate(n, { kind: 'gateway', id: networkId }, e.gateway);
    return n;
  }

  /** The address allocate would give next on a network, and the pool after it (null: none is free). */
  private nextFree(n: Network): { ip: number; pool: { next: number; released: number[] } } | null {
    const subnet = parseCidr(n.subnet);
    if (!subnet) return null;
    const taken = this.taken.get(n.id);
    const used = (o: number) => (taken?.has(o) ?? false) || tget(this.s.addresses, `${n.id}/${intToIp(o)}`) !== undefined;
    return nextAddress(subnet, n.ipRange ? parseCidr(n.ipRange) : null, this.cursors.get(n.id) ?? n.pool, n.scope === 'swarm', used);
  }

  /** Whether a network has an address left to allocate (nothing is taken). */
  hasFree(n: Network): boolean {
    return this.nextFree(n) !== null;
  }

  /** Allocates an address of a network (serial on swarm networks, lowest free on local ones). */
  allocate(n: Network, owner: AddressOwner, fixed?: string): string | null {
    if (!parseCidr(n.subnet)) return null;
    let ip: number;
    if (fixed) {
      ip = ipToInt(fixed);
    } else {
      const r = this.nextFree(n);
      if (!r) return null;
      ip = r.ip;
      this.cursors.set(n.id, r.pool);
    }
    let taken = this.taken.get(n.id);
    if (!taken) this.taken.set(n.id, (taken = new Set()));
    taken.add(ip);
    const addr = intToIp(ip);
    this.emit({ type: 'AddressAllocated', networkId: n.id, ip: addr, owner });
    return addr;
  }

  release(networkId: string, ip: string): void {
    this.emit({ type: 'AddressReleased', networkId, ip });
  }

  prefix(n: Network): number {
    return parseCidr(n.subnet)!.bits;
  }

  /** A random host-side veth name, as libnetwork makes them (veth + 7 hex). */
  vethName(): string {
    return `veth${this.rng.hex(4).slice(0, 7)}`;
  }

  /** A random locally administered MAC (host-side veths, bridges). */
  randomMac(): string {
    return `02:42:${this.rng.hex(4).match(/../g)!.join(':')}`;
  }

  mac(ip: string): string {
    return macOf(ip);
  }

  cidrOf(n: Network, ip: string): string {
    return `${ip}/${this.prefix(n)}`;
  }
}

export { cidrString };
