/** The human summary `engine state` prints: hosts, swarm, Raft, nodes. */
import { formatDurationMs } from '../../sim/duration.js';
import { naturalLess, selectLeader, selectRaftHealth } from '../../state/selectors.js';
import { tvalues } from '../../state/table.js';
import type { State } from '../../state/types.js';
import { managerStatus } from './nodes.js';
import { tabwrite } from './table.js';

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

export function clusterSummary(s: State): string {
  let out = '';
  const hosts = tvalues(s.hosts).sort((a, b) => naturalLess(a.name, b.name));
  out += `hosts: ${hosts.length} (${hosts.filter((h) => h.up).length} up)\n`;
  if (!s.swarm) return out + 'swarm: none (engine swarm init on a host creates one)\n';
  const sw = s.swarm;
  const health = selectRaftHealth(s);
  const leader = selectLeader(s);
  out += `swarm: ${sw.id}, raft term ${sw.raft.term}, ${health.up.length}/${health.managers} managers up (quorum ${health.quorum})`;
  out += leader ? `, leader ${leader.hostname}\n` : ', NO LEADER';
  if (!leader) {
    out += sw.raft.electionDueMs !== null ? ` (election at ${formatDurationMs(sw.raft.electionDueMs)})\n` : health.hasQuorum ? '\n' : ' (quorum lost)\n';
  }
  const rows = [['HOSTNAME', 'HOST', 'ADDRESS', 'ROLE', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'NODE ID']];
  const byHost = new Map(hosts.map((h) => [h.name, h]));
  for (const n of tvalues(s.nodes).sort((a, b) => naturalLess(a.hostname, b.hostname) || (a.id < b.id ? -1 : 1))) {
    const h = byHost.get(n.hostname);
    rows.push([n.hostname, h?.up ? 'up' : 'down', n.addr, n.role, cap(n.state), cap(n.availability), managerStatus(s, n), n.id]);
  }
  return out + tabwrite(rows);
}
