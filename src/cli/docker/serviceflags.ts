/** The flags of `docker service create` and `docker service update`, and how they build a ServiceSpec. */
import type { Command } from 'commander';
import type { FileReference, MountSpec, PortConfig, ServiceSpec, UpdateConfig } from '../../../events/index.js';
import { parseFileRef, parseMount, parseNetworkOpt, parsePlacementPref, parsePublish, type NetworkAttachmentRequest } from '../../commands/parse.js';
import { findSwarmNetwork } from '../../commands/services.js';
import { reject } from '../../commands/rejection.js';
import { nanoCpus, ramInBytes } from '../../commands/units.js';
import { kvList } from '../../commands/nodes.js';
import { tvalues } from '../../state/table.js';
import type { State } from '../../state/types.js';
import { durationFlag, invalidArg } from '../flags.js';

/** Wraps a parser so that its error reads `invalid argument "v" for "flag" flag: …`. */
function via<T>(flag: string, fn: (v: string) => T) {
  return (v: string, prev: T[] = []): T[] => {
    try {
      return [...prev, fn(v)];
    } catch (e) {
      return invalidArg(v, flag, (e as Error).message);
    }
  };
}

const list = (v: string, prev: string[] = []): string[] => [...prev, v];

function one<T>(flag: string, fn: (v: string) => T | null, why: (v: string) => string) {
  return (v: string): T => {
    const r = fn(v);
    if (r === null) invalidArg(v, flag, why(v));
    return r;
  };
}

