/** docker service create / update / scale / rollback / rm, as the CLI, dockerd and swarmkit's controlapi decide them. */
import { createHash } from 'node:crypto';
import type { EngineEvent, PortConfig, ServiceSpec, UpdateConfig } from '../../events/index.js';
import { parseConstraint } from '../controllers/scheduler/constraints.js';
import { swarmId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { tget, tvalues } from '../state/table.js';
import type { Network, Service, State, Task } from '../state/types.js';
import { randomName } from './containers.js';
import { daemon, reject, rpc } from './rejection.js';
import { nameError, normalizeImage, validImageReference } from './parse.js';

export const DEFAULT_RESTART = { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 } as const;
export const DEFAULT_UPDATE = { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' } as const;

/** A fresh spec with swarmkit's defaults (api/defaults/service.go). */
export function defaultSpec(name: string, image: string): ServiceSpec {
  return {
    name, labels: {}, image, command: [], args: [], env: [], hostname: '', workdir: '', user: '', containerLabels: {},
    mode: 'replicated', replicas: 1, maxReplicasPerNode: 0, constraints: [], preferences: [],
    reservations: { nanoCpus: 0, memoryBytes: 0 }, limits: { nanoCpus: 0, memoryBytes: 0 },
    restart: { ...DEFAULT_RESTART }, update: { ...DEFAULT_UPDATE }, rollback: { ...DEFAULT_UPDATE, failureAction: 'pause' },
    secrets: [], configs: [], mounts: [], endpointMode: 'vip', ports: [], networks: [], forceUpdate: 0, stopGracePeriodMs: 10_000,
  };
}

/** The image reference the CLI sends: tag added, digest pinned (a simulated registry's digest). */
export function pinImage(ref: string): string {
  // An invalid reference cannot be looked up: dockerd keeps it as given (with a warning) and swarmkit refuses it.
  if (!validImageReference(ref)) return ref;
  const normalized = normalizeImage(ref);
  if (normalized.includes('@')) return normalized;
  return `${normalized}@sha256:${createHash('sha256').update(`swarm-engine image ${normalized}`).digest('hex')}`;
}

/** Finds a service by full ID, name, or unique ID prefix. */
export function findService(s: State, ref: string): Service | undefined {
  const byId = tget(s.services, ref);
  if (byId) return byId;
  const all = tvalues(s.services);
  const byName = all.find((x) => x.spec.name === ref);
  if (byName) return byName;
  const byPrefix = all.filter((x) => x.id.startsWith(ref));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/**
 * A task as dockerd looks it up (daemon/cluster/helpers.go getTask): its full ID, its full name
 * (`<service>.<slot or node ID>.<task ID>`, swarmkit's naming.Task), then a unique ID prefix.
 */
export function resolveTask(s: State, ref: string): Task {
  const byId = tget(s.tasks, ref);
  if (byId) return byId;
  const named = /^(.+)\.([^.]+)\.([0-9a-z]{25})$/.exec(ref);
  const byName = named ? tget(s.tasks, named[3]!) : undefined;
  if (byName) {
    const svc = tget(s.services, byName.serviceId);
    if (svc?.spec.name === named![1] && String(byName.slot > 0 ? byName.slot : byName.nodeId) === named![2]) return byName;
  }
  const byPrefix = tvalues(s.tasks).filter((x) => x.id.startsWith(ref));
  if (byPrefix.length === 0) daemon(`task ${ref} not found`);
  if (byPrefix.length > 1) daemon(`task ${ref} is ambiguous (${byPrefix.length} matches found)`);
  return byPrefix[0]!;
}

export function resolveService(s: State, ref: string): Service {
  return findService(s, ref) ?? daemon(`service ${ref} not found`);
}

/**
 * What dockerd checks while converting the spec for swarmkit (daemon/cluster/convert/service.go
 * ServiceSpecToGRPC), in its order: the restart condition, the update then rollback configs' failure
 * action and order, the endpoint mode. The docker CLI sends these flags as typed; an empty value takes
 * the default. Its refusals carry no gRPC code.
 */
export function convertSpec(spec: ServiceSpec): ServiceSpec {
  const raw = (v: string) => v as string;
  const condition = raw(spec.restart.condition) || 'any';
  if (!['none', 'on-failure', 'any'].includes(condition)) daemon(`invalid RestartCondition: ${JSON.stringify(condition)}`);
  const conv = (u: ServiceSpec['update']): ServiceSpec['update'] => {
    const failureAction = raw(u.failureAction) || 'pause';
    if (!['pause', 'continue', 'rollback'].includes(failureAction)) daemon(`unrecognized update failure action ${failureAction}`);
    const order = raw(u.order) || 'stop-first';
    if (!['stop-first', 'start-first'].includes(order)) daemon(`unrecognized update order ${order}`);
    return { ...u, failureAction: failureAction as UpdateConfig['failureAction'], order: order as UpdateConfig['order'] };
  };
  const update = conv(spec.update);
  const rollback = conv(spec.rollback);
  const endpointMode = raw(spec.endpointMode) || 'vip';
  if (endpointMode !== 'vip' && endpointMode !== 'dnsrr') daemon(`invalid resolution mode: ${JSON.stringify(endpointMode)}`);
  return {
    ...spec, restart: { ...spec.restart, condition: condition as ServiceSpec['restart']['condition'] }, update, rollback,
    endpointMode: endpointMode as ServiceSpec['endpointMode'],
  };
}

/**
 * Checks a spec as controlapi validateServiceSpec does, in its order: name, resources (limits, then
 * reservations), restart policy, constraints, secret targets, update config (not the rollback config),
 * endpoint.
 */
export function validateSpec(spec: ServiceSpec): void {
  const ne = nameError(spec.name);
  if (ne) rpc('InvalidArgument', ne);
  for (const r of [spec.limits, spec.reservations]) {
    if (r.nanoCpus !== 0 && r.nanoCpus < 1e6) rpc('InvalidArgument', `invalid cpu value ${r.nanoCpus / 1e9}: Must be at least 0.001`);
    if (r.memoryBytes !== 0 && r.memoryBytes < 4 * 1024 * 1024) rpc('InvalidArgument', `invalid memory value ${r.memoryBytes}: Must be at least 4MiB`);
  }
  if (spec.restart.delayMs < 0) rpc('InvalidArgument', 'TaskSpec: restart-delay cannot be negative');
  if (spec.restart.windowMs < 0) rpc('InvalidArgument', 'TaskSpec: restart-window cannot be negative');
  for (const c of spec.constraints) {
    const r = parseConstraint(c);
    if (typeof r === 'string') rpc('Unknown', r);
  }
  const targets = new Map<string, string>();
  for (const r of spec.secrets) {
    const other = targets.get(r.target);
    if (other !== undefined) rpc('InvalidArgument', `secret references '${other}' and '${r.name}' have a conflicting target: '${r.target}'`);
    targets.set(r.target, r.name);
  }
  // validateImage (controlapi/service.go), once secrets and configs are checked.
  if (spec.image === '') rpc('InvalidArgument', 'ContainerSpec: image reference must be provided');
  if (!validImageReference(spec.image)) rpc('InvalidArgument', `ContainerSpec: ${JSON.stringify(spec.image)} is not a valid repository/tag`);
  if (spec.update.delayMs < 0) rpc('InvalidArgument', 'TaskSpec: update-delay cannot be negative');
  if (spec.update.monitorMs < 0) rpc('InvalidArgument', 'TaskSpec: update-monitor cannot be negative');
  // float32, as swarmkit compares it (NaN passes).
  const ratio = Math.fround(spec.update.maxFailureRatio);
  if (ratio < 0 || ratio > 1) rpc('InvalidArgument', 'TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1');
  // validateEndpointSpec: port by port, dnsrr with ingress, then a published port seen twice (per protocol).
  const seen = new Set<string>();
  for (const p of spec.ports) {
    if (spec.endpointMode === 'dnsrr' && p.publishMode === 'ingress') rpc('InvalidArgument', "EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    if (p.publishedPort === 0) continue;
    const k = `${p.protocol}/${p.publishedPort}`;
    if (seen.has(k)) rpc('InvalidArgument', 'EndpointSpec: duplicate published ports provided');
    seen.add(k);
  }
}

export const FIRST_DYNAMIC_PORT = 30000;
export const LAST_DYNAMIC_PORT = 32767;

/** Allocates published ports (portallocator.go): explicit ones checked for conflicts, ingress ones left at 0 taken from 30000 up. */
export function allocatePorts(s: State, spec: ServiceSpec, self: Service | null): PortConfig[] {
  const used = new Map<string, { svc: Service; mode: string }>();
  for (const other of tvalues(s.services)) {
    if (other.id === self?.id) continue;
    for (const p of other.endpointPorts) if (p.publishedPort) used.set(`${p.protocol}/${p.publishedPort}`, { svc: other, mode: p.publishMode });
  }
  for (const p of spec.ports) {
    if (!p.publishedPort) continue;
    const u = used.get(`${p.protocol}/${p.publishedPort}`);
    if (!u) continue;
    if (p.publishMode === 'host' && u.mode === 'host') continue;
    rpc('InvalidArgument', `port '${p.publishedPort}' is already in use by service '${u.svc.spec.name}' (${u.svc.id}) as ${u.mode === 'ingress' ? 'an ingress port' : 'a host-published port'}`);
  }
  const mine = new Set(spec.ports.filter((p) => p.publishedPort).map((p) => `${p.protocol}/${p.publishedPort}`));
  const out: PortConfig[] = [];
  for (const p of spec.ports) {
    if (p.publishedPort || p.publishMode === 'host') {
      out.push({ ...p });
      continue;
    }
    // Keep the port this service already had for the same target.
    const prev = self?.endpointPorts.find((q) => q.protocol === p.protocol && q.targetPort === p.targetPort && q.publishMode === 'ingress' && !mine.has(`${q.protocol}/${q.publishedPort}`));
    let port = prev?.publishedPort ?? 0;
    if (!port) {
      for (port = FIRST_DYNAMIC_PORT; port <= LAST_DYNAMIC_PORT; port++) {
        const k = `${p.protocol}/${port}`;
        if (!used.has(k) && !mine.has(k)) break;
      }
      if (port > LAST_DYNAMIC_PORT) rpc('ResourceExhausted', 'could not find an available port');
    }
    mine.add(`${p.protocol}/${port}`);
    out.push({ ...p, publishedPort: port });
  }
  return out;
}

/**
 * A swarm-scoped network by ID, name or unique ID prefix, as NetworkInspect with scope swarm finds it
 * (docker/cli resolveNetworkID), or the daemon's refusal.
 */
export function findSwarmNetwork(s: State, ref: string): Network {
  const swarmNets = tvalues(s.networks).filter((n) => n.scope === 'swarm');
  const byPrefix = swarmNets.filter((x) => x.id.startsWith(ref));
  const n = swarmNets.find((x) => x.id === ref) ?? swarmNets.find((x) => x.name === ref) ?? (byPrefix.length === 1 ? byPrefix[0] : undefined);
  if (!n) {
    // swarmkit keeps swarm-scoped copies of the predefined host and bridge networks, so that Docker accepts
    // `--network host|bridge` for a service; the engine does not simulate tasks on them.
    if (ref === 'host' || ref === 'bridge') reject(`services on the predefined ${ref} network are not simulated by swarm-engine (use an overlay network)`);
    // NetworkInspect with scope=swarm does not see a local network: dockerd's plain not-found.
    daemon(`network ${ref} not found`);
  }
  return n;
}

/** `--network NAME` → the swarm network's ID (swarmkit stores Targets as IDs); ingress cannot be named. */
export function resolveNetworks(s: State, spec: ServiceSpec): ServiceSpec {
  if (spec.networks.length === 0) return spec;
  const options: NonNullable<ServiceSpec['networkOptions']> = {};
  const ids = spec.networks.map((ref) => {
    const n = findSwarmNetwork(s, ref);
    if (n.ingress) rpc('InvalidArgument', `Service cannot be explicitly attached to the ingress network "${n.name}"`);
    const o = spec.networkOptions?.[ref];
    if (o) options[n.id] = o;
    return n.id;
  });
  if (ids.every((id, i) => id === spec.networks[i])) return spec;
  const out: ServiceSpec = { ...spec, networks: [...new Set(ids)] };
  if (Object.keys(options).length) out.networkOptions = options;
  else delete out.networkOptions;
  return out;
}

export function decideServiceCreate(s: State, requested: ServiceSpec, rng: Prng): EngineEvent[] {
  // dockerd names a service created without --name (daemon/cluster/convert ServiceSpecToGRPC).
  const spec = convertSpec(resolveNetworks(s, requested.name === '' ? { ...requested, name: randomName(rng) } : requested));
  validateSpec(spec);
  // controlapi CreateService: port conflicts, then the name (the store refuses a duplicate).
  const endpointPorts = allocatePorts(s, spec, null);
  if (tvalues(s.services).some((x) => x.spec.name === spec.name)) {
    rpc('AlreadyExists', `name conflicts with an existing object: service ${spec.name} already exists`);
  }
  return [{ type: 'ServiceCreated', serviceId: swarmId(rng), spec, endpointPorts }];
}

export function decideServiceUpdate(s: State, svc: Service, requested: ServiceSpec, rollback: boolean): EngineEvent[] {
  const spec = convertSpec(resolveNetworks(s, requested));
  validateSpec(spec);
  // controlapi UpdateService: port conflicts, then the mode, then the name.
  const endpointPorts = allocatePorts(s, spec, svc);
  if (spec.mode !== svc.spec.mode) rpc('Unimplemented', 'service mode change is not allowed');
  if (spec.name !== svc.spec.name) rpc('Unimplemented', 'renaming services is not supported');
  return [{ type: 'ServiceUpdated', serviceId: svc.id, spec, endpointPorts, rollback }];
}

export function decideServiceRollback(s: State, svc: Service): EngineEvent[] {
  if (!svc.previousSpec) rpc('FailedPrecondition', `service ${svc.id} does not have a previous spec`);
  return decideServiceUpdate(s, svc, svc.previousSpec, true);
}

export function decideServiceScale(s: State, ref: string, replicas: number): EngineEvent[] {
  const svc = resolveService(s, ref);
  if (svc.spec.mode !== 'replicated') reject('scale can only be used with replicated or replicated-job mode');
  return decideServiceUpdate(s, svc, { ...svc.spec, replicas }, false);
}

export function decideServiceRm(s: State, ref: string): EngineEvent[] {
  const svc = resolveService(s, ref);
  return [{ type: 'ServiceRemoved', serviceId: svc.id }];
}
