/**
 * What the network tools print inside a namespace, rendered from the simulated kernel state:
 * `ip addr`, `ip route`, `ping`, `nslookup`; a container's /etc/hosts and /etc/resolv.conf, and the
 * embedded DNS server's answers. Pure; no event is recorded.
 */
import { tget, tvalues } from '../state/table.js';
import type { IptablesRule } from '../../events/index.js';
import { Prng } from '../sim/prng.js';
import { netnsIndex } from '../state/kernel.js';
import type { Container, Endpoint, Link, Network, Route, State } from '../state/types.js';
import { cidrSize, contains, intToIp, ipToInt, parseCidr } from './ipam.js';
import { endpointsOf } from './local.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

const ok = (stdout: string): ToolResult => ({ stdout, stderr: '', code: 0 });

/**
 * A namespace's links by ifindex: through the namespace's index, except for the root namespace, which
 * has none (its links are looked up in the whole table).
 */
export function linksIn(s: State, host: string, netns: string): Link[] {
  const links = netns
    ? (netnsIndex(s, host, netns)?.links ?? []).map((name) => tget(s.links, `${host}/${netns}/${name}`)).filter((l): l is Link => !!l)
    : tvalues(s.links).filter((l) => l.host === host && l.netns === netns);
  return links.sort((a, b) => a.ifIndex - b.ifIndex);
}

/**
 * A namespace's routes: those added explicitly (RouteAdded: default routes), then the kernel's connected
 * routes, one per address with a prefix shorter than /32 (`10.0.1.3/24` on eth0 gives `10.0.1.0/24 dev
 * eth0 src 10.0.1.3`), by link ifindex and address order; they come and go with the address or the link.
 */
export function routesIn(s: State, host: string, netns: string): Route[] {
  const out = tvalues(s.routes).filter((r) => r.host === host && r.netns === netns);
  const seen = new Set(out.map((r) => `${r.dst} ${r.dev}`));
  for (const l of linksIn(s, host, netns)) {
    for (const a of l.addrs) {
      const c = parseCidr(a);
      if (!c || c.bits >= 32) continue;
      const size = cidrSize(c);
      const dst = `${intToIp(Math.floor(c.base / size) * size)}/${c.bits}`;
      if (seen.has(`${dst} ${l.name}`)) continue;
      seen.add(`${dst} ${l.name}`);
      out.push({ host, netns, dst, via: '', dev: l.name, src: intToIp(c.base) });
    }
  }
  return out;
}

function brd(cidr: string): string {
  const c = parseCidr(cidr)!;
  const base = Math.floor(c.base / cidrSize(c)) * cidrSize(c);
  return intToIp(base + cidrSize(c) - 1);
}

/** `ip addr` as iproute2/busybox prints it (the format seed 001 shows). */
export function ipAddr(s: State, host: string, netns: string): string {
  let out = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n'
    + '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
    + '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n';
  for (const l of linksIn(s, host, netns)) {
    const name = l.kind === 'veth' ? `${l.name}@if${l.peer}` : l.kind === 'vxlan' ? `${l.name}@if${l.ifIndex}` : l.name;
    const flags = l.kind === 'bridge' && l.name !== 'eth0' ? '<BROADCAST,MULTICAST,UP,LOWER_UP>' : l.kind === 'vxlan' ? '<BROADCAST,MULTICAST,UP,LOWER_UP>' : l.name === 'eth0' && netns === '' ? '<BROADCAST,MULTICAST,UP,LOWER_UP>' : '<BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN>';
    out += `${l.ifIndex}: ${name}: ${flags} mtu ${l.mtu} qdisc noqueue ${l.master ? `master ${l.master} ` : ''}\n`;
    out += `    link/ether ${l.mac} brd ff:ff:ff:ff:ff:ff\n`;
    if (l.kind === 'vxlan') out += `    vxlan id ${l.peer} srcport 0 0 dstport 4789 proxy l2miss l3miss ageing 300\n`;
    // A /32 (a service VIP aliased on a load-balancer sandbox) has no broadcast address.
    for (const a of l.addrs) out += `    inet ${a}${a.endsWith('/32') ? '' : ` brd ${brd(a)}`} scope global ${l.name}\n       valid_lft forever preferred_lft forever\n`;
  }
  return out;
}

