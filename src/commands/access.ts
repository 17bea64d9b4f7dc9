/** Where a docker command is typed, and whether that daemon may run it (Docker's refusals). */
import { reject, daemon } from './rejection.js';
import { selectHostNode, selectLeader, selectManagers, isNodeAlive, naturalLess } from '../state/selectors.js';
import { tget } from '../state/table.js';
import type { Host, State, SwarmNode } from '../state/types.js';

export const NOT_A_MANAGER_WORKER =
  "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
export const NOT_IN_SWARM =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
export const NO_LEADER =
  "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
export const DAEMON_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

/** The host a docker command is typed on: `--on HOST`, else the leader's, else a sensible default. */
export function typedOn(s: State, on: string | null): Host {
  if (on !== null) {
    const h = tget(s.hosts, on);
    if (!h) reject(`no such host: ${on} (add it with: engine host add ${on})`);
    return h;
  }
  if (s.swarm) {
    const leader = selectLeader(s);
    if (leader) return tget(s.hosts, leader.hostname)!;
    const managers = selectManagers(s).sort((a, b) => naturalLess(a.hostname, b.hostname));
    const m = managers.find((n) => isNodeAlive(s, n)) ?? managers[0];
    if (m) return tget(s.hosts, m.hostname)!;
  }
  if (s.sim.firstHost) return tget(s.hosts, s.sim.firstHost)!;
  return reject('there are no hosts yet: add one with `engine host add NAME`');
}

/** The daemon must be running to answer at all. */
export function requireDaemon(h: Host): void {
  if (!h.up) reject(DAEMON_DOWN);
}

/** Manager-only commands: the node must be a manager, and the call goes through the Raft leader. */
export function requireManager(s: State, h: Host): SwarmNode {
  requireDaemon(h);
  const n = selectHostNode(s, h.name);
  if (!n) daemon(NOT_IN_SWARM);
  if (n.role !== 'manager') daemon(NOT_A_MANAGER_WORKER);
  if (!selectLeader(s)) daemon(NO_LEADER);
  return n;
}
