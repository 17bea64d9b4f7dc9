/**
 * NetPlan: builds the events of one network change (a network created, a sandbox attached…) against the
 * state, remembering what it already allocated in this batch (addresses, interface indexes) so that
 * several allocations can be planned before the reducers apply any of them. Pure apart from its own
 * bookkeeping; every random choice comes from the batch's PRNG.
 */
import type { AddressOwner, EngineEvent, IptablesRule, NetworkCreated } from '../../events/index.js';
import { localId, swarmId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { tget, tvalues } from '../state/table.js';
import type { Network, State } from '../state/types.js';
import { cidrString, firstFit, globalPools, intToIp, ipToInt, localPools, macOf, nextAddress, parseCidr, type Cidr } from './ipam.js';

export const OVERLAY_MTU = 1450;
export const FIRST_VNI = 4096;

export function rule(r: Partial<IptablesRule> & Pick<IptablesRule, 'table' | 'chain' | 'target'>): IptablesRule {
  return { proto: 'all', src: '0.0.0.0/0', dst: '0.0.0.0/0', dport: 0, sport: 0, in: '*', out: '*', match: '', targetArg: '', ...r };
}

/**
 * What a batch has allocated but not yet applied. The reactor applies events in FIFO order, so a
 * controller reacting to one event may not yet see what it (or another) planned for an earlier one:
 * every NetPlan of a batch shares this ledger, so nothing is handed out twice.
 */
export class Ledger {
  readonly taken = new Map<string, Set<number>>();
  readonly cursors = new Map<string, { next: number; released: number[] }>();
  readonly ifIndex = new Map<string, number>();
  readonly newNetworks = new Map<string, Network>();
  readonly links = new Map<string, EngineEvent[]>();
  /** Firewall marks handed out by this batch, per host. */
  readonly fwmarks = new Map<string, number[]>();
  /** Namespaces created (true) or removed (false) by this batch, keyed `host/name`. */
  readonly netns = new Map<string, boolean>();
  vni = 0;
}

export class NetPlan {
  readonly events: EngineEvent[] = [];
  private readonly taken: Map<string, Set<number>>;
  private readonly cursors: Map<string, { next: number; released: number[] }>;
  private readonly ifIndex: Map<string, number>;
  private readonly newNetworks: Map<string, Network>;

  constructor(readonly s: State, readonly rng: Prng, private readonly ledger: Ledger = new Ledger()) {
    this.taken = ledger.taken;
    this.cursors = ledger.cursors;
    this.ifIndex = ledger.ifIndex;
    this.newNetworks = ledger.newNetworks;
  }

  emit(...e: EngineEvent[]): void {
    this.events.push(...e);
    for (const x of e) {
      if (x.type === 'NetnsCreated' || x.type === 'NetnsRemoved') this.ledger.netns.set(`${x.host}/${x.netns}`, x.type === 'NetnsCreated');
      if (x.type === 'IpvsServiceAdded') this.ledger.fwmarks.set(x.host, [...(this.ledger.fwmarks.get(x.host) ?? []), x.fwmark]);
      if (x.type === 'LinkCreated' || x.type === 'LinkRemoved') {
        const k = `${x.host}/${x.netns}`;
        const list = this.ledger.links.get(k) ?? [];
        list.push(x);
        this.ledger.links.set(k, list);
      }
    }
  }

  /** Firewall marks this batch already gave out on a host. */
  plannedFwmarks(host: string): number[] {
    return this.ledger.fwmarks.get(host) ?? [];
  }

  /** Does the namespace exist once this batch's planned changes apply? */
  hasNetns(host: string, name: string): boolean {
    const planned = this.ledger.netns.get(`${host}/${name}`);
    return planned ?? tget(this.s.netns, `${host}/${name}`) !== undefined;
  }

  /** Link changes planned in this batch (not applied yet) in a namespace. */
  plannedIn(host: string, netns: string): EngineEvent[] {
    return this.ledger.links.get(`${host}/${netns}`) ?? [];
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

  nextVni(): number {
    if (this.ledger.vni === 0) {
      const max = this.networks().reduce((m, n) => Math.max(m, n.vni), FIRST_VNI - 1);
      this.ledger.vni = max + 1;
    }
    return this.ledger.vni++;
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

  /** Allocates an address of a network (serial on swarm networks, lowest free on local ones). */
  allocate(n: Network, owner: AddressOwner, fixed?: string): string | null {
    const subnet = parseCidr(n.subnet);
    if (!subnet) return null;
    let taken = this.taken.get(n.id);
    if (!taken) this.taken.set(n.id, (taken = new Set()));
    const used = (o: number) => taken!.has(o) || tget(this.s.addresses, `${n.id}/${intToIp(o)}`) !== undefined;
    let ip: number;
    if (fixed) {
      ip = ipToInt(fixed);
    } else {
      const cursor = this.cursors.get(n.id) ?? n.pool;
      const r = nextAddress(subnet, n.ipRange ? parseCidr(n.ipRange) : null, cursor, n.scope === 'swarm', used);
      if (!r) return null;
      ip = r.ip;
      this.cursors.set(n.id, r.pool);
    }
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