/** `ip route`: default first, then the other routes by destination. */
export function ipRoute(s: State, host: string, netns: string): string {
  const rs = routesIn(s, host, netns)
    .sort((a, b) => (a.dst === 'default' ? -1 : b.dst === 'default' ? 1 : ipToInt(a.dst.split('/')[0]!) - ipToInt(b.dst.split('/')[0]!)));
  return rs.map((r) => (r.dst === 'default' ? `default via ${r.via} dev ${r.dev} \n` : `${r.dst} dev ${r.dev} scope link ${r.src ? ` src ${r.src} ` : ''}\n`)).join('');
}

/** The container asking (a standalone container or a task's), as the name-resolution views need it. */
export interface Asker extends Pick<Container, 'id' | 'host' | 'name' | 'links' | 'networks'> {
  hostname: string;
}

/** libnetwork's name for the gateway network, whose endpoints are anonymous (no names, no /etc/hosts line). */
const GW_NETWORK = 'docker_gwbridge';

function isDefaultBridge(n: Network): boolean {
  return n.options['com.docker.network.bridge.default_bridge'] === 'true';
}

/**
 * Is the network user-defined in dockerd's sense (container.NetworkMode(name).IsUserDefined): anything but
 * the predefined bridge, host and none. Endpoints on such networks get the embedded DNS resolver
 * (daemon/network.go buildCreateEndpointOptions: CreateOptionDisableResolution otherwise); the ingress
 * counts, so a task on the ingress alone still uses 127.0.0.11 (it answers nothing there).
 */
export function isUserDefinedNetwork(n: Network): boolean {
  if (n.scope === 'swarm') return true;
  return !isDefaultBridge(n) && n.driver !== 'host' && n.driver !== 'null' && n.name !== 'bridge' && n.name !== 'host' && n.name !== 'none';
}

/** A sandbox's leg on docker_gwbridge (sandbox.setupDefaultGW): anonymous, no DNS, no /etc/hosts entry. */
function isGwLeg(n: Network | undefined, ep: Endpoint): boolean {
  return !!n && n.name === GW_NETWORK && ep.name.startsWith('gateway_');
}

/**
 * The sandbox's endpoints in libnetwork's order (sandbox.go Endpoint.Less, the order addEndpoint keeps):
 * endpoints outside docker_gwbridge first, non-internal before internal, those whose driver set a gateway
 * (a non-internal bridge) before those without (overlays), then by network name.
 */
export function sandboxOrder(s: State, eps: Endpoint[]): Endpoint[] {
  const key = (ep: Endpoint) => {
    const n = tget(s.networks, ep.networkId);
    const gwNet = n?.name === GW_NETWORK ? 1 : 0;
    const internal = n?.internal ? 1 : 0;
    const hasGw = n && n.driver === 'bridge' && !n.internal ? 0 : 1;
    return { gwNet, internal, hasGw, name: n?.name ?? '' };
  };
  return [...eps].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x.gwNet - y.gwNet || x.internal - y.internal || x.hasGw - y.hasGw || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  });
}

/**
 * The endpoints the embedded DNS walks (sandbox.go ResolveName): the sandbox order, then, on a swarm
 * node, stably re-sorted by network type (endpoint.go ByNetworkType): swarm networks, the ingress, local
 * networks. Go's sort.Sort is an insertion sort below 12 elements, so the re-sort keeps ties in order.
 */
export function dnsOrder(s: State, host: string, eps: Endpoint[]): Endpoint[] {
  const ordered = sandboxOrder(s, eps);
  if (!tget(s.hosts, host)?.nodeId) return ordered;
  const type = (ep: Endpoint) => {
    const n = tget(s.networks, ep.networkId);
    return n?.ingress ? 1 : n?.scope === 'swarm' ? 0 : 2;
  };
  return ordered.map((ep, i) => ({ ep, i })).sort((a, b) => type(a.ep) - type(b.ep) || a.i - b.i).map((x) => x.ep);
}

/** Does the sandbox have the embedded DNS server (127.0.0.11)? An endpoint on a user-defined network starts it. */
export function hasEmbeddedDns(s: State, eps: Endpoint[]): boolean {
  return eps.some((ep) => {
    const n = tget(s.networks, ep.networkId);
    return !!n && isUserDefinedNetwork(n) && !isGwLeg(n, ep);
  });
}