const uint = (flag: string) => one(flag, (v) => (/^\d+$/.test(v) ? Number(v) : null), (v) => `strconv.ParseUint: parsing "${v}": invalid syntax`);
/** strconv.ParseFloat(v, 32): decimal with exponent, inf, infinity, nan. */
function parseFloat32(v: string): number | 'syntax' | 'range' {
  if (/^[+-]?(inf|infinity)$/i.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(v)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return 'syntax';
  // Kept as typed (JSON prints a float32 by its shortest form); its float32 must be finite.
  return Number.isFinite(Math.fround(Number(v))) ? Number(v) : 'range';
}

function float(flag: string) {
  return (v: string): number => {
    const r = parseFloat32(v);
    if (typeof r === 'string') invalidArg(v, flag, `strconv.ParseFloat: parsing ${JSON.stringify(v)}: ${r === 'syntax' ? 'invalid syntax' : 'value out of range'}`);
    return r;
  };
}
const cpu = (flag: string) => one(flag, nanoCpus, (v) => `invalid number of CPUs: ${v}`);
const mem = (flag: string) => one(flag, ramInBytes, (v) => `invalid size: '${v}'`);

export interface ServiceOpts {
  name?: string;
  replicas?: number;
  mode?: string;
  constraint?: string[];
  placementPref?: string[];
  replicasMaxPerNode?: number;
  env?: string[];
  label?: string[];
  containerLabel?: string[];
  hostname?: string;
  workdir?: string;
  user?: string;
  reserveCpu?: number;
  reserveMemory?: number;
  limitCpu?: number;
  limitMemory?: number;
  restartCondition?: string;
  restartDelay?: number;
  restartMaxAttempts?: number;
  restartWindow?: number;
  secret?: ReturnType<typeof parseFileRef>[];
  config?: ReturnType<typeof parseFileRef>[];
  mount?: MountSpec[];
  publish?: PortConfig[][];
  endpointMode?: string;
  network?: NetworkAttachmentRequest[];
  stopGracePeriod?: number;
  detach?: boolean;
  quiet?: boolean;
  // update-only
  image?: string;
  args?: string;
  force?: boolean;
  rollback?: boolean;
  envAdd?: string[];
  envRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
  containerLabelAdd?: string[];
  containerLabelRm?: string[];
  constraintAdd?: string[];
  constraintRm?: string[];
  placementPrefAdd?: string[];
  placementPrefRm?: string[];
  secretAdd?: ReturnType<typeof parseFileRef>[];
  secretRm?: string[];
  configAdd?: ReturnType<typeof parseFileRef>[];
  configRm?: string[];
  mountAdd?: MountSpec[];
  mountRm?: string[];
  publishAdd?: PortConfig[][];
  publishRm?: string[];
  networkAdd?: NetworkAttachmentRequest[];
  networkRm?: string[];
  [k: string]: unknown;
}

/** Flags shared by create and update (Docker's names and help). */
export function addCommonFlags(c: Command, update: boolean): Command {
  c.option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'Suppress progress output')
    .option('--replicas <n>', 'Number of tasks', uint('--replicas'))
    .option('--replicas-max-per-node <n>', 'Maximum number of tasks per node (default 0 = unlimited)', uint('--replicas-max-per-node'))
    .option('--hostname <hostname>', 'Container hostname')
    .option('-w, --workdir <dir>', 'Working directory inside the container')
    .option('-u, --user <user>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--reserve-cpu <cpus>', 'Reserve CPUs', cpu('--reserve-cpu'))
    .option('--reserve-memory <bytes>', 'Reserve Memory', mem('--reserve-memory'))
    .option('--limit-cpu <cpus>', 'Limit CPUs', cpu('--limit-cpu'))
    .option('--limit-memory <bytes>', 'Limit Memory', mem('--limit-memory'))
    .option('--restart-condition <condition>', 'Restart when condition is met ("none", "on-failure", "any")')
    .option('--restart-delay <duration>', 'Delay between restart attempts (ns|us|ms|s|m|h)', durationFlag('--restart-delay'))
    .option('--restart-max-attempts <n>', 'Maximum number of restarts before giving up', uint('--restart-max-attempts'))
    .option('--restart-window <duration>', 'Window used to evaluate the restart policy (ns|us|ms|s|m|h)', durationFlag('--restart-window'))
    .option('--endpoint-mode <mode>', 'Endpoint mode (vip or dnsrr)')
    .option('--stop-grace-period <duration>', 'Time to wait before force killing a container (ns|us|ms|s|m|h)', durationFlag('--stop-grace-period'))
    .option('--with-registry-auth', 'Send registry authentication details to swarm agents')
    .option('--no-resolve-image', 'Do not query the registry to resolve image digest and supported platforms');
  for (const kind of ['update', 'rollback'] as const) {
    c.option(`--${kind}-parallelism <n>`, `Maximum number of tasks ${kind === 'update' ? 'updated' : 'rolled back'} simultaneously (0 to ${kind} all at once)`, uint(`--${kind}-parallelism`))
      .option(`--${kind}-delay <duration>`, `Delay between task ${kind}s (ns|us|ms|s|m|h)`, durationFlag(`--${kind}-delay`))
      .option(`--${kind}-failure-action <action>`, `Action on ${kind} failure ("pause", "continue"${kind === 'update' ? ', "rollback"' : ''})`)
      .option(`--${kind}-monitor <duration>`, `Duration after each task ${kind} to monitor for failure (ns|us|ms|s|m|h)`, durationFlag(`--${kind}-monitor`))
      .option(`--${kind}-max-failure-ratio <ratio>`, `Failure rate to tolerate during a${kind === 'update' ? 'n update' : ' rollback'}`, float(`--${kind}-max-failure-ratio`))
      .option(`--${kind}-order <order>`, `${kind === 'update' ? 'Update' : 'Rollback'} order ("start-first", "stop-first")`);
  }
  if (!update) {
    c.option('--name <name>', 'Service name')
      .option('--mode <mode>', 'Service mode ("replicated", "global")', 'replicated')
      .option('--constraint <constraint>', 'Placement constraints', list)
      .option('--placement-pref <pref>', 'Add a placement preference', via('--placement-pref', parsePlacementPref))
      .option('-e, --env <env>', 'Set environment variables', list)
      .option('-l, --label <label>', 'Service labels', list)
      .option('--container-label <label>', 'Container labels', list)
      .option('--secret <secret>', 'Specify secrets to expose to the service', via('--secret', (v) => parseFileRef(v, 'secret')))
      .option('--config <config>', 'Specify configurations to expose to the service', via('--config', (v) => parseFileRef(v, 'config')))
      .option('--mount <mount>', 'Attach a filesystem mount to the service', via('--mount', parseMount))
      .option('-p, --publish <port>', 'Publish a port as a node port', via('-p, --publish', parsePublish))
      .option('--network <network>', 'Network attachments', via('--network', parseNetworkOpt));
  } else {
    c.option('--image <image>', 'Service image tag')
      .option('--args <command>', 'Service command args')
      .option('--force', 'Force update even if no changes require it')
      .option('--rollback', 'Rollback to previous specification')
      .option('--env-add <env>', 'Add or update an environment variable', list)
      .option('--env-rm <env>', 'Remove an environment variable', list)
      .option('--label-add <label>', 'Add or update a service label', list)
      .option('--label-rm <label>', 'Remove a label by its key', list)
      .option('--container-label-add <label>', 'Add or update a container label', list)
      .option('--container-label-rm <label>', 'Remove a container label by its key', list)
      .option('--constraint-add <constraint>', 'Add or update a placement constraint', list)
      .option('--constraint-rm <constraint>', 'Remove a constraint', list)
      .option('--placement-pref-add <pref>', 'Add a placement preference', via('--placement-pref-add', parsePlacementPref))
      .option('--placement-pref-rm <pref>', 'Remove a placement preference', via('--placement-pref-rm', parsePlacementPref))
      .option('--secret-add <secret>', 'Add or update a secret on a service', via('--secret-add', (v) => parseFileRef(v, 'secret')))
      .option('--secret-rm <secret>', 'Remove a secret', list)
      .option('--config-add <config>', 'Add or update a config file on a service', via('--config-add', (v) => parseFileRef(v, 'config')))
      .option('--config-rm <config>', 'Remove a configuration file', list)
      .option('--mount-add <mount>', 'Add or update a mount on a service', via('--mount-add', parseMount))
      .option('--mount-rm <target>', 'Remove a mount by its target path', list)
      .option('--publish-add <port>', 'Add or update a published port', via('--publish-add', parsePublish))
      .option('--publish-rm <port>', 'Remove a published port by its target port', list)
      .option('--network-add <network>', 'Add a network', via('--network-add', parseNetworkOpt))
      .option('--network-rm <network>', 'Remove a network', list);
  }
  return c;
}

