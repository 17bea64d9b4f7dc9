/** Slices: networks (with their IPAM cursors), allocated addresses, endpoints and DNS records. */
import type { EngineEvent } from '../../events/index.js';
import { cidrSize, ipToInt, parseCidr } from '../net/ipam.js';
import { invariant } from './invariant.js';
import { tdel, tget, tset } from './table.js';
import type { Address, DnsRecord, Endpoint, Network, State } from './types.js';
import { netnsIndex } from './kernel.js';

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
      invariant(!tget(s.networks, e.networkId), `network ${e.networkId} is new`);
      const { type: _t, networkId, ...rest } = e;
      tset<Network>(s.networks, networkId, { id: networkId, ...rest, createdAtMs: s.sim.nowMs, version: s.swarm?.raftIndex ?? 0, pool: { next: 0, released: [] } });
      return;
    }
    case 'NetworkRemoved':
      invariant(tget(s.networks, e.networkId), `network ${e.networkId} exists`);
      tdel(s.networks, e.networkId);
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
      return;
    }
    case 'EndpointRemoved': {
      const ep = tget(s.endpoints, e.endpointId);
      tdel(s.endpoints, e.endpointId);
      const ns = ep ? netnsIndex(s, ep.host, ep.sandbox) : undefined;
      if (ns) ns.endpoints = ns.endpoints.filter((id) => id !== e.endpointId);
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
