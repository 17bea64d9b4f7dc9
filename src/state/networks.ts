/** Slices: networks (with their IPAM cursors), allocated addresses, endpoints and DNS records. */
import type { EngineEvent } from '../../events/index.js';
import { cidrSize, ipToInt, parseCidr } from '../net/ipam.js';
import { invariant } from './invariant.js';
import { tdel, tget, thas, treadValues, tset } from './table.js';
import type { Address, DnsRecord, Endpoint, LbBackends, NetLb, Network, State } from './types.js';
import { netnsIndex } from './kernel.js';

/** The lowest VXLAN ID the manager hands out, and the highest VNI (ovmanager vxlanIDStart, vxlanIDEnd). */
export const FIRST_VNI = 4096;
export const MAX_VNI = 2 ** 24 - 1;

/** Is this a network's load-balancer sandbox (libnetwork `lb_<network ID>`, cut to 12 characters)? */
export function isLbSandbox(netns: string): boolean {
  return netns.startsWith('lb_');
}

/** The first VNI from `from` (wrapping at MAX_VNI) that no swarm network uses. */
export function firstFreeVni(used: Set<number>, from: number): number | null {
  let v = from < FIRST_VNI || from > MAX_VNI ? FIRST_VNI : from;
  for (let i = 0; i <= MAX_VNI - FIRST_VNI; i++, v = v >= MAX_VNI ? FIRST_VNI : v + 1) if (!used.has(v)) return v;
  return null;
}

function netLb(s: State, networkId: string): NetLb {
  let r = tget(s.netlb, networkId);
  if (!r) {
    tset<NetLb>(s.netlb, networkId, { networkId, hosts: [], services: [] });
    r = tget(s.netlb, networkId)!;
  }
  return r;
}

function dropNetLbIfEmpty(s: State, r: NetLb): void {
  if (r.hosts.length === 0 && r.services.length === 0) tdel(s.netlb, r.networkId);
}

/** The list on the owning task, service or node that mirrors its addresses. */
function ownerRecord(s: State, kind: string, id: string): { networkId: string; ip: string }[] | undefined {
  if (kind === 'task') return tget(s.tasks, id)?.addrs;
  if (kind === 'vip') return tget(s.services, id)?.vips;
  if (kind === 'node') return tget(s.nodes, id)?.attachments;
  return undefined;
}