/** One network's answer for a name (Network.ResolveName): its svcMap is keyed by the lower-cased name. */
function networkAnswer(s: State, networkId: string, name: string): string[] | null {
  const exact = tget(s.dns, `${networkId}/${name}`);
  const records = exact ? [exact] : tvalues(s.dns).filter((r) => r.networkId === networkId && r.name.toLowerCase() === name);
  if (records.length === 0) return null;
  // The svcMap is a set: an address listed twice (two services during a transition) is answered once.
  return [...new Set(records.flatMap((r) => r.ips))];
}

/**
 * The embedded DNS server's answer (libnetwork sandbox.go ResolveName): the name as asked on every
 * network of the sandbox, then, for `a.b.c`, `a.b` on the network named `c`, then `a` on `b.c`. For each
 * try the endpoints are walked in `dnsOrder` and the first network that knows the name answers alone
 * (answers are not merged across networks). null: NXDOMAIN.
 */
export function embeddedDnsAnswer(s: State, host: string, eps: Endpoint[], query: string): string[] | null {
  const name = query.replace(/\.$/, '').toLowerCase();
  const tries: { req: string; network: string }[] = [{ req: name, network: '' }];
  for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) tries.push({ req: name.slice(0, i), network: name.slice(i + 1) });
  const order = dnsOrder(s, host, eps);
  for (const t of tries) {
    for (const ep of order) {
      const n = tget(s.networks, ep.networkId);
      if (!n || isGwLeg(n, ep)) continue;
      if (t.network && t.network !== n.name.toLowerCase()) continue;
      const ips = networkAnswer(s, n.id, t.req);
      if (ips) return ips;
    }
  }
  return null;
}

/**
 * The resolver's shuffle (resolver.go handleIPQuery: rand.Shuffle of the answer), made deterministic:
 * a Fisher–Yates shuffle drawn from the log's seed and a stream derived from the virtual time, the asking
 * container and the name, so one log at one instant always answers in the same order.
 */
export function shuffleAnswer(s: State, askerId: string, name: string, ips: string[]): string[] {
  if (ips.length < 2) return ips;
  const stream = [...`${s.sim.nowMs}/${askerId}/${name}`].reduce((a, ch) => (Math.imul(a, 31) + ch.charCodeAt(0)) >>> 0, 17);
  const rng = new Prng(s.sim.seed, stream);
  const out = [...ips];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The simulated host's /etc/hosts (Debian's default, as its installer writes it). A container on the
 * host network gets a copy of it (sandbox_dns_unix.go buildHostsFile, useDefaultSandBox).
 */
export function hostEtcHosts(host: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${host}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`;
}

/**
 * The simulated host's /etc/resolv.conf: one nameserver, the host's default gateway (the router of its
 * /24, as a DHCP-configured host has it), no search domains, no options. Derived from the host's default
 * route, so a host with another address has another resolver.
 */
export function hostResolvers(s: State, host: string): string[] {
  const r = tget(s.routes, `${host}//default/eth0`);
  return r?.via ? [r.via] : [];
}

export function hostResolvConf(s: State, host: string): string {
  return hostResolvers(s, host).map((ns) => `nameserver ${ns}\n`).join('');
}

