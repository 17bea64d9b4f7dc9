/**
 * Readers for what the networking commands print: `network ls --format json`, `network inspect`,
 * `ip addr` / `ip route`, `iptables -nvL`, `ipvsadm -Ln`, `ls /var/run/docker/netns`, and the
 * transcript of `engine run FILE`. Swarms are built with the services suite's helpers.
 */
import { expect } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import type { Json } from '../services/support.js';

export { clis, given, swarm, swarmScenario, refused, refusedWith, expectError, fingerprint, inspect, log, DAEMON, RPC, type Json } from '../services/support.js';

/** `network ls --format json` rows (the keys docker prints). */
export async function netRows(cli: TestCli, on: string | undefined, ...filters: string[]): Promise<Record<string, string>[]> {
  const out = await cli.ok(...(on ? ['--on', on] : []), 'network', 'ls', '--format', 'json', ...filters);
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
}

/** `network ls` names, as listed (on a host when `on` is given). */
export async function netNames(cli: TestCli, on?: string, ...filters: string[]): Promise<string[]> {
  const out = await cli.ok(...(on ? ['--on', on] : []), 'network', 'ls', '--format', '{{.Name}}', ...filters);
  return out.split('\n').filter(Boolean);
}

/** `network inspect NET` (typed on a host when `on` is given): the one object of the array. */
export async function netInspect(cli: TestCli, ref: string, on?: string): Promise<Json> {
  const arr = JSON.parse(await cli.ok(...(on ? ['--on', on] : []), 'network', 'inspect', ref)) as Json[];
  expect(arr).toHaveLength(1);
  return arr[0];
}

/** Subnet and gateway of a network (its one IPAM config). */
export async function subnetOf(cli: TestCli, ref: string, on?: string): Promise<string> {
  const n = await netInspect(cli, ref, on);
  return `${n.IPAM.Config[0].Subnet} gw ${n.IPAM.Config[0].Gateway}`;
}

/** A service's Endpoint.VirtualIPs as `network name → address`. */
export async function vips(cli: TestCli, service: string): Promise<[string, string][]> {
  const list = JSON.parse(await cli.ok('service', 'inspect', service, '--format', '{{json .Endpoint.VirtualIPs}}')) as { NetworkID: string; Addr: string }[] | null;
  const out: [string, string][] = [];
  for (const v of list ?? []) out.push([(await netInspect(cli, v.NetworkID)).Name, v.Addr]);
  return out;
}

export interface Iface {
  index: number;
  name: string;
  peer: number | null;
  mtu: number;
  master: string;
  mac: string;
  inet: string[];
  vxlanId: number | null;
}

/** `ip addr` parsed: one entry per interface (lo included). */
export function parseIpAddr(out: string): Iface[] {
  const ifs: Iface[] = [];
  for (const line of out.split('\n')) {
    const head = /^(\d+): ([^:@]+)(?:@if(\d+))?: <[^>]*> mtu (\d+)(?: qdisc \S+)?(?: master (\S+))?/.exec(line);
    if (head) {
      ifs.push({ index: Number(head[1]), name: head[2]!, peer: head[3] ? Number(head[3]) : null, mtu: Number(head[4]), master: head[5] ?? '', mac: '', inet: [], vxlanId: null });
      continue;
    }
    const cur = ifs[ifs.length - 1];
    if (!cur) continue;
    const link = /^\s+link\/\S+ (\S+)/.exec(line);
    if (link) cur.mac = link[1]!;
    const inet = /^\s+inet (\S+) /.exec(line);
    if (inet) cur.inet.push(inet[1]!);
    const vx = /^\s+vxlan id (\d+)/.exec(line);
    if (vx) cur.vxlanId = Number(vx[1]);
  }
  return ifs;
}

/** `exec TARGET ip addr` (on a host when `on` is given), parsed, without lo. */
export async function ifaces(cli: TestCli, target: string, on?: string): Promise<Iface[]> {
  return parseIpAddr(await cli.ok(...(on ? ['--on', on] : []), 'exec', target, 'ip', 'addr')).filter((i) => i.name !== 'lo');
}

/** `nsenter --net=/var/run/docker/netns/NS ip a` on a host, parsed, without lo. */
export async function nsIfaces(cli: TestCli, host: string, ns: string): Promise<Iface[]> {
  return parseIpAddr(await cli.ok('--on', host, 'nsenter', `--net=/var/run/docker/netns/${ns}`, 'ip', 'a')).filter((i) => i.name !== 'lo');
}

/** `ls /var/run/docker/netns` on a host. */
export async function netns(cli: TestCli, host: string): Promise<string[]> {
  return (await cli.ok('--on', host, 'ls', '/var/run/docker/netns')).split('\n').filter(Boolean);
}

/** The namespaces of a host that are not containers' (overlay namespaces and ingress_sbox). */
export async function sharedNetns(cli: TestCli, host: string): Promise<string[]> {
  return (await netns(cli, host)).filter((n) => !/^[0-9a-f]{12}$/.test(n));
}

