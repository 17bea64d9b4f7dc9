/** One readable line per event, naming nodes by hostname where the state knows them. */
import type { EngineEvent, VethEnd } from '../../events/index.js';
import { formatDurationMs } from '../sim/duration.js';
import { assertNever } from '../state/invariant.js';
import { tget } from '../state/table.js';
import type { State } from '../state/types.js';

/** `worker1 (3k2j5…)` when the node is known, else the short ID. */
export function nodeLabel(s: State | null, nodeId: string): string {
  const n = s ? tget(s.nodes, nodeId) : undefined;
  return n ? `${n.hostname} (${nodeId.slice(0, 12)})` : nodeId.slice(0, 12);
}

export function serviceLabel(s: State | null, id: string): string {
  const svc = s ? tget(s.services, id) : undefined;
  return svc ? svc.spec.name : id.slice(0, 12);
}

/** `web.3` or `web.<node id>` as docker/cli names tasks. */
export function taskName(s: State | null, serviceId: string, slot: number, nodeId: string | null): string {
  return `${serviceLabel(s, serviceId)}.${slot > 0 ? slot : nodeId}`;
}

export function taskLabel(s: State | null, taskId: string): string {
  const t = s ? tget(s.tasks, taskId) : undefined;
  return t ? `${taskName(s, t.serviceId, t.slot, t.nodeId)} (${taskId.slice(0, 12)})` : taskId.slice(0, 12);
}

export function networkLabel(s: State | null, id: string): string {
  const n = s ? tget(s.networks, id) : undefined;
  return n ? n.name : id.slice(0, 12);
}

export function containerLabel(s: State | null, id: string): string {
  const c = s ? tget(s.containers, id) : undefined;
  return c ? c.name : id.slice(0, 12);
}

