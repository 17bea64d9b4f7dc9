/** docker service create / update / scale / rollback / rm, as the CLI, dockerd and swarmkit's controlapi decide them. */
import { createHash } from 'node:crypto';
import type { EngineEvent, PortConfig, ServiceSpec } from '../../events/index.js';
import { parseConstraint } from '../controllers/scheduler/constraints.js';
import { swarmId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { tget, tvalues } from '../state/table.js';
import type { Service, State } from '../state/types.js';
import { randomName } from './containers.js';
import { daemon, reject, rpc } from './rejection.js';
import { nameError, normalizeImage } from './parse.js';

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

export function resolveService(s: State, ref: string): Service {
  return findService(s, ref) ?? daemon(`service ${ref} not found`);
}

/** Checks a spec as controlapi does (names, constraints, resources, endpoint). */
export function validateSpec(spec: ServiceSpec): void {
  const ne = nameError(spec.name);
  if (ne) rpc('InvalidArgument', ne);
  for (const c of spec.constraints) {
    const r = parseConstraint(c);
    if (typeof r === 'string') rpc('Unknown', r);
  }
  for (const [what, r] of [['reservations', spec.reservations], ['limits', spec.limits]] as const) {
    if (r.nanoCpus !== 0 && r.nanoCpus < 1e6) rpc('InvalidArgument', `invalid cpu value ${r.nanoCpus / 1e9}: Must be at least 0.001`);
    if (r.memoryBytes !== 0 && r.memoryBytes < 4 * 1024 * 1024) rpc('InvalidArgument', `invalid memory value ${r.memoryBytes}: Must be at least 4MiB`);
    void what;
  }
  const seen = new Set<string>();
  for (const p of spec.ports) {
    if (p.publishedPort === 0) continue;
    const k = `${p.protocol}/${p.publishedPort}/${p.publishMode}`;
    if (seen.has(k)) rpc('InvalidArgument', 'EndpointSpec: duplicate published ports provided');
    seen.add(k);
  }
  if (spec.endpointMode === 'dnsrr' && spec.ports.some((p) => p.publishMode === 'ingress')) {
    rpc('InvalidArgument', "EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
  }
  const targets = new Map<string, string>();
  for (const r of spec.secrets) {
    const other = targets.get(r.target);
    if (other !== undefined) rpc('InvalidArgument', `secret references '${other}' and '${r.name}' have a conflicting target: '${r.target}'`);
    targets.set(r.target, r.name);
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

/** `--network NAME` → the swarm network's ID (swarmkit stores Targets as IDs); ingress cannot be named. */
export function resolveNetworks(s: State, spec: ServiceSpec): ServiceSpec {
  if (spec.networks.length === 0) return spec;
  const swarmNets = tvalues(s.networks).filter((n) => n.scope === 'swarm');
  const ids = spec.networks.map((ref) => {
    const n = swarmNets.find((x) => x.id === ref) ?? swarmNets.find((x) => x.name === ref) ?? swarmNets.find((x) => x.id.startsWith(ref));
    if (!n) {
      if (tvalues(s.networks).some((x) => x.name === ref && x.scope === 'local')) daemon(`network "${ref}" is declared as external, but it is not in the right scope: "local" instead of "swarm"`);
      daemon(`network ${ref} not found`);
    }
    if (n.ingress) rpc('InvalidArgument', `Service cannot be explicitly attached to the ingress network "${n.name}"`);
    return n.id;
  });
  return ids.every((id, i) => id === spec.networks[i]) ? spec : { ...spec, networks: [...new Set(ids)] };
}

export function decideServiceCreate(s: State, requested: ServiceSpec, rng: Prng): EngineEvent[] {
  // dockerd names a service created without --name (daemon/cluster/convert ServiceSpecToGRPC).
  const spec = resolveNetworks(s, requested.name === '' ? { ...requested, name: randomName(rng) } : requested);
  validateSpec(spec);
  if (tvalues(s.services).some((x) => x.spec.name === spec.name)) {
    rpc('AlreadyExists', `name conflicts with an existing object: service ${spec.name} already exists`);
  }
  return [{ type: 'ServiceCreated', serviceId: swarmId(rng), spec, endpointPorts: allocatePorts(s, spec, null) }];
}

export function decideServiceUpdate(s: State, svc: Service, requested: ServiceSpec, rollback: boolean): EngineEvent[] {
  const spec = resolveNetworks(s, requested);
  validateSpec(spec);
  if (spec.name !== svc.spec.name) rpc('Unimplemented', 'renaming services is not supported');
  if (spec.mode !== svc.spec.mode) rpc('Unimplemented', 'service mode change is not allowed');
  return [{ type: 'ServiceUpdated', serviceId: svc.id, spec, endpointPorts: allocatePorts(s, spec, svc), rollback }];
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
