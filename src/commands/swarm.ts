/** docker swarm init / join / join-token / leave, as dockerd and swarmkit decide them. */
import type { EngineEvent, NodeAvailability, NodeRole } from '../../events/index.js';
import { hexToBase36, parseJoinToken, sha256Hex, swarmId, tokenSecret } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { selectHostNode, selectLeader, selectRaftHealth, isNodeAlive } from '../state/selectors.js';
import { tget, tvalues } from '../state/table.js';
import type { Host, State } from '../state/types.js';
import { requireDaemon, requireManager } from './access.js';
import { joinSecret, sealJoinSecret } from './sealing.js';
import { daemon, reject, rpc } from './rejection.js';
import { isIPv4, parseCidr } from './units.js';

export const ALREADY_IN_SWARM = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
export const DEFAULT_HEARTBEAT_MS = 5000;
export const DEFAULT_TASK_HISTORY = 5;

export interface InitInput {
  advertiseAddr?: string;
  dataPathAddr?: string;
  listenPort?: number;
  availability?: string;
  defaultAddrPool: string[];
  defaultAddrPoolMaskLength: number;
  dataPathPort?: number;
  heartbeatMs?: number;
  taskHistoryLimit?: number;
}

/** moby daemon/cluster/listen_addr.go */
export const BAD_ADVERTISE_ADDR = 'advertise address must be a non-zero IP address or network interface (with optional port number)';
export const BAD_DATA_PATH_ADDR = 'data path address must be a non-zero IP address or network interface (without a port number)';

/** `--advertise-addr` as dockerd takes it: an IP, an IP:port, or the host's interface `eth0`; null if it is none. */
function parseAdvertiseAddr(h: Host, value: string | undefined): { ip: string; port?: number } | null {
  if (value === undefined || value === 'eth0') return { ip: h.ip };
  const m = /^([^:]+)(?::(\d+))?$/.exec(value);
  if (!m || (m[1] !== 'eth0' && !isIPv4(m[1]!))) return null;
  const ip = m[1] === 'eth0' ? h.ip : m[1]!;
  return m[2] ? { ip, port: Number(m[2]) } : { ip };
}

/** `--data-path-addr`: an IP or the interface `eth0`, no port (resolveDataPathAddr). */
function resolveDataPathAddr(h: Host, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'eth0') return h.ip;
  if (!isIPv4(value)) daemon(BAD_DATA_PATH_ADDR);
  return value;
}

/** The hex SHA-256 a token's base-36 digest stands for (what swarmkit prints as Expected). */
function base36ToHex(digest36: string): string {
  let n = 0n;
  for (const c of digest36.toLowerCase()) n = n * 36n + BigInt(parseInt(c, 36));
  return n.toString(16).padStart(64, '0');
}

export function checkAvailability(value: string | undefined): NodeAvailability {
  const v = (value ?? 'active').toLowerCase();
  if (v !== 'active' && v !== 'pause' && v !== 'drain') reject(`invalid availability "${value}", only active, pause and drain are supported`);
  return v;
}

export function decideSwarmInit(s: State, h: Host, input: InitInput, rng: Prng): EngineEvent[] {
  const availability = checkAvailability(input.availability);
  requireDaemon(h);
  if (h.nodeId) daemon(ALREADY_IN_SWARM);
  if (s.swarm && tvalues(s.nodes).some((n) => isNodeAlive(s, n))) {
    reject(`the engine simulates one swarm, and it already exists: join it from ${h.name} with \`swarm join\``);
  }
  const adv = parseAdvertiseAddr(h, input.advertiseAddr) ?? daemon(BAD_ADVERTISE_ADDR);
  const dataPathAddr = resolveDataPathAddr(h, input.dataPathAddr);
  const pools = input.defaultAddrPool.length ? input.defaultAddrPool : ['10.0.0.0/8'];
  for (const p of pools) {
    const c = parseCidr(p);
    if (!c) reject(`invalid argument "${p}" for "--default-addr-pool" flag: invalid CIDR address: ${p}`);
    if (input.defaultAddrPoolMaskLength > 29 || input.defaultAddrPoolMaskLength < c.bits) {
      daemon(`rpc error: code = InvalidArgument desc = invalid SubnetSize ${input.defaultAddrPoolMaskLength} for pool ${p}`);
    }
  }
  const port = input.dataPathPort ?? 0;
  if (port !== 0 && (port < 1024 || port > 49151)) daemon(`data path port ${port} is invalid: it must be within 1024 - 49151`);
  const id = swarmId(rng);
  const nodeId = swarmId(rng);
  const caDigest = sha256Hex(`swarm-engine root CA ${id} ${rng.hex(32)}`);
  return [{
    type: 'SwarmInitialized', swarmId: id, caDigest,
    workerTokenSealed: sealJoinSecret(id, caDigest, 'worker', 0, tokenSecret(rng)), managerTokenSealed: sealJoinSecret(id, caDigest, 'manager', 0, tokenSecret(rng)),
    nodeId, host: h.name, advertiseAddr: adv.ip, dataPathAddr: dataPathAddr ?? adv.ip,
    listenPort: adv.port ?? input.listenPort ?? 2377, availability, defaultAddrPool: pools,
    subnetSize: input.defaultAddrPoolMaskLength, dataPathPort: port || 4789,
    heartbeatPeriodMs: input.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, taskHistoryLimit: input.taskHistoryLimit ?? DEFAULT_TASK_HISTORY,
  }];
}

