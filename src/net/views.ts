/**
 * What the network tools print inside a namespace, rendered from the simulated kernel state:
 * `ip addr`, `ip route`, `ping`, `nslookup`, `/etc/hosts`. Pure; no event is recorded.
 */
import { tget, tvalues } from '../state/table.js';
import type { IptablesRule } from '../../events/index.js';
import type { Container, Endpoint, Link, State } from '../state/types.js';
import { cidrSize, contains, intToIp, ipToInt, parseCidr } from './ipam.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

const ok = (stdout: string): ToolResult => ({ stdout, stderr: '', code: 0 });

function linksIn(s: State, host: string, netns: string): Link[] {
  return tvalues(s.links).filter((l) => l.host === host && l.netns === netns).sort((a, b) => a.ifIndex - b.ifIndex);
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
    for (const a of l.addrs) out += `    inet ${a} brd ${brd(a)} scope global ${l.name}\n       valid_lft forever preferred_lft forever\n`;
  }
  return out;
}

/** `ip route`: default first, then the other routes by destination. */
export function ipRoute(s: State, host: string, netns: string): string {
  const rs = tvalues(s.routes).filter((r) => r.host === host && r.netns === netns)
    .sort((a, b) => (a.dst === 'default' ? -1 : b.dst === 'default' ? 1 : ipToInt(a.dst.split('/')[0]!) - ipToInt(b.dst.split('/')[0]!)));
  return rs.map((r) => (r.dst === 'default' ? `default via ${r.via} dev ${r.dev} \n` : `${r.dst} dev ${r.dev} scope link ${r.src ? ` src ${r.src} ` : ''}\n`)).join('');
}

function isUserDefined(s: State, networkId: string): boolean {
  const n = tget(s.networks, networkId);
  return !!n && n.options['com.docker.network.bridge.default_bridge'] !== 'true' && !n.ingress && n.driver !== 'host' && n.driver !== 'null';
}

/** /etc/hosts of a container: itself, and its --link targets on the default bridge. */
export function etcHosts(s: State, c: Container, eps: Endpoint[]): Map<string, string> {
  const hosts = new Map<string, string>();
  const first = eps[0];
  if (first) {
    hosts.set(c.id.slice(0, 12), first.ip);
  }
  for (const l of c.links) {
    const [target, alias] = l.split(':') as [string, string | undefined];
    const t = tvalues(s.containers).find((x) => x.host === c.host && (x.name === target || x.id.startsWith(target)));
    const tep = t ? tvalues(s.endpoints).find((e) => e.containerId === t.id && tget(s.networks, e.networkId)?.options['com.docker.network.bridge.default_bridge'] === 'true') : undefined;
    if (t && tep) {
      hosts.set(t.name, tep.ip);
      if (alias) hosts.set(alias, tep.ip);
    }
  }
  return hosts;
}

/** A name as the container's resolver answers it: /etc/hosts, then the embedded DNS (127.0.0.11) on user-defined networks. */
export function resolve(s: State, c: Container, eps: Endpoint[], name: string): string[] {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return [name];
  const h = etcHosts(s, c, eps).get(name);
  if (h) return [h];
  const ips: string[] = [];
  for (const ep of eps) {
    if (!isUserDefined(s, ep.networkId)) continue;
    const r = tget(s.dns, `${ep.networkId}/${name}`);
    if (r) ips.push(...r.ips);
  }
  return ips;
}

/** Can a packet from this sandbox reach `ip`? On a network they share, or via a gateway. */
function reachable(s: State, eps: Endpoint[], ip: string): boolean {
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

export function ping(s: State, c: Container, eps: Endpoint[], args: string[]): ToolResult {
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

export function nslookup(s: State, c: Container, eps: Endpoint[], args: string[]): ToolResult {
  const name = args.find((a) => !a.startsWith('-'));
  if (!name) return { stdout: '', stderr: 'BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]', code: 1 };
  const embedded = eps.some((e) => isUserDefined(s, e.networkId));
  const server = embedded ? '127.0.0.11' : '8.8.8.8';
  const head = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  const ips = embedded ? resolve(s, c, eps, name).filter((ip) => ip !== name) : [];
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
export function iptablesList(s: State, host: string, netns: string, table: string): string {
  const rules = tvalues(s.rules).filter((r) => r.host === host && r.netns === netns && r.rule.table === table).sort((a, b) => a.seq - b.seq);
  const chains = [...(BUILTIN_CHAINS[table] ?? [])];
  for (const r of rules) {
    if (!chains.includes(r.rule.chain)) chains.push(r.rule.chain);
    if (!BUILTIN_CHAINS[table]?.includes(r.rule.target) && /^[A-Z][A-Z-]+$/.test(r.rule.target) && !['ACCEPT', 'DROP', 'RETURN', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'REDIRECT'].includes(r.rule.target) && !chains.includes(r.rule.target)) chains.push(r.rule.target);
  }
  const out: string[] = [];
  for (const chain of chains) {
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
    out.push('');
  }
  return out.join('\n');
}

/** `ipvsadm -Ln` inside a namespace. */
export function ipvsadmList(s: State, host: string, netns: string): string {
  let out = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  for (const v of tvalues(s.ipvs).filter((x) => x.host === host && x.netns === netns).sort((a, b) => a.fwmark - b.fwmark)) {
    out += `FWM  ${v.fwmark} rr\n`;
    for (const d of [...v.dests].sort((a, b) => ipToInt(a) - ipToInt(b))) out += `  -> ${`${d}:0`.padEnd(28)} Masq    1      0          0         \n`;
  }
  return out;
}