function applyUpdateConfig(cur: UpdateConfig, o: ServiceOpts, kind: 'update' | 'rollback'): UpdateConfig {
  const k = (name: string) => o[`${kind}${name}`];
  const next = { ...cur };
  if (k('Parallelism') !== undefined) next.parallelism = k('Parallelism') as number;
  if (k('Delay') !== undefined) next.delayMs = k('Delay') as number;
  if (k('Monitor') !== undefined) next.monitorMs = k('Monitor') as number;
  if (k('MaxFailureRatio') !== undefined) next.maxFailureRatio = k('MaxFailureRatio') as number;
  // Sent as typed: dockerd refuses unknown values (commands/services.ts convertSpec).
  if (k('FailureAction') !== undefined) next.failureAction = k('FailureAction') as UpdateConfig['failureAction'];
  if (k('Order') !== undefined) next.order = k('Order') as UpdateConfig['order'];
  return next;
}

/** Resolves `--secret`/`--config` requests against the store (docker/cli ParseSecrets: client-side). */
function fileRefs(s: State, kind: 'secret' | 'config', reqs: ReturnType<typeof parseFileRef>[]): FileReference[] {
  const all: { id: string; name: string }[] = kind === 'secret' ? tvalues(s.secrets) : tvalues(s.configs);
  const targets = new Set<string>();
  return reqs.map((r) => {
    if (targets.has(r.target)) reject(`duplicate ${kind} target for ${r.source} not allowed`);
    targets.add(r.target);
    const obj = all.find((x) => x.name === r.source) ?? all.find((x) => x.id === r.source);
    if (!obj) reject(`${kind} not found: ${r.source}`);
    return { id: obj.id, name: obj.name, target: r.target, uid: r.uid, gid: r.gid, mode: r.mode };
  });
}

/** Applies the flags common to create and update onto a spec. */
export function applyCommon(s: State, spec: ServiceSpec, o: ServiceOpts): ServiceSpec {
  const next: ServiceSpec = { ...spec, reservations: { ...spec.reservations }, limits: { ...spec.limits }, restart: { ...spec.restart } };
  if (o.replicas !== undefined) {
    // Only reached by `service update` (create checked the mode first): docker/cli updateReplicas.
    if (next.mode !== 'replicated') reject('replicas can only be used with replicated mode');
    next.replicas = o.replicas;
  }
  if (o.replicasMaxPerNode !== undefined) next.maxReplicasPerNode = o.replicasMaxPerNode;
  if (o.hostname !== undefined) next.hostname = o.hostname;
  if (o.workdir !== undefined) next.workdir = o.workdir;
  if (o.user !== undefined) next.user = o.user;
  if (o.reserveCpu !== undefined) next.reservations.nanoCpus = o.reserveCpu;
  if (o.reserveMemory !== undefined) next.reservations.memoryBytes = o.reserveMemory;
  if (o.limitCpu !== undefined) next.limits.nanoCpus = o.limitCpu;
  if (o.limitMemory !== undefined) next.limits.memoryBytes = o.limitMemory;
  if (o.restartCondition !== undefined) next.restart.condition = o.restartCondition as ServiceSpec['restart']['condition'];
  if (o.restartDelay !== undefined) next.restart.delayMs = o.restartDelay;
  if (o.restartMaxAttempts !== undefined) next.restart.maxAttempts = o.restartMaxAttempts;
  if (o.restartWindow !== undefined) next.restart.windowMs = o.restartWindow;
  if (o.endpointMode !== undefined) next.endpointMode = o.endpointMode as ServiceSpec['endpointMode'];
  if (o.stopGracePeriod !== undefined) next.stopGracePeriodMs = o.stopGracePeriod;
  next.update = applyUpdateConfig(spec.update, o, 'update');
  next.rollback = applyUpdateConfig(spec.rollback, o, 'rollback');
  void s;
  return next;
}

