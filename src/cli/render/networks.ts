/** Views of networks: `docker network ls` rows and `docker network inspect` JSON. */
import { createHash } from 'node:crypto';
import { rfc3339Nano } from '../../sim/clock.js';
import { naturalLess } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { Host, Network, State } from '../../state/types.js';
import { overlayNs } from '../../net/overlay.js';
import { vtepOf } from '../../net/vxlan.js';

/** Go's time.Time.String() of a UTC instant: `2026-01-01 09:00:00.5 +0000 UTC` (fraction trimmed). */
export function goTime(epochMs: number, atMs: number): string {
  const iso = new Date(epochMs + atMs).toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

/** A Go map as encoding/json writes it: keys sorted. */
function sortedMap<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

/**
 * A `docker network ls` row: the fields of docker/cli's networkContext (cli/command/network/formatter.go),
 * which `--format json` marshals all of: ID, Name, Driver, Scope, IPv4, IPv6, Internal, Labels, CreatedAt.
 */
export function networkRow(n: Network, epochMs = 0): { ID: string; Name: string; Driver: string; Scope: string; IPv4: string; IPv6: string; Internal: string; Labels: string; CreatedAt: string } {
  return {
    ID: n.id.slice(0, 12), Name: n.name, Driver: n.driver, Scope: n.scope, IPv4: 'true', IPv6: 'false', Internal: String(n.internal),
    Labels: Object.keys(n.labels).sort().map((k) => `${k}=${n.labels[k]}`).join(','), CreatedAt: goTime(epochMs, n.createdAtMs),
  };
}

/** Predefined networks (moby daemon/network IsPredefined): the `type=builtin` filter; all others are `custom`. */
export function isPredefined(n: Network): boolean {
  return n.scope === 'local' && ['bridge', 'host', 'none', 'default'].includes(n.name);
}

export function sortNetworks(ns: Network[]): Network[] {
  return ns.sort((a, b) => naturalLess(a.name, b.name) || (a.id < b.id ? -1 : 1));
}

/** networkdb's node name: a 12-hex ID, not the hostname. */
function peerName(nodeId: string): string {
  return createHash('sha256').update(`networkdb ${nodeId}`).digest('hex').slice(0, 12);
}

/**
 * `network inspect --verbose` of a swarm overlay this node has joined (libnetwork agent.go Services): the
 * entries networkdb gossips for every container on the network across the cluster — a task's under its
 * service's name, a standalone container's under "" — each service with its VIP (`<nil>` without one),
 * its ingress ports (on the ingress network only), the firewall mark of its load balancer on this node
 * (0 without one) and its tasks: container name, endpoint, address and the VTEP of the node it runs on.
 */
function servicesOf(s: State, h: Host, n: Network): Record<string, unknown> | undefined {
  if (n.scope !== 'swarm' || n.driver !== 'overlay' || !tget(s.netns, `${h.name}/${overlayNs(n)}`)) return undefined;
  const taskOf = new Map(tvalues(s.tasks).map((t) => [t.containerId, t] as const));
  const out: Record<string, { VIP: string; Ports: string[]; LocalLBIndex: number; Tasks: Record<string, unknown>[] }> = {};
  const eps = tvalues(s.endpoints).filter((e) => e.networkId === n.id && e.containerId !== '' && tget(s.hosts, e.host)?.up !== false);
  for (const ep of eps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const task = taskOf.get(ep.containerId);
    const svc = task ? tget(s.services, task.serviceId) : undefined;
    const key = svc?.spec.name ?? '';
    const entry = out[key] ??= {
      VIP: svc?.vips.find((v) => v.networkId === n.id)?.ip ?? '<nil>',
      Ports: svc && n.ingress ? svc.endpointPorts.filter((p) => p.publishMode === 'ingress').map((p) => `Target: ${p.targetPort}, Publish: ${p.publishedPort}`) : [],
      LocalLBIndex: svc ? tvalues(s.ipvs).find((v) => v.host === h.name && v.networkId === n.id && v.serviceId === svc.id)?.fwmark ?? 0 : 0,
      Tasks: [],
    };
    entry.Tasks.push({ Name: ep.name, EndpointID: ep.id, EndpointIP: ep.ip, Info: { 'Host IP': vtepOf(s, ep.host) ?? '' } });
  }
  return sortedMap(out);
}

export function networkInspect(s: State, h: Host, n: Network, verbose = false): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const ep of tvalues(s.endpoints).filter((e) => e.networkId === n.id && e.host === h.name).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const key = ep.containerId || (ep.sandbox === 'ingress_sbox' ? 'ingress-sbox' : `lb-${n.name}`);
    // ingress_sbox's endpoints keep their own names: ingress-endpoint, gateway_ingress-sbox.
    const name = ep.containerId || ep.sandbox === 'ingress_sbox' ? ep.name : `${n.name}-endpoint`;
    containers[key] = { Name: name, EndpointID: ep.id, MacAddress: ep.mac, IPv4Address: `${ep.ip}/${n.subnet.split('/')[1]}`, IPv6Address: '' };
  }
  // Containers, Options and Labels are Go maps: encoding/json writes their keys sorted.
  const out: Record<string, unknown> = {
    Name: n.name, Id: n.id, Created: rfc3339Nano(s.sim.epochMs, n.createdAtMs), Scope: n.scope, Driver: n.driver,
    EnableIPv4: true, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: n.scope === 'swarm' ? null : {}, Config: n.subnet ? [{ Subnet: n.subnet, ...(n.ipRange ? { IPRange: n.ipRange } : {}), Gateway: n.gateway }] : [] },
    Internal: n.internal, Attachable: n.attachable, Ingress: n.ingress, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: sortedMap(containers), Options: sortedMap(n.options), Labels: sortedMap(n.labels),
  };
  if (n.driver === 'overlay') {
    // networkdb's peers of the network: live nodes only (a failed node leaves nDB.nodes, so
    // NetworkDB.Peers skips it: moby daemon/libnetwork/networkdb/networkdb.go).
    const hosts = [...new Set(tvalues(s.endpoints).filter((e) => e.networkId === n.id).map((e) => e.host))]
      .filter((name) => tget(s.hosts, name)?.up !== false).sort(naturalLess);
    out.Peers = hosts.map((name) => {
      const hh = tget(s.hosts, name)!;
      const node = hh.nodeId ? tget(s.nodes, hh.nodeId) : undefined;
      return { Name: peerName(hh.nodeId ?? name), IP: node?.addr ?? hh.ip };
    });
  }
  if (verbose) {
    const services = servicesOf(s, h, n);
    if (services) out.Services = services;
  }
  return out;
}
