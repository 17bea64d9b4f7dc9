/**
 * The ingress routing mesh on a node (libnetwork service_linux.go): for every service publishing ingress
 * ports, DNAT on the host to ingress_sbox, a firewall mark per (service, network) from a per-node counter
 * starting at 256, and an IPVS virtual service on that mark, round robin over the tasks' ingress addresses.
 */
import type { IptablesRule } from '../../events/index.js';
import { tget, tvalues } from '../state/table.js';
import type { Service, State } from '../state/types.js';
import { INGRESS_SBOX } from './overlay.js';
import { NetPlan, rule } from './plan.js';

export const FIRST_FWMARK = 256;

function hasRule(p: NetPlan, host: string, netns: string, r: IptablesRule): boolean {
  const same = (e: { host: string; netns: string; rule: IptablesRule }) => e.host === host && e.netns === netns && JSON.stringify(e.rule) === JSON.stringify(r);
  // The last planned change to this rule wins; otherwise the state says.
  for (let i = p.events.length - 1; i >= 0; i--) {
    const e = p.events[i]!;
    if ((e.type === 'IptablesRuleAdded' || e.type === 'IptablesRuleRemoved') && same(e)) return e.type === 'IptablesRuleAdded';
  }
  return tvalues(p.s.rules).some(same);
}

function addRule(p: NetPlan, host: string, netns: string, r: IptablesRule): void {
  if (!hasRule(p, host, netns, r)) p.emit({ type: 'IptablesRuleAdded', host, netns, rule: r });
}

/** The node's IPVS services in ingress_sbox. */
function lbsOn(s: State, host: string) {
  return tvalues(s.ipvs).filter((v) => v.host === host && v.netns === INGRESS_SBOX);
}

/** The ingress sandbox's own address on the ingress network. */
function sboxIp(s: State, host: string, ingressId: string): string | undefined {
  const ns = tget(s.netns, `${host}/${INGRESS_SBOX}`);
  return ns?.endpoints.map((id) => tget(s.endpoints, id)).find((e) => e?.networkId === ingressId)?.ip;
}

/** The gateway-leg address of ingress_sbox (where the host DNATs published ports). */
function sboxGwIp(s: State, host: string, ingressId: string): string | undefined {
  const ns = tget(s.netns, `${host}/${INGRESS_SBOX}`);
  return ns?.endpoints.map((id) => tget(s.endpoints, id)).find((e) => e && e.networkId !== ingressId)?.ip;
}

/** Programs one service's load balancer on one node (idempotent). */
export function meshServiceOnNode(p: NetPlan, host: string, svc: Service, ingressId: string, plannedSboxIp?: string, plannedGwIp?: string, replacing = false): void {
  const s = p.s;
  const vip = svc.vips.find((v) => v.networkId === ingressId)?.ip;
  const ports = svc.endpointPorts.filter((x) => x.publishMode === 'ingress');
  if (!vip || ports.length === 0) return;
  // `replacing`: this service's old load balancer is being removed in this plan (published ports changed).
  const existing = lbsOn(s, host).filter((v) => !(replacing && v.serviceId === svc.id));
  if (existing.some((v) => v.serviceId === svc.id)) return;
  const taken = new Set(existing.map((v) => v.fwmark));
  for (const m of p.plannedFwmarks(host)) taken.add(m);
  let fwmark = FIRST_FWMARK;
  while (taken.has(fwmark)) fwmark++;
  const mark = `0x${fwmark.toString(16)}`;
  const gw = plannedGwIp ?? sboxGwIp(s, host, ingressId) ?? '172.18.0.2';
  const sbox = plannedSboxIp ?? sboxIp(s, host, ingressId);
  const ingress = tget(s.networks, ingressId)!;
  // Host (libnetwork initIngressConfiguration): DOCKER-INGRESS in nat and filter, each ending in RETURN;
  // nat PREROUTING/OUTPUT jump to it for local destinations; local traffic leaving through the gwbridge
  // is masqueraded.
  addRule(p, host, '', rule({ table: 'nat', chain: 'DOCKER-INGRESS', target: 'RETURN' }));
  addRule(p, host, '', rule({ table: 'filter', chain: 'DOCKER-INGRESS', target: 'RETURN' }));
  addRule(p, host, '', rule({ table: 'nat', chain: 'PREROUTING', match: 'ADDRTYPE match dst-type LOCAL', target: 'DOCKER-INGRESS' }));
  addRule(p, host, '', rule({ table: 'nat', chain: 'OUTPUT', match: 'ADDRTYPE match dst-type LOCAL', target: 'DOCKER-INGRESS' }));
  addRule(p, host, '', rule({ table: 'nat', chain: 'POSTROUTING', match: 'ADDRTYPE match src-type LOCAL', out: 'docker_gwbridge', target: 'MASQUERADE' }));
  // Each published port (generateIngressRules, each rule inserted with -I): DNAT to ingress_sbox, and
  // the filter ACCEPTs (replies first, so that the dport rule ends up above it).
  for (const port of ports) {
    addRule(p, host, '', rule({ table: 'nat', chain: 'DOCKER-INGRESS', proto: port.protocol, dport: port.publishedPort, target: 'DNAT', targetArg: `to:${gw}:${port.publishedPort}` }));
    addRule(p, host, '', rule({ table: 'filter', chain: 'DOCKER-INGRESS', proto: port.protocol, sport: port.publishedPort, match: 'ctstate RELATED,ESTABLISHED', target: 'ACCEPT' }));
    addRule(p, host, '', rule({ table: 'filter', chain: 'DOCKER-INGRESS', proto: port.protocol, dport: port.publishedPort, target: 'ACCEPT' }));
    addRule(p, host, INGRESS_SBOX, rule({ table: 'mangle', chain: 'PREROUTING', proto: port.protocol, dport: port.publishedPort, target: 'MARK', targetArg: `MARK set ${mark}` }));
  }
  addRule(p, host, INGRESS_SBOX, rule({ table: 'mangle', chain: 'INPUT', dst: `${vip}/32`, target: 'MARK', targetArg: `MARK set ${mark}` }));
  if (sbox) addRule(p, host, INGRESS_SBOX, rule({ table: 'nat', chain: 'POSTROUTING', dst: ingress.subnet, match: 'ipvs', target: 'SNAT', targetArg: `to:${sbox}` }));
  p.emit({ type: 'IpvsServiceAdded', host, netns: INGRESS_SBOX, fwmark, serviceId: svc.id, networkId: ingressId });
  for (const t of runningIngressIps(s, svc, ingressId)) p.emit({ type: 'IpvsDestinationAdded', host, netns: INGRESS_SBOX, fwmark, ip: t });
}