/** The overlay namespace name of a network: "1-" + the first 10 characters of its ID. */
export async function overlayNsOf(cli: TestCli, net: string): Promise<string> {
  return `1-${(await netInspect(cli, net)).Id.slice(0, 10)}`;
}

export interface Rule {
  chain: string;
  target: string;
  prot: string;
  in: string;
  out: string;
  source: string;
  destination: string;
  /** Everything after the destination column (matches and target arguments). */
  extra: string;
}

/** `iptables -nvL` parsed into its chains (header line kept) and rules. */
export function parseIptables(out: string): { chains: Record<string, string>; rules: Rule[] } {
  const chains: Record<string, string> = {};
  const rules: Rule[] = [];
  let chain = '';
  for (const line of out.split('\n')) {
    const c = /^Chain (\S+) \((.*)\)$/.exec(line);
    if (c) {
      chain = c[1]!;
      chains[chain] = c[2]!;
      continue;
    }
    if (!line.trim() || line.trim().startsWith('pkts')) continue;
    const t = line.trim().split(/\s+/);
    expect(t[0], `counters of ${line}`).toBe('0');
    rules.push({ chain, target: t[2]!, prot: t[3]!, in: t[5]!, out: t[6]!, source: t[7]!, destination: t[8]!, extra: t.slice(9).join(' ') });
  }
  return { chains, rules };
}

/** One line per rule, `CHAIN TARGET PROT IN OUT SOURCE DESTINATION EXTRA`, to compare tables at a glance. */
export function ruleLines(out: string): string[] {
  return parseIptables(out).rules.map((r) => [r.chain, r.target, r.prot, r.in, r.out, r.source, r.destination, r.extra].join(' ').trim());
}

/** `iptables -t TABLE -nvL` on a host (ns = '' for the host's namespace), as rule lines. */
export async function iptables(cli: TestCli, host: string, table: string, ns = ''): Promise<string[]> {
  const args = ns ? ['nsenter', `--net=/var/run/docker/netns/${ns}`, 'iptables', '-nvL', '-t', table] : ['iptables', '-t', table, '-nvL'];
  return ruleLines(await cli.ok('--on', host, ...args));
}

/** `ipvsadm -Ln` in a namespace: fwmark → real servers (`ip:port Forward Weight`). */
export function parseIpvs(out: string): Record<string, string[]> {
  const lines = out.split('\n');
  expect(lines.slice(0, 3)).toEqual(['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn']);
  const out2: Record<string, string[]> = {};
  let cur = '';
  for (const line of lines.slice(3)) {
    if (!line) continue;
    const svc = /^(FWM)\s+(\d+) (\w+)$/.exec(line);
    if (svc) {
      cur = `${svc[1]} ${svc[2]} ${svc[3]}`;
      out2[cur] = [];
      continue;
    }
    const d = /^ {2}-> (\S+)\s+(\w+)\s+(\d+)\s+0\s+0\s*$/.exec(line);
    expect(d, `real server line ${JSON.stringify(line)}`).not.toBeNull();
    out2[cur]!.push(`${d![1]} ${d![2]} ${d![3]}`);
  }
  return out2;
}

export async function ipvs(cli: TestCli, host: string, ns = 'ingress_sbox'): Promise<Record<string, string[]>> {
  return parseIpvs(await cli.ok('--on', host, 'nsenter', `--net=/var/run/docker/netns/${ns}`, 'ipvsadm', '-Ln'));
}

/** The hosts a service's current tasks run on, by task name (`web.1` → node). */
export async function taskNodes(cli: TestCli, service: string): Promise<Record<string, string>> {
  const out = await cli.ok('service', 'ps', service, '--format', 'json', '--filter', 'desired-state=running');
  const map: Record<string, string> = {};
  for (const l of out.split('\n').filter(Boolean)) {
    const r = JSON.parse(l) as { Name: string; Node: string };
    map[r.Name] = r.Node;
  }
  return map;
}

/**
 * `exec TARGET nslookup NAME`: the addresses answered (empty when the name is unknown), in address order:
 * the embedded DNS shuffles its answers (resolver.go), so the order printed is not part of what is compared.
 */
export async function nslookup(cli: TestCli, target: string, name: string): Promise<string[]> {
  const r = await cli.run('exec', target, 'nslookup', name);
  if (r.code !== 0) {
    expect(r.stderr).toContain(`** server can't find ${name}: NXDOMAIN`);
    return [];
  }
  const num = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return [...r.stdout.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]!).sort((a, b) => num(a) - num(b));
}

/** The blocks of an `engine run FILE` transcript: each command as typed and what it printed. */
export function transcript(out: string): { cmd: string; out: string }[] {
  const blocks: { cmd: string; out: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\$ (?:! )?engine (.*)$/.exec(line);
    if (m) blocks.push({ cmd: m[1]!, out: '' });
    else if (blocks.length) blocks[blocks.length - 1]!.out += `${line}\n`;
  }
  for (const b of blocks) b.out = b.out.replace(/\n+$/, '\n');
  return blocks;
}
