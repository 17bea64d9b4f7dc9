/**
 * `docker stack deploy`: a compose file (version 3) turned into services, secrets, configs and
 * volumes named `<stack>_<name>` and labelled `com.docker.stack.namespace` (docker/cli compose/convert).
 */
import type { EngineEvent, FileReference, MountSpec, PortConfig, ServiceSpec, UpdateConfig } from '../../events/index.js';
import { parseDurationMs } from '../sim/duration.js';
import type { Prng } from '../sim/prng.js';
import { tvalues } from '../state/table.js';
import { evolveAll } from '../state/index.js';
import type { Host, State } from '../state/types.js';
import { decideNetworkCreate, removeNetworkEvents } from './networks.js';
import { decideConfigCreate, decideSecretCreate } from './objects.js';
import { parsePublish } from './parse.js';
import { reject, Rejection } from './rejection.js';
import { decideServiceCreate, decideServiceUpdate, pinImage } from './services.js';
import { nanoCpus, ramInBytes } from './units.js';

export const NAMESPACE_LABEL = 'com.docker.stack.namespace';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return reject(`${what} must be a string`);
}

function duration(v: unknown, what: string): number {
  const ms = parseDurationMs(str(v, what));
  if (ms === null) reject(`${what}: invalid duration ${JSON.stringify(v)}`);
  return ms;
}

function words(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => str(x, what));
  return str(v, what).trim().split(/\s+/);
}

/** `environment:` as a list (`A=1`) or a map (`A: 1`). */
function envOf(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => str(x, 'environment'));
  if (isObj(v)) return Object.keys(v).sort().map((k) => (v[k] === null || v[k] === undefined ? k : `${k}=${str(v[k], 'environment')}`));
  return reject('services.environment must be a mapping or a list');
}

function labelsOf(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((x) => str(x, 'labels')).map((l) => [l.split('=')[0]!, l.slice(l.indexOf('=') + 1 || l.length)]));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? '' : str(x, 'labels')]));
  return reject('labels must be a mapping or a list');
}

function updateConfig(v: unknown, base: UpdateConfig, what: string): UpdateConfig {
  if (!isObj(v)) return base;
  const out = { ...base };
  if (v.parallelism !== undefined) out.parallelism = Number(v.parallelism);
  if (v.delay !== undefined) out.delayMs = duration(v.delay, `${what}.delay`);
  if (v.failure_action !== undefined) {
    const a = str(v.failure_action, `${what}.failure_action`);
    if (a !== 'pause' && a !== 'continue' && a !== 'rollback') reject(`${what}.failure_action must be pause, continue or rollback`);
    out.failureAction = a;
  }
  if (v.monitor !== undefined) out.monitorMs = duration(v.monitor, `${what}.monitor`);
  if (v.max_failure_ratio !== undefined) out.maxFailureRatio = Number(v.max_failure_ratio);
  if (v.order !== undefined) {
    const o = str(v.order, `${what}.order`);
    if (o !== 'start-first' && o !== 'stop-first') reject(`${what}.order must be start-first or stop-first`);
    out.order = o;
  }
  return out;
}

function resources(v: unknown): { nanoCpus: number; memoryBytes: number } {
  const out = { nanoCpus: 0, memoryBytes: 0 };
  if (!isObj(v)) return out;
  if (v.cpus !== undefined) out.nanoCpus = nanoCpus(str(v.cpus, 'cpus')) ?? reject(`invalid cpus value ${JSON.stringify(v.cpus)}`);
  if (v.memory !== undefined) out.memoryBytes = ramInBytes(str(v.memory, 'memory')) ?? reject(`invalid memory value ${JSON.stringify(v.memory)}`);
  return out;
}

function portsOf(v: unknown): PortConfig[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((p): PortConfig[] => {
    if (isObj(p)) {
      const target = Number(p.target);
      if (!target) reject('services.ports: target is required');
      return [{ protocol: (p.protocol as PortConfig['protocol']) ?? 'tcp', targetPort: target, publishedPort: Number(p.published ?? 0), publishMode: (p.mode as PortConfig['publishMode']) ?? 'ingress' }];
    }
    try {
      return parsePublish(str(p, 'ports'));
    } catch (e) {
      return reject(`services.ports: ${(e as Error).message}`);
    }
  });
}

export interface ComposeFiles {
  /** Reads a file named by `file:` (relative to the compose file). */
  read(path: string): Buffer;
}

export interface StackPlan {
  events: EngineEvent[];
  messages: string[];
}

