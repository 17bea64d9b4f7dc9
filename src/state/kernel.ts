/** Slices: each host's kernel network objects — namespaces, links, routes, iptables rules, IPVS services. */
import type { EngineEvent, IptablesRule } from '../../events/index.js';
import { canonicalJson } from './hash.js';
import { invariant } from './invariant.js';
import { tdel, tget, thas, tread, tset } from './table.js';
import type { IpvsService, Link, Netns, State } from './types.js';

/** The first firewall mark a dockerd hands out (libnetwork service.go: `fwMarkCtr uint32 = 256`). */
export const FIRST_FWMARK = 256;

export function ruleKey(host: string, netns: string, r: IptablesRule): string {
  return `${host}/${netns}/${r.table}/${r.chain}/${canonicalJson(r)}`;
}

/** The namespace record that indexes a namespace's links and endpoints (the root namespace has none). */
export function netnsIndex(s: State, host: string, netns: string): Netns | undefined {
  return netns ? tget(s.netns, `${host}/${netns}`) : undefined;
}

/** A new link, indexed on its namespace. */
function addLink(s: State, l: Link): void {
  const key = `${l.host}/${l.netns}/${l.name}`;
  invariant(!tget(s.links, key), `link ${l.name} is new in ${l.netns || 'the root namespace'} of ${l.host}`);
  tset<Link>(s.links, key, l);
  netnsIndex(s, l.host, l.netns)?.links.push(l.name);
}

export function kernelReducer(s: State, e: EngineEvent): void {
  switch (e.type) {
    case 'NetnsCreated':
      invariant(!tget(s.netns, `${e.host}/${e.netns}`), `netns ${e.netns} is new on ${e.host}`);
      tset(s.netns, `${e.host}/${e.netns}`, { host: e.host, name: e.netns, createdAtMs: s.sim.nowMs, links: [], endpoints: [], lbs: [] });
      return;
    case 'NetnsRemoved':
      tdel(s.netns, `${e.host}/${e.netns}`);
      return;
    case 'LinkCreated':
      addLink(s, { host: e.host, netns: e.netns, name: e.name, kind: e.kind, ifIndex: e.ifIndex, mtu: e.mtu, mac: e.mac, peer: e.peer, master: e.master, addrs: [] });
      return;
    case 'VethCreated': {
      // Two links, the outer end first, each pointing at the other's ifindex.
      const { outer: o, inner: i } = e;
      addLink(s, { host: e.host, netns: o.netns, name: o.name, kind: 'veth', ifIndex: o.ifIndex, mtu: e.mtu, mac: o.mac, peer: i.ifIndex, master: o.master, addrs: [] });
      addLink(s, { host: e.host, netns: i.netns, name: i.name, kind: 'veth', ifIndex: i.ifIndex, mtu: e.mtu, mac: i.mac, peer: o.ifIndex, master: i.master, addrs: [] });
      return;
    }
    case 'LinkRemoved': {
      tdel(s.links, `${e.host}/${e.netns}/${e.name}`);
      const ns = netnsIndex(s, e.host, e.netns);
      if (ns) ns.links = ns.links.filter((n) => n !== e.name);
      return;
    }
    case 'AddressAssigned': {
      const l = tget(s.links, `${e.host}/${e.netns}/${e.ifName}`);
      invariant(l, `link ${e.ifName} exists in ${e.netns || 'the root namespace'} of ${e.host}`);
      l.addrs.push(e.cidr);
      return;
    }
    case 'AddressUnassigned': {
      const l = tget(s.links, `${e.host}/${e.netns}/${e.ifName}`);
      if (l) l.addrs = l.addrs.filter((a) => a !== e.cidr);
      return;
    }
    case 'RouteAdded':
      tset(s.routes, `${e.host}/${e.netns}/${e.dst}/${e.dev}`, { host: e.host, netns: e.netns, dst: e.dst, via: e.via, dev: e.dev, src: e.src });
      return;
    case 'RouteRemoved':
      tdel(s.routes, `${e.host}/${e.netns}/${e.dst}/${e.dev}`);
      return;
    case 'IptablesRuleAdded': {
      const h = tread(s.hosts, e.host)!;
      tset(s.rules, ruleKey(e.host, e.netns, e.rule), { host: e.host, netns: e.netns, rule: e.rule, seq: h.ruleSeq });
      return;
    }
    case 'IptablesRuleRemoved':
      tdel(s.rules, ruleKey(e.host, e.netns, e.rule));
      return;
    case 'IpvsServiceAdded': {
      const key = `${e.host}/${e.netns}/${e.serviceId}`;
      invariant(!thas(s.ipvs, key), `${e.host} has one load balancer for service ${e.serviceId} in ${e.netns}`);
      tset<IpvsService>(s.ipvs, key, { host: e.host, netns: e.netns, fwmark: e.fwmark, serviceId: e.serviceId, networkId: e.networkId, vip: e.vip, ports: e.ports });
      const ns = netnsIndex(s, e.host, e.netns);
      if (ns) ns.lbs = [...(ns.lbs ?? []), e.serviceId];
      // libnetwork's fwMarkCtr only goes up (service_common.go addServiceBinding).
      const h = tget(s.hosts, e.host)!;
      h.nextFwmark = Math.max(h.nextFwmark ?? FIRST_FWMARK, e.fwmark + 1);
      return;
    }
    case 'IpvsServiceRemoved': {
      tdel(s.ipvs, `${e.host}/${e.netns}/${e.serviceId}`);
      const ns = netnsIndex(s, e.host, e.netns);
      if (ns) ns.lbs = (ns.lbs ?? []).filter((id) => id !== e.serviceId);
      return;
    }
    case 'HostBooted': {
      // A new dockerd: its firewall-mark counter starts again at 256.
      const h = tget(s.hosts, e.name);
      if (h && h.nextFwmark !== undefined) delete h.nextFwmark;
      return;
    }
    default:
      return;
  }
}