/** The lines libnetwork's etchosts package writes first (etchosts.go defaultContentIPv4, defaultContentIPv6, netip's spelling). */
const ETC_HOSTS_DEFAULTS: [string, string][] = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::', 'ip6-localnet'],
  ['ff00::', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

function onHostNetwork(s: State, c: Asker): boolean {
  return c.networks.some((id) => tget(s.networks, id)?.driver === 'host');
}

/**
 * A container's /etc/hosts as records `[ip, names]`, in file order (libnetwork sandbox_dns_unix.go
 * buildHostsFile and addHostsEntries, etchosts.go Build/Add):
 * - the default IPv4 and IPv6 lines (the sandbox's loopback has IPv6, so the IPv6 lines are kept);
 * - the legacy links, on the default bridge: `<child IP>\t<alias> <child hostname> <child name>` (the name
 *   left out when it equals the alias; daemon/container_operations_unix.go addLegacyLinks), in the
 *   order the links were given;
 * - one line per endpoint with the container's hostname (and, for `host.domain`, the short name), in
 *   the order the endpoints joined, leaving out the ingress and docker_gwbridge (Endpoint.getEtcHostsAddrs).
 * A container on the host network has no records: it gets the host's file (see `etcHostsText`).
 */
export function etcHostsRecords(s: State, c: Asker, eps: Endpoint[]): [string, string][] {
  const out: [string, string][] = [...ETC_HOSTS_DEFAULTS];
  const onBridge = eps.some((ep) => { const n = tget(s.networks, ep.networkId); return !!n && isDefaultBridge(n); });
  if (onBridge) {
    for (const l of c.links) {
      const [target, given] = l.split(':') as [string, string | undefined];
      const alias = given ?? target;
      const child = tvalues(s.containers).filter((x) => x.host === c.host).sort((a, b) => (a.id < b.id ? -1 : 1))
        .find((x) => x.name === target || x.id.startsWith(target));
      if (!child) continue;
      const cep = endpointsOf(s, child.host, child.id.slice(0, 12)).find((e) => { const n = tget(s.networks, e.networkId); return !!n && isDefaultBridge(n); });
      if (!cep) continue;
      out.push([cep.ip, `${alias} ${child.id.slice(0, 12)}${alias !== child.name ? ` ${child.name}` : ''}`]);
    }
  }
  const names = c.hostname.includes('.') ? `${c.hostname} ${c.hostname.split('.')[0]}` : c.hostname;
  for (const ep of eps) {
    const n = tget(s.networks, ep.networkId);
    if (!n || n.ingress || n.name === GW_NETWORK) continue;
    out.push([ep.ip, names]);
  }
  return out;
}

export function etcHostsText(s: State, c: Asker, eps: Endpoint[]): string {
  if (onHostNetwork(s, c)) return hostEtcHosts(c.host);
  return etcHostsRecords(s, c, eps).map(([ip, names]) => `${ip}\t${names}\n`).join('');
}

const RESOLV_HEADER = '# Generated by Docker Engine.\n# This file can be edited; Docker Engine will not make further changes once it\n# has been modified.\n\n';

/** The nameservers the container's resolv.conf lists, and how libnetwork built it. */
function resolvConfModel(s: State, c: Asker, eps: Endpoint[]): { nameservers: string[]; options: string[]; comments: string[] } {
  const host = hostResolvers(s, c.host);
  if (!onHostNetwork(s, c) && hasEmbeddedDns(s, eps)) {
    // rebuildDNS → TransformForIntNS: the internal resolver replaces the host's servers, which it
    // forwards to (from the host's namespace: "host(…)"); the resolver requires ndots:0.
    return {
      nameservers: ['127.0.0.11'], options: ['ndots:0'],
      comments: ["# Based on host file: '/etc/resolv.conf' (internal resolver)", ...(host.length ? [`# ExtServers: [${host.map((h) => `host(${h})`).join(' ')}]`] : ['# NO EXTERNAL NAMESERVERS DEFINED']), '# Overrides: []', '# Option ndots from: internal'],
    };
  }
  if (!onHostNetwork(s, c)) {
    // updateDNS → TransformForLegacyNw (the default bridge, and `none`, whose null endpoint joins too):
    // the host's servers minus loopback ones, else Google's.
    const kept = host.filter((h) => !h.startsWith('127.'));
    const used = kept.length ? kept : ['8.8.8.8', '8.8.4.4'];
    return { nameservers: used, options: [], comments: ["# Based on host file: '/etc/resolv.conf' (legacy)", ...(kept.length ? [] : ['# Used default nameservers.']), '# Overrides: []'] };
  }
  // The host network: the host's file as it is (updateDNS leaves useDefaultSandBox alone).
  return { nameservers: host, options: [], comments: ["# Based on host file: '/etc/resolv.conf'", '# Overrides: []'] };
}

/** A container's /etc/resolv.conf as libnetwork writes it (internal/resolvconf Generate, with its comments). */
export function resolvConfText(s: State, c: Asker, eps: Endpoint[]): string {
  const m = resolvConfModel(s, c, eps);
  return `${RESOLV_HEADER}${m.nameservers.map((n) => `nameserver ${n}\n`).join('')}${m.options.length ? `options ${m.options.join(' ')}\n` : ''}\n${m.comments.map((l) => `${l}\n`).join('')}`;
}

/** The first nameserver of the container's resolv.conf: the server busybox's nslookup asks. */
export function resolverOf(s: State, c: Asker, eps: Endpoint[]): string | null {
  return resolvConfModel(s, c, eps).nameservers[0] ?? null;
}

/**
 * A name as the container's libc resolves it (ping): /etc/hosts first (every line naming it, in file
 * order), then the embedded DNS when the sandbox has it (the host's resolvers know no container names).
 */
export function resolve(s: State, c: Asker, eps: Endpoint[], name: string): string[] {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return [name];
  const lines = onHostNetwork(s, c) ? [['127.0.0.1', 'localhost'], ['127.0.1.1', c.host]] : etcHostsRecords(s, c, eps);
  const fromHosts = lines.filter(([ip, names]) => !ip.includes(':') && names.split(' ').includes(name)).map(([ip]) => ip);
  if (fromHosts.length) return fromHosts;
  if (onHostNetwork(s, c) || !hasEmbeddedDns(s, eps)) return [];
  return shuffleAnswer(s, c.id, name, embeddedDnsAnswer(s, c.host, eps, name) ?? []);
}

/** Can a packet from this sandbox reach `ip`? On a network they share, or via a gateway. */
function reachable(s: State, eps: Endpoint[], ip: string): boolean {
  // The loopback answers in every namespace (/etc/hosts' localhost).
  if (ip.startsWith('127.')) return true;
  const target = ipToInt(ip);
  for (const ep of eps) {
    const n = tget(s.networks, ep.networkId);
    if (!n || !n.subnet || !contains(parseCidr(n.subnet)!, target)) continue;
    if (n.gateway === ip) return true;
    const other = tget(s.addresses, `${n.id}/${ip}`);
    if (!other) continue;
    const tep = tvalues(s.endpoints).find((e) => e.networkId === n.id && e.ip === ip);
    if (!tep) return other.owner.kind === 'vip';
    if (n.driver === 'overlay' || tep.host === ep.host) return true;
  }
  return false;
}

/** A deterministic round-trip time, so that replays stay byte-identical. */
function rtt(ip: string, seq: number): string {
  const h = [...`${ip}#${seq}`].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7);
  return (0.05 + (h % 60) / 1000).toFixed(3);
}