export function networksReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'NetworkCreated': {
      invariant(!thas(s.networks, e.networkId), `network ${e.networkId} is new`);
      if (e.scope === 'swarm' && e.driver === 'overlay' && s.swarm) {
        // ovmanager's serial cursor moves past a VNI it handed out (SetAnyInRange(…, serial)); a VNI fixed
        // with vxlanid_list does not move it. The log does not say which one this was, but a fixed VNI
        // equal to the next serial one leaves the same next free VNI either way.
        const used = new Set<number>();
        for (const n of treadValues(s.networks)) if (n.scope === 'swarm' && n.vni) used.add(n.vni);
        if (e.vni === firstFreeVni(used, s.swarm.nextVni ?? FIRST_VNI)) s.swarm.nextVni = e.vni >= MAX_VNI ? FIRST_VNI : e.vni + 1;
      }
      const { type: _t, networkId, ...rest } = e;
      tset<Network>(s.networks, networkId, { id: networkId, ...rest, createdAtMs: s.sim.nowMs, version: s.swarm?.raftIndex ?? 0, pool: { next: 0, released: [] } });
      return;
    }
    case 'NetworkRemoved':
      invariant(thas(s.networks, e.networkId), `network ${e.networkId} exists`);
      tdel(s.networks, e.networkId);
      if (tget(s.netlb, e.networkId)) tdel(s.netlb, e.networkId);
      return;
    case 'AddressAllocated': {
      const n = tget(s.networks, e.networkId);
      invariant(n, `network ${e.networkId} exists`);
      const key = `${e.networkId}/${e.ip}`;
      invariant(!tget(s.addresses, key), `address ${e.ip} of ${n.name} is free`);
      tset<Address>(s.addresses, key, { networkId: e.networkId, ip: e.ip, owner: e.owner });
      const holder = ownerRecord(s, e.owner.kind, e.owner.id);
      if (holder) holder.push({ networkId: e.networkId, ip: e.ip });
      const sub = parseCidr(n.subnet);
      if (sub && e.owner.kind !== 'gateway') {
        const o = ipToInt(e.ip);
        if (n.scope === 'swarm') n.pool.next = o + 1 >= sub.base + cidrSize(sub) - 1 ? 0 : o + 1;
        else {
          n.pool.released = n.pool.released.filter((x) => x !== o);
          if (o >= n.pool.next) n.pool.next = o + 1;
        }
      }
      return;
    }
    case 'AddressReleased': {
      const key = `${e.networkId}/${e.ip}`;
      const a = tget(s.addresses, key);
      invariant(a, `address ${e.ip} is allocated`);
      const holder = ownerRecord(s, a.owner.kind, a.owner.id);
      if (holder) {
        const i = holder.findIndex((x) => x.networkId === e.networkId && x.ip === e.ip);
        if (i >= 0) holder.splice(i, 1);
      }
      tdel(s.addresses, key);
      const n = tget(s.networks, e.networkId);
      if (n && n.scope === 'local') n.pool.released.push(ipToInt(e.ip));
      return;
    }
    case 'EndpointCreated': {
      const { type: _t, endpointId, ...rest } = e;
      tset<Endpoint>(s.endpoints, endpointId, { id: endpointId, ...rest });
      netnsIndex(s, e.host, e.sandbox)?.endpoints.push(endpointId);
      // A network's load-balancer sandbox: the node has joined the network (networkdb JoinNetwork).
      if (isLbSandbox(e.sandbox) && !e.containerId) netLb(s, e.networkId).hosts.push(e.host);
      return;
    }
    case 'EndpointRemoved': {
      const ep = tget(s.endpoints, e.endpointId);
      tdel(s.endpoints, e.endpointId);
      const ns = ep ? netnsIndex(s, ep.host, ep.sandbox) : undefined;
      if (ns) ns.endpoints = ns.endpoints.filter((id) => id !== e.endpointId);
      if (ep && isLbSandbox(ep.sandbox) && !ep.containerId) {
        const r = tget(s.netlb, ep.networkId);
        if (r) {
          r.hosts = r.hosts.filter((h) => h !== ep.host);
          dropNetLbIfEmpty(s, r);
        }
      }
      return;
    }
    case 'LbBackendAdded': {
      const key = `${e.networkId}/${e.serviceId}`;
      const b = tget(s.backends, key);
      if (b) {
        if (!b.ips.includes(e.ip)) b.ips.push(e.ip);
      } else {
        tset<LbBackends>(s.backends, key, { networkId: e.networkId, serviceId: e.serviceId, ips: [e.ip] });
        netLb(s, e.networkId).services.push(e.serviceId);
      }
      return;
    }
    case 'LbBackendRemoved': {
      const key = `${e.networkId}/${e.serviceId}`;
      const b = tget(s.backends, key);
      if (!b) return;
      b.ips = b.ips.filter((ip) => ip !== e.ip);
      if (b.ips.length) return;
      tdel(s.backends, key);
      const r = tget(s.netlb, e.networkId);
      if (r) {
        r.services = r.services.filter((id) => id !== e.serviceId);
        dropNetLbIfEmpty(s, r);
      }
      return;
    }
    case 'DnsRecordAdded': {
      const key = `${e.networkId}/${e.name}`;
      const r = tget(s.dns, key);
      if (r) r.ips.push(e.ip);
      else tset<DnsRecord>(s.dns, key, { networkId: e.networkId, name: e.name, ips: [e.ip] });
      return;
    }
    case 'DnsRecordRemoved': {
      const key = `${e.networkId}/${e.name}`;
      const r = tget(s.dns, key);
      if (!r) return;
      r.ips = r.ips.filter((ip) => ip !== e.ip);
      if (r.ips.length === 0) tdel(s.dns, key);
      return;
    }
    default:
      return;
  }
}