/** Plans a deploy: objects to create first, then services to create or update; one atomic batch. */
export function decideStackDeploy(s: State, host: Host, stack: string, compose: unknown, files: ComposeFiles, rng: Prng): StackPlan {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(stack)) reject(`invalid stack name "${stack}"`);
  if (!isObj(compose)) reject('Top-level object must be a mapping');
  const version = compose.version === undefined ? '3' : str(compose.version, 'version');
  if (!/^3(\.\d+)?$/.test(version)) reject(`unsupported Compose file version: ${version}`);
  const services = compose.services;
  if (!isObj(services) || Object.keys(services).length === 0) reject('services must be a mapping with at least one service');
  const ns = (n: string) => `${stack}_${n}`;
  const events: EngineEvent[] = [];
  const messages: string[] = [];
  let state = s;
  // Later decisions see earlier ones (a secret's ID, a service's ports): fold the planned events with the real reducers.
  const apply = (evs: EngineEvent[]) => {
    events.push(...evs);
    state = evolveAll(state, evs);
  };
  const objectName = new Map<string, string>();
  for (const kind of ['secrets', 'configs'] as const) {
    const defs = compose[kind];
    if (defs === undefined) continue;
    if (!isObj(defs)) reject(`${kind} must be a mapping`);
    for (const key of Object.keys(defs).sort()) {
      const d = defs[key];
      const def: Obj = isObj(d) ? d : {};
      const name = def.name !== undefined ? str(def.name, `${kind}.${key}.name`) : def.external ? key : ns(key);
      objectName.set(`${kind}/${key}`, name);
      const existing = (kind === 'secrets' ? tvalues(state.secrets) : tvalues(state.configs)).find((x) => x.name === name);
      if (def.external) {
        if (!existing) reject(`${kind === 'secrets' ? 'secret' : 'config'} not found: ${name}`);
        continue;
      }
      if (existing) continue;
      if (def.file === undefined) reject(`${kind}.${key}: file is required (or external: true)`);
      const data = files.read(str(def.file, `${kind}.${key}.file`));
      const labels = { ...labelsOf(def.labels), [NAMESPACE_LABEL]: stack };
      messages.push(`Creating ${kind === 'secrets' ? 'secret' : 'config'} ${name}`);
      apply(kind === 'secrets' ? decideSecretCreate(state, name, data, labels, rng) : decideConfigCreate(state, name, data, labels, rng));
    }
  }
  // Networks (docker/cli createNetworks): <stack>_<name> overlays; services that name none get <stack>_default.
  const netDefs: Obj = isObj(compose.networks) ? compose.networks : {};
  const svcNets = (svc: Obj): string[] => (Array.isArray(svc.networks) ? svc.networks.map((x) => str(x, 'networks')) : isObj(svc.networks) ? Object.keys(svc.networks) : ['default']);
  const wanted = [...new Set(Object.values(services).flatMap((x) => (isObj(x) ? svcNets(x) : [])))].sort();
  const netIds = new Map<string, string>();
  for (const key of wanted) {
    const def: Obj = isObj(netDefs[key]) ? (netDefs[key] as Obj) : {};
    if (key !== 'default' && !(key in netDefs)) reject(`service refers to undefined network ${key}: invalid compose project`);
    const name = def.name !== undefined ? str(def.name, `networks.${key}.name`) : def.external ? key : ns(key);
    const existing = tvalues(state.networks).find((n) => n.name === name && n.scope === 'swarm');
    if (def.external) {
      if (!existing) reject(`network "${name}" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed`);
      netIds.set(key, existing.id);
      continue;
    }
    if (existing) {
      netIds.set(key, existing.id);
      continue;
    }
    const ipam: Obj = isObj(def.ipam) ? def.ipam : {};
    const cfg: Obj = Array.isArray(ipam.config) && isObj(ipam.config[0]) ? (ipam.config[0] as Obj) : {};
    messages.push(`Creating network ${name}`);
    const evs = decideNetworkCreate(state, host, {
      name, driver: def.driver !== undefined ? str(def.driver, 'driver') : 'overlay', subnet: cfg.subnet !== undefined ? [str(cfg.subnet, 'subnet')] : [],
      gateway: cfg.gateway !== undefined ? [str(cfg.gateway, 'gateway')] : [], ipRange: [], attachable: !!def.attachable, internal: !!def.internal, ingress: false,
      options: Object.fromEntries(Object.entries(isObj(def.driver_opts) ? def.driver_opts : {}).map(([k, v]) => [k, str(v, 'driver_opts')])),
      labels: { ...labelsOf(def.labels), [NAMESPACE_LABEL]: stack },
    }, rng);
    apply(evs);
    netIds.set(key, (evs.find((e) => e.type === 'NetworkCreated') as Extract<EngineEvent, { type: 'NetworkCreated' }>).networkId);
  }
  const volumes = isObj(compose.volumes) ? compose.volumes : {};
  for (const key of Object.keys(services).sort()) {
    const svc = services[key];
    if (!isObj(svc)) reject(`services.${key} must be a mapping`);
    if (svc.image === undefined) reject(`services.${key}: image is required (build is not supported by docker stack deploy)`);
    const deploy: Obj = isObj(svc.deploy) ? svc.deploy : {};
    const placement: Obj = isObj(deploy.placement) ? deploy.placement : {};
    const restart: Obj = isObj(deploy.restart_policy) ? deploy.restart_policy : {};
    const res: Obj = isObj(deploy.resources) ? deploy.resources : {};
    const mode = deploy.mode === undefined ? 'replicated' : str(deploy.mode, 'deploy.mode');
    if (mode !== 'replicated' && mode !== 'global') reject(`services.${key}.deploy.mode must be replicated or global`);
    const refs = (kind: 'secrets' | 'configs'): FileReference[] => (Array.isArray(svc[kind]) ? (svc[kind] as unknown[]) : []).map((r) => {
      const long: Obj = isObj(r) ? r : { source: str(r, kind) };
      const source = str(long.source, `${kind}.source`);
      const name = objectName.get(`${kind}/${source}`);
      if (!name) reject(`service "${key}" refers to undefined ${kind === 'secrets' ? 'secret' : 'config'} ${source}: invalid compose project`);
      const obj = (kind === 'secrets' ? tvalues(state.secrets) : tvalues(state.configs)).find((x) => x.name === name)!;
      const target = long.target !== undefined ? str(long.target, 'target') : kind === 'secrets' ? source : `/${source}`;
      return { id: obj.id, name, target, uid: long.uid !== undefined ? str(long.uid, 'uid') : '0', gid: long.gid !== undefined ? str(long.gid, 'gid') : '0', mode: long.mode !== undefined ? Number(long.mode) : 0o444 };
    });
    const mounts: MountSpec[] = (Array.isArray(svc.volumes) ? svc.volumes : []).map((v): MountSpec => {
      if (isObj(v)) {
        const type = (v.type as MountSpec['type']) ?? 'volume';
        const src = v.source !== undefined ? str(v.source, 'source') : '';
        return { type, source: type === 'volume' && src && src in volumes ? ns(src) : src, target: str(v.target, 'target'), readOnly: !!v.read_only };
      }
      const parts = str(v, 'volumes').split(':');
      if (parts.length === 1) return { type: 'volume', source: '', target: parts[0]!, readOnly: false };
      const [src, dst, opt] = parts as [string, string, string | undefined];
      const isPath = src.startsWith('/') || src.startsWith('.');
      if (!isPath && !(src in volumes)) reject(`service "${key}" refers to undefined volume ${src}: invalid compose project`);
      return { type: isPath ? 'bind' : 'volume', source: isPath ? src : ns(src), target: dst, readOnly: opt === 'ro' };
    });
    const image = str(svc.image, 'image');
    const spec: ServiceSpec = {
      name: ns(key), labels: { ...labelsOf(deploy.labels), [NAMESPACE_LABEL]: stack, 'com.docker.stack.image': image },
      image: pinImage(image), command: words(svc.entrypoint, 'entrypoint'), args: words(svc.command, 'command'), env: envOf(svc.environment),
      hostname: svc.hostname !== undefined ? str(svc.hostname, 'hostname') : '', workdir: svc.working_dir !== undefined ? str(svc.working_dir, 'working_dir') : '',
      user: svc.user !== undefined ? str(svc.user, 'user') : '', containerLabels: { ...labelsOf(svc.labels), [NAMESPACE_LABEL]: stack },
      mode, replicas: mode === 'replicated' ? Number(deploy.replicas ?? 1) : 1,
      maxReplicasPerNode: Number(placement.max_replicas_per_node ?? 0), constraints: words(placement.constraints, 'constraints').length ? (placement.constraints as unknown[]).map((c) => str(c, 'constraints')) : [],
      preferences: (Array.isArray(placement.preferences) ? placement.preferences : []).map((p) => (isObj(p) ? str(p.spread, 'spread') : reject('placement.preferences: expected spread'))),
      reservations: resources(res.reservations), limits: resources(res.limits),
      restart: {
        condition: (restart.condition as ServiceSpec['restart']['condition']) ?? 'any',
        delayMs: restart.delay !== undefined ? duration(restart.delay, 'restart_policy.delay') : 5000,
        maxAttempts: Number(restart.max_attempts ?? 0), windowMs: restart.window !== undefined ? duration(restart.window, 'restart_policy.window') : 0,
      },
      update: updateConfig(deploy.update_config, { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' }, 'update_config'),
      rollback: updateConfig(deploy.rollback_config, { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' }, 'rollback_config'),
      secrets: refs('secrets'), configs: refs('configs'), mounts, endpointMode: deploy.endpoint_mode === 'dnsrr' ? 'dnsrr' : 'vip',
      ports: portsOf(svc.ports), networks: svcNets(svc).map((n) => netIds.get(n)!), forceUpdate: 0, stopGracePeriodMs: svc.stop_grace_period !== undefined ? duration(svc.stop_grace_period, 'stop_grace_period') : 10_000,
    };
    // docker/cli convertServiceNetworks: each network attachment carries the compose aliases and the
    // service's own name in the stack, so that `mysql` reaches `wordpress_mysql` on the stack's networks.
    const networkOptions: NonNullable<ServiceSpec['networkOptions']> = {};
    for (const netKey of svcNets(svc)) {
      const def = isObj(svc.networks) && isObj((svc.networks as Obj)[netKey]) ? ((svc.networks as Obj)[netKey] as Obj) : {};
      const aliases = def.aliases === undefined ? [] : Array.isArray(def.aliases) ? def.aliases.map((a) => str(a, `networks.${netKey}.aliases`)) : reject(`services.${key}.networks.${netKey}.aliases must be a list`);
      const driverOpts = isObj(def.driver_opts) ? Object.fromEntries(Object.entries(def.driver_opts).map(([k, v]) => [k, String(v)])) : {};
      networkOptions[netIds.get(netKey)!] = { aliases: [...aliases, key], driverOpts };
    }
    spec.networkOptions = networkOptions;
    if (!['none', 'on-failure', 'any'].includes(spec.restart.condition)) reject(`services.${key}.deploy.restart_policy.condition must be none, on-failure or any`);
    const existing = tvalues(state.services).find((x) => x.spec.name === spec.name);
    // docker/cli deploy_composefile.go: the daemon's refusal, named after the service it was for.
    const daemonCall = <T>(verb: 'create' | 'update', f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof Rejection) throw new Rejection(`failed to ${verb} service ${spec.name}: ${e.message}`);
        throw e;
      }
    };
    if (existing) {
      messages.push(`Updating service ${spec.name} (id: ${existing.id})`);
      apply(daemonCall('update', () => decideServiceUpdate(state, existing, { ...spec, forceUpdate: existing.spec.forceUpdate }, false)));
    } else {
      messages.push(`Creating service ${spec.name}`);
      apply(daemonCall('create', () => decideServiceCreate(state, spec, rng)));
    }
  }
  return { events, messages };
}

/** Objects of a stack, for `stack rm`, `stack ls`, `stack services`. */
export function stackServices(s: State, stack: string) {
  return tvalues(s.services).filter((x) => x.spec.labels[NAMESPACE_LABEL] === stack);
}

export function decideStackRm(s: State, stack: string): StackPlan {
  const svcs = stackServices(s, stack).sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));
  const secrets = tvalues(s.secrets).filter((x) => x.labels[NAMESPACE_LABEL] === stack).sort((a, b) => (a.name < b.name ? -1 : 1));
  const configs = tvalues(s.configs).filter((x) => x.labels[NAMESPACE_LABEL] === stack).sort((a, b) => (a.name < b.name ? -1 : 1));
  const nets = tvalues(s.networks).filter((x) => x.scope === 'swarm' && x.labels[NAMESPACE_LABEL] === stack).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (!svcs.length && !secrets.length && !configs.length && !nets.length) reject(`Nothing found in stack: ${stack}`);
  return {
    events: [
      ...svcs.map((x): EngineEvent => ({ type: 'ServiceRemoved', serviceId: x.id })),
      ...secrets.map((x): EngineEvent => ({ type: 'SecretRemoved', secretId: x.id })),
      ...configs.map((x): EngineEvent => ({ type: 'ConfigRemoved', configId: x.id })),
      ...nets.flatMap((n) => removeNetworkEvents(s, n)),
    ],
    messages: [...svcs.map((x) => `Removing service ${x.spec.name}`), ...secrets.map((x) => `Removing secret ${x.name}`), ...configs.map((x) => `Removing config ${x.name}`), ...nets.map((x) => `Removing network ${x.name}`)],
  };
}
