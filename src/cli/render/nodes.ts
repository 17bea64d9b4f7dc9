/** Views of swarm nodes: `docker node ls` rows, `docker node inspect` JSON and --pretty text. */
import { bytesSize } from '../../commands/units.js';
import { hexToBase36 } from '../../sim/ids.js';
import { rfc3339Nano } from '../../sim/clock.js';
import { isNodeAlive, naturalLess } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { State, SwarmNode } from '../../state/types.js';
import { jsonLine } from './json.js';
import { tabwrite } from './table.js';

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

export function managerStatus(s: State, n: SwarmNode): string {
  if (n.role !== 'manager') return '';
  if (s.swarm?.raft.leaderId === n.id && isNodeAlive(s, n)) return 'Leader';
  return isNodeAlive(s, n) ? 'Reachable' : 'Unreachable';
}

export interface NodeFilter {
  id?: string[];
  name?: string[];
  role?: string[];
  membership?: string[];
  label?: string[];
  'node.label'?: string[];
}

export const NODE_FILTER_KEYS = ['id', 'name', 'role', 'membership', 'label', 'node.label'];

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const i = want.indexOf('=');
  return i < 0 ? want in labels : labels[want.slice(0, i)] === want.slice(i + 1);
}

export function filterNodes(s: State, f: NodeFilter): SwarmNode[] {
  return tvalues(s.nodes)
    .filter((n) => !f.id || f.id.some((v) => n.id.startsWith(v)))
    // moby passes `name` as NamePrefixes: swarmkit matches the hostname's prefix (never a regexp).
    .filter((n) => !f.name || f.name.some((v) => n.hostname.startsWith(v)))
    .filter((n) => !f.role || f.role.includes(n.role))
    .filter((n) => !f.membership || f.membership.includes('accepted'))
    .filter((n) => !f['node.label'] || f['node.label'].every((v) => labelMatch(n.labels, v)))
    .filter((n) => !f.label || f.label.every((v) => labelMatch(tget(s.hosts, n.hostname)?.labels ?? {}, v)))
    .sort((a, b) => naturalLess(a.hostname, b.hostname) || (a.id < b.id ? -1 : 1));
}