/** Ingress addresses of the service's tasks whose containers are up (started: their endpoint joined). */
function runningIngressIps(s: State, svc: Service, ingressId: string): string[] {
  const out: string[] = [];
  for (const slot of tvalues(s.slots)) {
    if (slot.serviceId !== svc.id) continue;
    for (const id of slot.taskIds) {
      const t = tget(s.tasks, id);
      if (!t || !['starting', 'running'].includes(t.state)) continue;
      const a = t.addrs.find((x) => x.networkId === ingressId);
      if (a) out.push(a.ip);
    }
  }
  return out.sort();
}

/** The published ports a node's load balancer for a service was programmed with (from its mark rules). */
export function meshedPorts(s: State, host: string, serviceId: string): { protocol: string; publishedPort: number }[] {
  const lb = lbsOn(s, host).find((v) => v.serviceId === serviceId);
  if (!lb) return [];
  const mark = `MARK set 0x${lb.fwmark.toString(16)}`;
  return tvalues(s.rules).filter((r) => r.host === host && r.netns === INGRESS_SBOX && r.rule.chain === 'PREROUTING' && r.rule.targetArg === mark)
    .map((r) => ({ protocol: r.rule.proto, publishedPort: r.rule.dport })).sort((a, b) => a.publishedPort - b.publishedPort);
}

/** Removes one service's load balancer (its mark rules, port rules and IPVS service) from one node. */
export function unmeshServiceOnNode(p: NetPlan, host: string, serviceId: string): void {
  const s = p.s;
  const lb = lbsOn(s, host).find((v) => v.serviceId === serviceId);
  if (!lb) return;
  const ports = meshedPorts(s, host, serviceId);
  const mark = `MARK set 0x${lb.fwmark.toString(16)}`;
  for (const r of tvalues(s.rules).filter((x) => x.host === host)) {
    const portRule = r.netns === '' && r.rule.chain === 'DOCKER-INGRESS' && ports.some((pt) => (r.rule.dport === pt.publishedPort || r.rule.sport === pt.publishedPort) && r.rule.proto === pt.protocol);
    if (portRule || (r.netns === INGRESS_SBOX && r.rule.targetArg === mark)) p.emit({ type: 'IptablesRuleRemoved', host, netns: r.netns, rule: r.rule });
  }
  p.emit({ type: 'IpvsServiceRemoved', host, netns: INGRESS_SBOX, fwmark: lb.fwmark });
}

/** Every node with an ingress sandbox (the routing mesh spans them all). */
export function meshHosts(s: State): string[] {
  return tvalues(s.netns).filter((n) => n.name === INGRESS_SBOX).map((n) => n.host).sort();
}

/** Adds or removes one task's ingress address from its service's IPVS service on every node. */
export function meshDestination(p: NetPlan, svc: Service, ip: string, add: boolean): void {
  for (const v of tvalues(p.s.ipvs)) {
    if (v.serviceId !== svc.id || v.netns !== INGRESS_SBOX) continue;
    if (add && !v.dests.includes(ip)) p.emit({ type: 'IpvsDestinationAdded', host: v.host, netns: v.netns, fwmark: v.fwmark, ip });
    if (!add && v.dests.includes(ip)) p.emit({ type: 'IpvsDestinationRemoved', host: v.host, netns: v.netns, fwmark: v.fwmark, ip });
  }
}