export interface JoinInput {
  token: string;
  remote: string;
  advertiseAddr?: string;
  dataPathAddr?: string;
  availability?: string;
}

export function decideSwarmJoin(s: State, h: Host, input: JoinInput, rng: Prng): EngineEvent[] {
  const availability = checkAvailability(input.availability);
  requireDaemon(h);
  if (h.nodeId) daemon(ALREADY_IN_SWARM);
  // moby's Join ignores an advertise address it cannot resolve: the remote manager sees the node's address.
  const adv = parseAdvertiseAddr(h, input.advertiseAddr) ?? { ip: h.ip };
  const dataPathAddr = resolveDataPathAddr(h, input.dataPathAddr);
  const parsed = parseJoinToken(input.token);
  // swarmkit ParseJoinToken: the digest must also read as a base-36 number.
  if (!parsed || !/^[0-9a-z]+$/i.test(parsed.digest36)) daemon('invalid join token');
  const m = /^([^:]+)(?::(\d+))?$/.exec(input.remote);
  // A name is looked up directly; only an address needs a scan (hosts are keyed by name).
  const remoteHost = !m ? undefined : /^\d+\.\d+\.\d+\.\d+$/.test(m[1]!) ? tvalues(s.hosts).find((x) => x.ip === m[1] || x.name === m[1]) : tget(s.hosts, m[1]!);
  const remoteNode = remoteHost ? selectHostNode(s, remoteHost.name) : undefined;
  const port = m?.[2] ? Number(m[2]) : 2377;
  if (!remoteHost || !remoteHost.up || !remoteNode || remoteNode.role !== 'manager' || port !== 2377 || !s.swarm) {
    daemon('Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the "docker info" command to see the current swarm status of your node.');
  }
  const sw = s.swarm;
  if (parsed.digest36 !== hexToBase36(sw.caDigest, 50)) daemon(`remote CA does not match fingerprint. Expected: ${base36ToHex(parsed.digest36)}`);
  if (!selectLeader(s)) rpc('Unknown', "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.");
  let role: NodeRole;
  if (parsed.secret === joinSecret(sw, 'manager')) role = 'manager';
  else if (parsed.secret === joinSecret(sw, 'worker')) role = 'worker';
  else rpc('InvalidArgument', 'A valid join token is necessary to join this cluster');
  return [{
    type: 'NodeJoined', nodeId: swarmId(rng), host: h.name, role, advertiseAddr: adv.ip,
    dataPathAddr: dataPathAddr ?? adv.ip, availability,
  }];
}

export function checkRole(role: string): NodeRole {
  if (role !== 'worker' && role !== 'manager') reject(`unknown role ${role}`);
  return role;
}

export function decideJoinTokenRotate(s: State, h: Host, role: NodeRole, rng: Prng): EngineEvent[] {
  requireManager(s, h);
  const sw = s.swarm!;
  return [{ type: 'JoinTokenRotated', role, sealed: sealJoinSecret(sw.id, sw.caDigest, role, sw.raftIndex, tokenSecret(rng)) }];
}

export function decideSwarmLeave(s: State, h: Host, force: boolean): EngineEvent[] {
  requireDaemon(h);
  const n = selectHostNode(s, h.name);
  if (!n) daemon('This node is not part of a swarm');
  if (n.role === 'manager' && !force) {
    let msg = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
    const health = selectRaftHealth(s);
    const reachable = health.up.length;
    const unreachable = health.managers - reachable;
    // moby daemon/cluster: removingManagerCausesLossOfQuorum, isLastManager
    if (selectLeader(s) && reachable - 2 <= unreachable) {
      if (reachable === 1 && unreachable === 0) {
        daemon(msg + 'Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ');
      }
      msg += `Removing this node leaves ${reachable - 1} managers out of ${health.managers}. Without a Raft quorum your swarm will be inaccessible. `;
    }
    daemon(msg + 'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.');
  }
  return [{ type: 'NodeLeft', nodeId: n.id, host: h.name }];
}

/** The join command line printed by init and join-token. */
export function joinCommand(token: string, managerAddr: string): string {
  return `    docker swarm join --token ${token} ${managerAddr}`;
}

export function hostOfNode(s: State, nodeId: string): Host | undefined {
  const n = tget(s.nodes, nodeId);
  return n ? tget(s.hosts, n.hostname) : undefined;
}