export function ping(s: State, c: Asker, eps: Endpoint[], args: string[]): ToolResult {
  let count = 4;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') count = Number(args[++i]);
    else if (/^-c\d+$/.test(args[i]!)) count = Number(args[i]!.slice(2));
    else rest.push(args[i]!);
  }
  const name = rest[0];
  if (!name) return { stdout: '', stderr: 'BusyBox v1.36.1 multi-call binary.\n\nUsage: ping [OPTIONS] HOST', code: 1 };
  const ip = resolve(s, c, eps, name)[0];
  if (!ip) return { stdout: '', stderr: `ping: bad address '${name}'`, code: 1 };
  let out = `PING ${name} (${ip}): 56 data bytes\n`;
  const ok2 = reachable(s, eps, ip);
  const times: number[] = [];
  for (let i = 0; i < count && ok2; i++) {
    const t = rtt(ip, i);
    times.push(Number(t));
    out += `64 bytes from ${ip}: seq=${i} ttl=64 time=${t} ms\n`;
  }
  out += `\n--- ${name} ping statistics ---\n${count} packets transmitted, ${times.length} packets received, ${ok2 ? 0 : 100}% packet loss\n`;
  if (times.length) {
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    out += `round-trip min/avg/max = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)} ms\n`;
  }
  return { stdout: out, stderr: '', code: ok2 ? 0 : 1 };
}

/**
 * busybox `nslookup NAME`: asks the first nameserver of the container's resolv.conf. The embedded DNS
 * (127.0.0.11) answers from the first network that knows the name (embeddedDnsAnswer), shuffled; the
 * host's resolvers (legacy bridge, host network) know no container names. busybox does not read /etc/hosts.
 */
export function nslookup(s: State, c: Asker, eps: Endpoint[], args: string[]): ToolResult {
  const name = args.find((a) => !a.startsWith('-'));
  if (!name) return { stdout: '', stderr: 'BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]', code: 1 };
  const server = resolverOf(s, c, eps) ?? '127.0.0.1';
  const head = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  const embedded = server === '127.0.0.11';
  const ips = embedded && !/^\d+\.\d+\.\d+\.\d+$/.test(name) ? shuffleAnswer(s, c.id, name, embeddedDnsAnswer(s, c.host, eps, name) ?? []) : [];
  if (!ips.length) return { stdout: head, stderr: `** server can't find ${name}: NXDOMAIN`, code: 1 };
  return ok(`${head}Non-authoritative answer:\n${ips.map((ip) => `Name:\t${name}\nAddress: ${ip}\n`).join('')}\n`);
}