export function describe(e: EngineEvent, s: State | null): string {
  switch (e.type) {
    case 'LogInitialized': return `log created with seed ${e.seed}`;
    case 'ClockAdvanced': return `clock ${formatDurationMs(e.fromMs)} → ${formatDurationMs(e.toMs)}`;
    case 'HostAdded': return `host ${e.name} added (${e.ip}, ${e.os}/${e.arch}, ${e.nanoCpus / 1e9} CPUs)`;
    case 'HostCrashed': return `host ${e.name} crashed`;
    case 'HostBooted': return `host ${e.name} booted`;
    case 'SwarmInitialized': return `swarm ${e.swarmId.slice(0, 12)} initialized on ${e.host}: node ${e.nodeId.slice(0, 12)} is the first manager and leader`;
    case 'JoinTokenRotated': return `${e.role} join token rotated`;
    case 'NodeJoined': return `${e.host} joined as a ${e.role}: node ${e.nodeId.slice(0, 12)}`;
    case 'NodeLeft': return `${e.host} left the swarm (node ${e.nodeId.slice(0, 12)})`;
    case 'NodeRemoved': return `node ${nodeLabel(s, e.nodeId)} removed`;
    case 'NodeStatusChanged': return `node ${nodeLabel(s, e.nodeId)} ${e.from} → ${e.to}${e.message ? ` (${e.message})` : ''}`;
    case 'NodeAvailabilityChanged': return `node ${nodeLabel(s, e.nodeId)} availability ${e.from} → ${e.to}`;
    case 'NodeLabelsChanged': return `node ${nodeLabel(s, e.nodeId)} labels${Object.entries(e.added).map(([k, v]) => ` +${k}=${v}`).join('')}${e.removed.map((k) => ` -${k}`).join('')}`;
    case 'NodeRoleChanged': return `node ${nodeLabel(s, e.nodeId)} ${e.from} → ${e.to}`;
    case 'RaftLeaderLost': return `raft: leader ${nodeLabel(s, e.nodeId)} lost in term ${e.term} (${e.reason})`;
    case 'RaftElectionScheduled': return `raft: election timeout of ${nodeLabel(s, e.candidateId)} expires at ${formatDurationMs(e.dueMs)}`;
    case 'RaftElectionFailed': return `raft: election for term ${e.term} failed: ${e.upManagers} of the ${e.quorum} managers a quorum needs are up`;
    case 'RaftStepDownScheduled': return `raft: leader cannot reach a quorum; steps down at ${formatDurationMs(e.dueMs)}`;
    case 'RaftStepDownCancelled': return 'raft: quorum is back; the leader stays';
    case 'RaftLeaderElected': return `raft: ${nodeLabel(s, e.nodeId)} elected leader for term ${e.term}`;
    case 'ServiceCreated': return `service ${e.spec.name} created (${e.spec.mode}${e.spec.mode === 'replicated' ? `, ${e.spec.replicas} replica${e.spec.replicas === 1 ? '' : 's'}` : ''}, ${e.spec.image.split('@')[0]})`;
    case 'ServiceUpdated': return `service ${e.spec.name} ${e.rollback ? 'rolled back' : 'updated'}`;
    case 'ServiceRemoved': return `service ${serviceLabel(s, e.serviceId)} removed`;
    case 'ServiceUpdateStatusChanged': return `service ${serviceLabel(s, e.serviceId)} update ${e.status.state}: ${e.status.message}`;
    case 'TaskCreated': return `task ${taskName(s, e.serviceId, e.slot, e.nodeId)} (${e.taskId.slice(0, 12)}) created, desired ${e.desiredState}${e.replaces ? `, replaces ${e.replaces.slice(0, 12)}` : ''}`;
    case 'TaskStateChanged': return `task ${taskLabel(s, e.taskId)} ${e.from} → ${e.to}${e.err ? ` (${e.err})` : ''}`;
    case 'TaskAssigned': return `task ${taskLabel(s, e.taskId)} assigned to ${nodeLabel(s, e.nodeId)}`;
    case 'TaskUnschedulable': return `task ${taskLabel(s, e.taskId)} pending: ${e.err}`;
    case 'TaskDesiredStateChanged': return `task ${taskLabel(s, e.taskId)} desired ${e.from} → ${e.to}`;
    case 'TaskRemoved': return `task ${e.taskId.slice(0, 12)} removed`;
    case 'SecretCreated': return `secret ${e.name} created (${e.size} bytes, sealed)`;
    case 'SecretRemoved': return `secret ${e.secretId.slice(0, 12)} removed`;
    case 'ConfigCreated': return `config ${e.name} created`;
    case 'ConfigRemoved': return `config ${e.configId.slice(0, 12)} removed`;
    case 'VolumeCreated': return `volume ${e.name.slice(0, 24)} created on ${e.host}`;
    case 'VolumeRemoved': return `volume ${e.name.slice(0, 24)} removed from ${e.host}`;
    case 'ContainerCreated': return `container ${e.name} (${e.containerId.slice(0, 12)}) created on ${e.host}`;
    case 'ContainerStateChanged': return `container ${containerLabel(s, e.containerId)} ${e.from} → ${e.to}${e.to === 'exited' ? ` (${e.exitCode})` : ''}`;
    case 'ContainerNetworksChanged': return `container ${containerLabel(s, e.containerId)} networks: ${e.networks.map((n) => networkLabel(s, n)).join(', ') || 'none'}`;
    case 'ContainerRemoved': return `container ${e.containerId.slice(0, 12)} removed`;
    case 'NetworkCreated': return `network ${e.name} created (${e.driver}, ${e.scope}${e.host ? ` on ${e.host}` : ''}${e.subnet ? `, ${e.subnet}` : ''}${e.vni ? `, VNI ${e.vni}` : ''})`;
    case 'NetworkRemoved': return `network ${networkLabel(s, e.networkId)} removed`;
    case 'AddressAllocated': return `${networkLabel(s, e.networkId)}: ${e.ip} allocated to ${e.owner.kind} ${e.owner.id.slice(0, 12)}`;
    case 'AddressReleased': return `${networkLabel(s, e.networkId)}: ${e.ip} released`;
    case 'EndpointCreated': return `endpoint ${e.name} on ${networkLabel(s, e.networkId)}: ${e.ifName} ${e.ip} in ${e.sandbox} on ${e.host}`;
    case 'EndpointRemoved': return `endpoint ${e.endpointId.slice(0, 12)} removed`;
    case 'NetnsCreated': return `${e.host}: netns ${e.netns} created`;
    case 'NetnsRemoved': return `${e.host}: netns ${e.netns} removed`;
    case 'LinkCreated': return `${e.host}: ${e.kind} ${e.name}${e.kind === 'veth' ? `@if${e.peer}` : ''} (index ${e.ifIndex}) in ${e.netns || 'the root namespace'}${e.master ? `, master ${e.master}` : ''}`;
    case 'VethCreated': {
      const end = (x: VethEnd, peer: VethEnd) => `${x.name}@if${peer.ifIndex} (index ${x.ifIndex}) in ${x.netns || 'the root namespace'}${x.master ? `, master ${x.master}` : ''}`;
      return `${e.host}: veth ${end(e.outer, e.inner)} ⇄ ${end(e.inner, e.outer)}`;
    }
    case 'LinkRemoved': return `${e.host}: ${e.name} removed from ${e.netns || 'the root namespace'}`;
    case 'AddressAssigned': return `${e.host}: ${e.cidr} on ${e.ifName} in ${e.netns || 'the root namespace'}`;
    case 'AddressUnassigned': return `${e.host}: ${e.cidr} removed from ${e.ifName} in ${e.netns || 'the root namespace'}`;
    case 'RouteAdded': return `${e.host}: route ${e.dst}${e.via ? ` via ${e.via}` : ''} dev ${e.dev} in ${e.netns || 'the root namespace'}`;
    case 'RouteRemoved': return `${e.host}: route ${e.dst} dev ${e.dev} removed from ${e.netns || 'the root namespace'}`;
    case 'IptablesRuleAdded': return `${e.host}: iptables -t ${e.rule.table} -A ${e.rule.chain} … -j ${e.rule.target} in ${e.netns || 'the root namespace'}`;
    case 'IptablesRuleRemoved': return `${e.host}: iptables -t ${e.rule.table} -D ${e.rule.chain} … -j ${e.rule.target} in ${e.netns || 'the root namespace'}`;
    case 'IpvsServiceAdded': return `${e.host}: IPVS FWM ${e.fwmark} rr in ${e.netns} (${serviceLabel(s, e.serviceId)}, VIP ${e.vip})`;
    case 'IpvsServiceRemoved': return `${e.host}: IPVS FWM ${e.fwmark} removed from ${e.netns}`;
    case 'LbBackendAdded': return `load balancer of ${serviceLabel(s, e.serviceId)} on ${networkLabel(s, e.networkId)}: backend ${e.ip} added`;
    case 'LbBackendRemoved': return `load balancer of ${serviceLabel(s, e.serviceId)} on ${networkLabel(s, e.networkId)}: backend ${e.ip} removed`;
    case 'DnsRecordAdded': return `DNS on ${networkLabel(s, e.networkId)}: ${e.name} → ${e.ip}`;
    case 'DnsRecordRemoved': return `DNS on ${networkLabel(s, e.networkId)}: ${e.name} ↛ ${e.ip}`;
    default: return assertNever(e);
  }
}

/** Node IDs and host names an event is about (for `engine log --node`). */
export function subjects(e: EngineEvent): string[] {
  const out: string[] = [];
  const r = e as unknown as Record<string, unknown>;
  for (const k of ['nodeId', 'host', 'name', 'candidateId', 'serviceId', 'taskId', 'networkId']) if (typeof r[k] === 'string') out.push(r[k] as string);
  return out;
}