/** `docker service create [OPTIONS] IMAGE [COMMAND] [ARG...]` → spec. */
export function specFromCreate(s: State, image: string, args: string[], o: ServiceOpts, pin: (img: string) => string): ServiceSpec {
  // docker/cli ToServiceMode.
  const mode = o.mode ?? 'replicated';
  if (mode === 'replicated-job' || mode === 'global-job') reject(`--mode ${mode}: jobs are not simulated by swarm-engine`);
  if (mode !== 'replicated' && mode !== 'global') reject(`unknown mode: ${mode}, only replicated and global supported`);
  if (mode === 'global' && o.replicas !== undefined) reject('replicas can only be used with replicated or replicated-job mode');
  if (mode === 'global' && (o.replicasMaxPerNode ?? 0) > 0) reject('replicas-max-per-node can only be used with replicated or replicated-job mode');
  let spec: ServiceSpec = {
    name: o.name ?? '', labels: kvList(o.label ?? []), image: pin(image), command: [], args, env: o.env ?? [],
    hostname: '', workdir: '', user: '', containerLabels: kvList(o.containerLabel ?? []), mode, replicas: 1, maxReplicasPerNode: 0,
    constraints: o.constraint ?? [], preferences: o.placementPref ?? [], reservations: { nanoCpus: 0, memoryBytes: 0 },
    limits: { nanoCpus: 0, memoryBytes: 0 }, restart: { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 },
    update: { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' },
    rollback: { parallelism: 1, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' },
    secrets: fileRefs(s, 'secret', o.secret ?? []), configs: fileRefs(s, 'config', o.config ?? []), mounts: o.mount ?? [],
    endpointMode: 'vip', ports: (o.publish ?? []).flat(), networks: (o.network ?? []).map((n) => n.target), forceUpdate: 0, stopGracePeriodMs: 10_000,
  };
  const netOptions = attachmentOptions(o.network ?? [], (n) => n.target);
  if (netOptions) spec.networkOptions = netOptions;
  // ToEndpointSpec lower-cases the mode on create (update sends it as typed).
  spec = applyCommon(s, spec, { ...o, endpointMode: o.endpointMode?.toLowerCase() });
  return spec;
}

function removeKeys(rec: Record<string, string>, keys: string[]): Record<string, string> {
  const out = { ...rec };
  for (const k of keys) delete out[k];
  return out;
}

function envName(e: string): string {
  return e.split('=')[0]!;
}

/** Aliases and driver options by network, or undefined when no attachment has any. */
function attachmentOptions(reqs: NetworkAttachmentRequest[], key: (r: NetworkAttachmentRequest) => string): ServiceSpec['networkOptions'] {
  const out: NonNullable<ServiceSpec['networkOptions']> = {};
  for (const r of reqs) if (r.aliases.length || Object.keys(r.driverOpts).length) out[key(r)] = { aliases: r.aliases, driverOpts: r.driverOpts };
  return Object.keys(out).length ? out : undefined;
}

/**
 * `--network-rm` / `--network-add` (docker/cli update.go updateNetworks): each removal is looked up
 * (name, ID or ID prefix) and removed by ID; each addition is looked up, refused if already attached,
 * appended; the attachments end sorted by network ID.
 */
function updateNetworks(s: State, spec: ServiceSpec, cur: ServiceSpec, o: ServiceOpts): ServiceSpec {
  if (!o.networkAdd && !o.networkRm) return spec;
  const remove = new Set([...new Set(o.networkRm ?? [])].map((ref) => findSwarmNetwork(s, ref).id));
  const networks = cur.networks.filter((id) => !remove.has(id));
  const options: NonNullable<ServiceSpec['networkOptions']> = {};
  for (const id of networks) if (cur.networkOptions?.[id]) options[id] = cur.networkOptions[id]!;
  for (const r of o.networkAdd ?? []) {
    const id = findSwarmNetwork(s, r.target).id;
    if (networks.includes(id)) reject(`service is already attached to network ${r.target}`);
    networks.push(id);
    const add = attachmentOptions([r], () => id);
    if (add) Object.assign(options, add);
  }
  const next: ServiceSpec = { ...spec, networks: networks.sort() };
  if (Object.keys(options).length) next.networkOptions = options;
  else delete next.networkOptions;
  return next;
}

/** `docker service update` flags applied to the current spec (docker/cli update.go semantics). */
export function specFromUpdate(s: State, cur: ServiceSpec, o: ServiceOpts, pin: (img: string) => string, tokenize: (v: string) => string[]): ServiceSpec {
  let spec = applyCommon(s, cur, o);
  if (o.image !== undefined) spec.image = pin(o.image);
  if (o.args !== undefined) spec.args = tokenize(o.args);
  if (o.force) spec.forceUpdate = cur.forceUpdate + 1;
  if (o.envAdd || o.envRm) {
    const rm = new Set([...(o.envRm ?? []).map(envName), ...(o.envAdd ?? []).map(envName)]);
    spec.env = [...cur.env.filter((e) => !rm.has(envName(e))), ...(o.envAdd ?? [])];
  }
  if (o.labelAdd || o.labelRm) spec.labels = { ...removeKeys(cur.labels, o.labelRm ?? []), ...kvList(o.labelAdd ?? []) };
  if (o.containerLabelAdd || o.containerLabelRm) spec.containerLabels = { ...removeKeys(cur.containerLabels, o.containerLabelRm ?? []), ...kvList(o.containerLabelAdd ?? []) };
  if (o.constraintAdd || o.constraintRm) {
    const rm = new Set([...(o.constraintRm ?? []), ...(o.constraintAdd ?? [])]);
    spec.constraints = [...cur.constraints.filter((c) => !rm.has(c)), ...(o.constraintAdd ?? [])];
  }
  if (o.placementPrefAdd || o.placementPrefRm) {
    const rm = new Set(o.placementPrefRm ?? []);
    spec.preferences = [...cur.preferences.filter((p) => !rm.has(p)), ...(o.placementPrefAdd ?? [])];
  }
  if (o.secretAdd || o.secretRm) {
    const adds = fileRefs(s, 'secret', o.secretAdd ?? []);
    const rm = new Set([...(o.secretRm ?? []), ...adds.map((a) => a.name)]);
    spec.secrets = [...cur.secrets.filter((r) => !rm.has(r.name) && !rm.has(r.id)), ...adds];
  }
  if (o.configAdd || o.configRm) {
    const adds = fileRefs(s, 'config', o.configAdd ?? []);
    const rm = new Set([...(o.configRm ?? []), ...adds.map((a) => a.name)]);
    spec.configs = [...cur.configs.filter((r) => !rm.has(r.name) && !rm.has(r.id)), ...adds];
  }
  if (o.mountAdd || o.mountRm) {
    const rm = new Set([...(o.mountRm ?? []), ...(o.mountAdd ?? []).map((m) => m.target)]);
    spec.mounts = [...cur.mounts.filter((m) => !rm.has(m.target)), ...(o.mountAdd ?? [])];
  }
  if (o.publishAdd || o.publishRm) {
    const rmTargets = (o.publishRm ?? []).map((v) => {
      const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(v) ?? /target=(\d+)/.exec(v);
      if (!m) invalidArg(v, '--publish-rm', 'invalid port');
      return m.length > 2 ? { target: Number(m[2]), proto: m[3] ?? 'tcp' } : { target: Number(m[1]), proto: 'tcp' };
    });
    const adds = (o.publishAdd ?? []).flat();
    spec.ports = [
      ...cur.ports.filter((p) => !rmTargets.some((r) => r.target === p.targetPort && r.proto === p.protocol)
        && !adds.some((a) => a.publishedPort !== 0 && a.publishedPort === p.publishedPort && a.protocol === p.protocol)),
      ...adds,
    ];
  }
  spec = updateNetworks(s, spec, cur, o);
  spec = { ...spec };
  return spec;
}