export { ok };

const BUILTIN_CHAINS: Record<string, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
};

function pad(s: string, n: number): string {
  return s.length >= n ? `${s} ` : s.padEnd(n);
}

/** Rules libnetwork programs with `iptables -I` rather than `-A` (service_linux.go). */
function insertedRule(r: IptablesRule): boolean {
  return (r.chain === 'DOCKER-INGRESS' && r.target !== 'RETURN') || (r.table === 'nat' && r.chain === 'POSTROUTING' && r.match === 'ADDRTYPE match src-type LOCAL');
}

/** `iptables -t TABLE -nvL` (counters are zero: packets arrive with the data plane). */
export function iptablesList(s: State, host: string, netns: string, table: string, only?: string): string | null {
  const rules = tvalues(s.rules).filter((r) => r.host === host && r.netns === netns && r.rule.table === table).sort((a, b) => a.seq - b.seq);
  const chains = [...(BUILTIN_CHAINS[table] ?? [])];
  for (const r of rules) {
    if (!chains.includes(r.rule.chain)) chains.push(r.rule.chain);
    if (!BUILTIN_CHAINS[table]?.includes(r.rule.target) && /^[A-Z][A-Z-]+$/.test(r.rule.target) && !['ACCEPT', 'DROP', 'RETURN', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'REDIRECT'].includes(r.rule.target) && !chains.includes(r.rule.target)) chains.push(r.rule.target);
  }
  // `iptables -L CHAIN`: that chain alone (null: the table has no such chain).
  if (only !== undefined && !chains.includes(only)) return null;
  const out: string[] = [];
  for (const chain of only === undefined ? chains : [only]) {
    const builtin = BUILTIN_CHAINS[table]?.includes(chain);
    // Rules libnetwork inserts with -I (the ingress port rules, the gwbridge's local MASQUERADE) sit
    // above the appended ones, the newest first.
    const all = rules.filter((r) => r.rule.chain === chain);
    const inChain = [...all.filter((r) => insertedRule(r.rule)).reverse(), ...all.filter((r) => !insertedRule(r.rule))];
    const refs = rules.filter((r) => r.rule.target === chain).length;
    out.push(builtin ? `Chain ${chain} (policy ACCEPT 0 packets, 0 bytes)` : `Chain ${chain} (${refs} references)`);
    out.push(' pkts bytes target     prot opt in     out     source               destination         ');
    for (const { rule: r } of inChain) {
      // Matches print in rule order: `-p tcp --sport N -m conntrack …` shows `tcp spt:N ctstate …`.
      const extra = [r.dport ? `${r.proto} dpt:${r.dport}` : '', r.sport ? `${r.proto} spt:${r.sport}` : '', r.match, r.targetArg].filter(Boolean).join(' ');
      out.push(`${'0'.padStart(5)} ${'0'.padStart(5)} ${pad(r.target, 10)} ${pad(r.proto, 4)} --  ${pad(r.in, 6)} ${pad(r.out, 6)} ${pad(r.src, 20)} ${pad(r.dst, 20)} ${extra}`.trimEnd());
    }
    if (only === undefined) out.push('');
  }
  return only === undefined ? out.join('\n') : `${out.join('\n')}\n`;
}

/** `ipvsadm -Ln` inside a namespace. */
export function ipvsadmList(s: State, host: string, netns: string): string {
  let out = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  for (const v of tvalues(s.ipvs).filter((x) => x.host === host && x.netns === netns).sort((a, b) => a.fwmark - b.fwmark)) {
    out += `FWM  ${v.fwmark} rr\n`;
    // The real servers: the service's backends on the network (the same on every node).
    const dests = tget(s.backends, `${v.networkId}/${v.serviceId}`)?.ips ?? [];
    for (const d of [...dests].sort((a, b) => ipToInt(a) - ipToInt(b))) out += `  -> ${`${d}:0`.padEnd(28)} Masq    1      0          0         \n`;
  }
  return out;
}