export function nodeLsTable(s: State, nodes: SwarmNode[], selfId: string | null): string {
  const rows = [['ID  ', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION']];
  for (const n of nodes) {
    rows.push([`${n.id} ${n.id === selfId ? '*' : ' '}`, n.hostname, cap(n.state), cap(n.availability), managerStatus(s, n), engineVersion(s, n)]);
  }
  return tabwrite(rows);
}

export function nodeLsJson(s: State, nodes: SwarmNode[], selfId: string | null): string {
  return nodes
    .map((n) => jsonLine({
      ID: n.id, Self: n.id === selfId, Hostname: n.hostname, Status: cap(n.state), Availability: cap(n.availability),
      ManagerStatus: managerStatus(s, n), TLSStatus: 'Ready', EngineVersion: engineVersion(s, n),
    }))
    .join('');
}

function engineVersion(s: State, n: SwarmNode): string {
  return tget(s.hosts, n.hostname)?.engineVersion ?? '';
}

const PLUGINS = [
  ...['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'splunk', 'syslog'].map((Name) => ({ Type: 'Log', Name })),
  ...['bridge', 'host', 'ipvlan', 'macvlan', 'null', 'overlay'].map((Name) => ({ Type: 'Network', Name })),
  { Type: 'Volume', Name: 'local' },
];

/** A PEM-looking stand-in for the root CA certificate, derived from its digest. */
function trustRoot(caDigest: string): string {
  const body = Buffer.from(`swarm-engine simulated root CA ${caDigest}`).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The object `docker node inspect` prints for one node (moby api/types/swarm.Node). */
export function nodeInspect(s: State, n: SwarmNode): Record<string, unknown> {
  const h = tget(s.hosts, n.hostname);
  const sw = s.swarm!;
  const engine: Record<string, unknown> = { EngineVersion: h?.engineVersion ?? '' };
  if (h && Object.keys(h.labels).length) engine.Labels = h.labels;
  engine.Plugins = PLUGINS;
  const out: Record<string, unknown> = {
    ID: n.id,
    Version: { Index: n.version },
    CreatedAt: rfc3339Nano(s.sim.epochMs, n.createdAtMs),
    UpdatedAt: rfc3339Nano(s.sim.epochMs, n.updatedAtMs),
    Spec: { Labels: n.labels, Role: n.role, Availability: n.availability },
    Description: {
      Hostname: n.hostname,
      Platform: { Architecture: h?.arch ?? '', OS: h?.os ?? '' },
      Resources: { NanoCPUs: h?.nanoCpus ?? 0, MemoryBytes: h?.memoryBytes ?? 0 },
      Engine: engine,
      TLSInfo: {
        TrustRoot: trustRoot(sw.caDigest),
        CertIssuerSubject: Buffer.from(`0\x131\x110\x0f\x06\x03U\x04\x03\x13\x08swarm-ca`).toString('base64'),
        CertIssuerPublicKey: Buffer.from(hexToBase36(sw.caDigest, 50)).toString('base64'),
      },
    },
    Status: n.message ? { State: n.state, Message: n.message, Addr: n.addr } : { State: n.state, Addr: n.addr },
  };
  if (n.role === 'manager' && n.managerAddr) {
    const ms: Record<string, unknown> = {};
    if (managerStatus(s, n) === 'Leader') ms.Leader = true;
    ms.Reachability = isNodeAlive(s, n) ? 'reachable' : 'unreachable';
    ms.Addr = n.managerAddr;
    out.ManagerStatus = ms;
  }
  return out;
}

/** `docker node inspect --pretty` (cli/command/node/formatter.go). */
export function nodeInspectPretty(s: State, n: SwarmNode): string {
  const h = tget(s.hosts, n.hostname);
  const lines = [
    `ID:\t\t\t${n.id}`,
    `Hostname:\t\t${n.hostname}`,
    `Joined at:\t\t${rfc3339Nano(s.sim.epochMs, n.createdAtMs).replace('T', ' ').replace('Z', ' +0000 utc')}`,
    'Status:',
    ` State:\t\t\t${cap(n.state)}`,
    ` Availability:\t\t${cap(n.availability)}`,
    ` Address:\t\t${n.addr}`,
  ];
  if (n.role === 'manager' && n.managerAddr) {
    lines.push('Manager Status:', ` Address:\t\t${n.managerAddr}`, ` Raft Status:\t\t${isNodeAlive(s, n) ? 'Reachable' : 'Unreachable'}`,
      ` Leader:\t\t${managerStatus(s, n) === 'Leader' ? 'Yes' : 'No'}`);
  }
  lines.push('Platform:', ` Operating System:\t${h?.os ?? ''}`, ` Architecture:\t\t${h?.arch ?? ''}`,
    'Resources:', ` CPUs:\t\t\t${(h?.nanoCpus ?? 0) / 1e9}`, ` Memory:\t\t${bytesSize(h?.memoryBytes ?? 0)}`,
    'Plugins:', '  Log:\t\tawslogs, fluentd, gcplogs, gelf, journald, json-file, local, splunk, syslog',
    '  Network:\t\tbridge, host, ipvlan, macvlan, null, overlay', '  Volume:\t\tlocal',
    `Engine Version:\t\t${h?.engineVersion ?? ''}`);
  if (h && Object.keys(h.labels).length) {
    lines.push('Engine Labels:', ...Object.keys(h.labels).sort().map((k) => ` - ${k}=${h.labels[k]}`));
  }
  if (Object.keys(n.labels).length) {
    lines.push('Labels:', ...Object.keys(n.labels).sort().map((k) => ` - ${k}=${n.labels[k]}`));
  }
  return lines.join('\n') + '\n';
}
