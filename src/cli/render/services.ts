/** Views of services and tasks: `service ls`, `service ps`, `service inspect`, convergence progress. */
import type { PortConfig, ServiceSpec, TaskState, UpdateConfig } from '../../../events/index.js';
import { imageWithoutDigest } from '../../commands/parse.js';
import { taskSpecOf } from '../../controllers/orchestrator/spec.js';
import { serviceSlots, slotTasks } from '../../controllers/orchestrator/tasks.js';
import { isTaskDirty } from '../../controllers/updater/index.js';
import { humanDuration, rfc3339Nano } from '../../sim/clock.js';
import { resolvedPlatforms } from '../../sim/registry.js';
import { formatDurationMs } from '../../sim/duration.js';
import { naturalLess } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { Service, State, Task } from '../../state/types.js';
import { jsonLine } from './json.js';
import { tabwrite } from './table.js';

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** `*:8080->80/tcp`, ranges collapsed, sorted by protocol then published port (ingress ports only). */
export function portsColumn(ports: PortConfig[]): string {
  const ing = ports.filter((p) => p.publishMode === 'ingress').sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : a.publishedPort - b.publishedPort || a.targetPort - b.targetPort));
  const out: string[] = [];
  for (let i = 0; i < ing.length; ) {
    const start = ing[i]!;
    let j = i;
    while (j + 1 < ing.length && ing[j + 1]!.protocol === start.protocol && ing[j + 1]!.publishedPort === ing[j]!.publishedPort + 1
      && (ing[j + 1]!.targetPort === ing[j]!.targetPort + 1 || (start.targetPort === ing[j + 1]!.targetPort && ing[j]!.targetPort === start.targetPort))) j++;
    const end = ing[j]!;
    const pub = start.publishedPort === end.publishedPort ? `${start.publishedPort}` : `${start.publishedPort}-${end.publishedPort}`;
    const tgt = start.targetPort === end.targetPort ? `${start.targetPort}` : `${start.targetPort}-${end.targetPort}`;
    out.push(`*:${pub}->${tgt}/${start.protocol}`);
    i = j + 1;
  }
  return out.join(', ');
}

export function replicasColumn(s: State, svc: Service): string {
  const slots = serviceSlots(s, svc.id);
  let running = 0;
  let desired = 0;
  for (const slot of slots) {
    for (const id of slot.taskIds) {
      const t = tget(s.tasks, id);
      if (!t) continue;
      if (t.state === 'running') running++;
      if (svc.spec.mode === 'global' && t.desiredState === 'running') desired++;
    }
  }
  if (svc.spec.mode === 'replicated') desired = svc.spec.replicas;
  const max = svc.spec.mode === 'replicated' && svc.spec.maxReplicasPerNode > 0 ? ` (max ${svc.spec.maxReplicasPerNode} per node)` : '';
  return `${running}/${desired}${max}`;
}

export function serviceRow(s: State, svc: Service): Record<string, string> {
  return {
    ID: svc.id.slice(0, 12), Name: svc.spec.name, Mode: svc.spec.mode, Replicas: replicasColumn(s, svc),
    Image: imageWithoutDigest(svc.spec.image), Ports: portsColumn(svc.endpointPorts),
  };
}

export function sortedServices(s: State, filter: (svc: Service) => boolean = () => true): Service[] {
  return tvalues(s.services).filter(filter).sort((a, b) => naturalLess(a.spec.name, b.spec.name) || (a.id < b.id ? -1 : 1));
}

export function serviceLsTable(rows: Record<string, string>[]): string {
  return tabwrite([['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'], ...rows.map((r) => [r.ID!, r.Name!, r.Mode!, r.Replicas!, r.Image!, r.Ports!])]);
}

export function serviceLsJson(rows: Record<string, string>[]): string {
  return rows.map((r) => jsonLine(r)).join('');
}

/** CURRENT STATE, `Running 3 minutes ago` (docker/cli task formatter: the lower-cased HumanDuration). */
export function currentState(s: State, t: Task): string {
  return `${cap(t.state)} ${humanDuration(s.sim.nowMs - t.stateAtMs).toLowerCase()} ago`;
}

export function taskDisplayName(s: State, t: Task): string {
  const svc = tget(s.services, t.serviceId);
  return `${svc ? svc.spec.name : t.serviceId}.${t.slot > 0 ? t.slot : t.nodeId}`;
}

/**
 * The tasks `service ps` lists, in docker/cli's order (task/print.go tasksSortable, a stable sort): by
 * display name, naturally (`web.2` before `web.10`, several services merged), newest first within a
 * slot; the older rows of a slot are its children (` \_ web.1`). Tasks a slot got in the same virtual
 * instant were still created one after the other (Swarm's timestamps tell them apart): the later one
 * is the newer.
 */
export function tasksForPs(s: State, services: Service[], filter: (t: Task) => boolean = () => true): { task: Task; child: boolean }[] {
  const rows: { task: Task; name: string; order: number }[] = [];
  const seen = new Set<string>();
  for (const svc of services) {
    if (seen.has(svc.id)) continue;
    seen.add(svc.id);
    for (const slot of serviceSlots(s, svc.id)) {
      // A slot lists its tasks in creation order.
      slotTasks(s, slot).forEach((task, order) => {
        if (filter(task)) rows.push({ task, name: taskDisplayName(s, task), order });
      });
    }
  }
  rows.sort((a, b) => naturalLess(a.name, b.name) || b.task.createdAtMs - a.task.createdAtMs || b.order - a.order);
  return rows.map((r, i) => ({ task: r.task, child: i > 0 && rows[i - 1]!.name === r.name }));
}

export function taskRow(s: State, t: Task, child: boolean, noTrunc: boolean): Record<string, string> {
  const svc = tget(s.services, t.serviceId);
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  let err = t.err;
  // docker/cli task formatter: formatter.Ellipsis(err, 30) keeps 30 characters, or 29 and `…`.
  if (err && !noTrunc && [...err].length > 30) err = [...err].slice(0, 29).join('') + '…';
  const spec = svc ? taskSpecOf(svc, t) : undefined;
  // docker/cli task formatter Ports: the task's PortStatus, which the agent reports while the container is up.
  const up = t.state === 'starting' || t.state === 'running';
  const hostPorts = (up ? t.hostPorts ?? [] : []).map((p) => `*:${p.publishedPort}->${p.targetPort}/${p.protocol}`).join(',');
  const image = spec ? (noTrunc ? spec.image : imageWithoutDigest(spec.image)) : '';
  return {
    ID: noTrunc ? t.id : t.id.slice(0, 12), Name: `${child ? ' \\_ ' : ''}${taskDisplayName(s, t)}`, Image: image,
    Node: node ? node.hostname : t.nodeId ?? '', DesiredState: cap(t.desiredState), CurrentState: currentState(s, t),
    Error: err ? `"${err}"` : '', Ports: hostPorts,
  };
}

export function servicePsTable(rows: Record<string, string>[]): string {
  return tabwrite([['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'],
    ...rows.map((r) => [r.ID!, r.Name!, r.Image!, r.Node!, r.DesiredState!, r.CurrentState!, r.Error!, r.Ports!])]);
}

function updateConfigJson(u: UpdateConfig): Record<string, unknown> {
  const o: Record<string, unknown> = { Parallelism: u.parallelism };
  if (u.delayMs) o.Delay = u.delayMs * 1e6;
  o.FailureAction = u.failureAction;
  o.Monitor = u.monitorMs * 1e6;
  o.MaxFailureRatio = u.maxFailureRatio;
  o.Order = u.order;
  return o;
}

export function portJson(p: PortConfig): Record<string, unknown> {
  const o: Record<string, unknown> = { Protocol: p.protocol, TargetPort: p.targetPort };
  if (p.publishedPort) o.PublishedPort = p.publishedPort;
  o.PublishMode = p.publishMode;
  return o;
}

/** Spec as `docker service inspect` shows it (InsertDefaults applied). */
export function specJson(s: State, spec: ServiceSpec): Record<string, unknown> {
  const cs: Record<string, unknown> = { Image: spec.image };
  if (Object.keys(spec.containerLabels).length) cs.Labels = spec.containerLabels;
  if (spec.command.length) cs.Command = spec.command;
  if (spec.args.length) cs.Args = spec.args;
  if (spec.hostname) cs.Hostname = spec.hostname;
  if (spec.env.length) cs.Env = spec.env;
  if (spec.workdir) cs.Dir = spec.workdir;
  if (spec.user) cs.User = spec.user;
  if (spec.mounts.length) {
    cs.Mounts = spec.mounts.map((m) => {
      const o: Record<string, unknown> = { Type: m.type };
      if (m.source) o.Source = m.source;
      o.Target = m.target;
      if (m.readOnly) o.ReadOnly = true;
      if (m.consistency) o.Consistency = m.consistency;
      if (m.type === 'bind') o.BindOptions = { Propagation: m.bindPropagation ?? 'rprivate', ...(m.bindNonRecursive ? { NonRecursive: true } : {}) };
      if (m.type === 'volume' && (m.volumeNoCopy || m.volumeLabels || m.volumeDriver || m.volumeOptions)) {
        const vo: Record<string, unknown> = {};
        if (m.volumeNoCopy) vo.NoCopy = true;
        if (m.volumeLabels) vo.Labels = m.volumeLabels;
        if (m.volumeDriver || m.volumeOptions) vo.DriverConfig = { ...(m.volumeDriver ? { Name: m.volumeDriver } : {}), ...(m.volumeOptions ? { Options: m.volumeOptions } : {}) };
        o.VolumeOptions = vo;
      }
      if (m.type === 'tmpfs' && (m.tmpfsSizeBytes || m.tmpfsMode)) o.TmpfsOptions = { ...(m.tmpfsSizeBytes ? { SizeBytes: m.tmpfsSizeBytes } : {}), ...(m.tmpfsMode ? { Mode: m.tmpfsMode } : {}) };
      return o;
    });
  }
  cs.StopGracePeriod = spec.stopGracePeriodMs * 1e6;
  cs.DNSConfig = {};
  const fileRef = (r: ServiceSpec['secrets'][number], idKey: string, nameKey: string) => ({
    File: { Name: r.target, UID: r.uid, GID: r.gid, Mode: r.mode }, [idKey]: r.id, [nameKey]: r.name,
  });
  if (spec.secrets.length) cs.Secrets = spec.secrets.map((r) => fileRef(r, 'SecretID', 'SecretName'));
  if (spec.configs.length) cs.Configs = spec.configs.map((r) => fileRef(r, 'ConfigID', 'ConfigName'));
  cs.Isolation = 'default';
  const res = (r: { nanoCpus: number; memoryBytes: number }) => ({ ...(r.nanoCpus ? { NanoCPUs: r.nanoCpus } : {}), ...(r.memoryBytes ? { MemoryBytes: r.memoryBytes } : {}) });
  const placement: Record<string, unknown> = {};
  if (spec.constraints.length) placement.Constraints = spec.constraints;
  if (spec.preferences.length) placement.Preferences = spec.preferences.map((d) => ({ Spread: { SpreadDescriptor: d } }));
  if (spec.maxReplicasPerNode) placement.MaxReplicas = spec.maxReplicasPerNode;
  const platforms = resolvedPlatforms(spec.image);
  if (platforms.length) placement.Platforms = platforms.map((p) => ({ Architecture: p.architecture, OS: p.os }));
  const restart: Record<string, unknown> = { Condition: spec.restart.condition, Delay: spec.restart.delayMs * 1e6, MaxAttempts: spec.restart.maxAttempts };
  if (spec.restart.windowMs) restart.Window = spec.restart.windowMs * 1e6;
  const tt: Record<string, unknown> = {
    ContainerSpec: cs, Resources: { Limits: res(spec.limits), Reservations: res(spec.reservations) }, RestartPolicy: restart, Placement: placement,
  };
  if (spec.networks.length) {
    tt.Networks = spec.networks.map((n) => {
      const o = spec.networkOptions?.[n];
      return { Target: n, ...(o?.aliases.length ? { Aliases: o.aliases } : {}), ...(o && Object.keys(o.driverOpts).length ? { DriverOpts: o.driverOpts } : {}) };
    });
  }
  tt.ForceUpdate = spec.forceUpdate;
  tt.Runtime = 'container';
  const out: Record<string, unknown> = { Name: spec.name, Labels: spec.labels, TaskTemplate: tt };
  out.Mode = spec.mode === 'replicated' ? { Replicated: { Replicas: spec.replicas } } : { Global: {} };
  out.UpdateConfig = updateConfigJson(spec.update);
  out.RollbackConfig = updateConfigJson(spec.rollback);
  const ep: Record<string, unknown> = { Mode: spec.endpointMode };
  if (spec.ports.length) ep.Ports = spec.ports.map(portJson);
  out.EndpointSpec = ep;
  void s;
  return out;
}

/** The object `docker service inspect` prints (moby api/types/swarm.Service). */
export function serviceInspect(s: State, svc: Service): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: svc.id, Version: { Index: svc.version }, CreatedAt: rfc3339Nano(s.sim.epochMs, svc.createdAtMs),
    UpdatedAt: rfc3339Nano(s.sim.epochMs, svc.updatedAtMs), Spec: specJson(s, svc.spec),
  };
  if (svc.previousSpec) out.PreviousSpec = specJson(s, svc.previousSpec);
  const endpoint: Record<string, unknown> = { Spec: out.Spec && (out.Spec as Record<string, unknown>).EndpointSpec };
  if (svc.endpointPorts.length) endpoint.Ports = svc.endpointPorts.map(portJson);
  if (svc.vips.length) {
    endpoint.VirtualIPs = svc.vips.map((v) => ({ NetworkID: v.networkId, Addr: `${v.ip}/${(tget(s.networks, v.networkId)?.subnet ?? '/32').split('/')[1]}` }));
  }
  out.Endpoint = endpoint;
  if (svc.updateStatus) {
    const u = svc.updateStatus;
    out.UpdateStatus = { State: u.state, StartedAt: rfc3339Nano(s.sim.epochMs, u.startedAtMs), ...(u.completedAtMs !== null ? { CompletedAt: rfc3339Nano(s.sim.epochMs, u.completedAtMs) } : {}), Message: u.message };
  }
  return out;
}

/** docker/cli progress.go numberedStates: the step a task state draws in the progress bar (0: not drawn). */
const NUMBERED_STATES: Partial<Record<TaskState, number>> = {
  new: 1, pending: 3, assigned: 4, accepted: 5, preparing: 6, ready: 7, starting: 8, running: 9,
  complete: 10, shutdown: 11, failed: 12, rejected: 13,
};
/** progress.go maxProgress, maxProgressBars, and longestState (the widest state drawn, `preparing`). */
const MAX_PROGRESS = 9;
const MAX_PROGRESS_BARS = 20;
const LONGEST_STATE = 9;

const numbered = (st: TaskState): number => NUMBERED_STATES[st] ?? 0;
const terminalState = (st: TaskState): boolean => numbered(st) > numbered('running');

/** The bar jsonmessage draws for `current` of `total` steps (RenderTUIProgress, a terminal over 110 columns). */
function progressBar(current: number, total: number): string {
  const pct = Math.min(Math.trunc(Math.trunc((current / total) * 100) / 2), 50);
  return `[${'='.repeat(pct)}>${' '.repeat(Math.max(50 - pct, 0))}]`;
}

/** progress.go truncError: newlines become spaces, at most 75 bytes (74 and `…`). */
function truncError(err: string): string {
  const one = err.replace(/\n/g, ' ');
  const bytes = Buffer.from(one);
  return bytes.length > 75 ? bytes.subarray(0, 74).toString() + '…' : one;
}

/** A task's progress line after its ID, or null when progress.go writes none (the line keeps its blank start). */
function taskProgress(t: Task): string | null {
  if (t.err) return truncError(t.err);
  if (!terminalState(t.desiredState) && !terminalState(t.state)) return `${t.state.padEnd(LONGEST_STATE)} ${progressBar(numbered(t.state), MAX_PROGRESS)}`;
  return null;
}

/**
 * progress.go tasksBySlot / tasksByNode: per slot (or node), the task with the lowest desired state,
 * then the lowest observed state; tasks whose states it does not number are left out.
 */
function pickPerKey(tasks: Task[], key: (t: Task) => string, keep: (t: Task) => boolean): Map<string, Task> {
  const out = new Map<string, Task>();
  for (const t of tasks) {
    if (numbered(t.desiredState) === 0 || numbered(t.state) === 0) continue;
    const k = key(t);
    const cur = out.get(k);
    if (cur) {
      if (numbered(cur.desiredState) < numbered(t.desiredState)) continue;
      if (numbered(cur.desiredState) === numbered(t.desiredState) && numbered(cur.state) <= numbered(t.state)) continue;
    }
    if (!keep(t)) continue;
    out.set(k, t);
  }
  return out;
}

/** What `docker service create/update/scale/rollback` print while they wait: the progress, then an error if any. */
export interface Convergence {
  out: string;
  /** progress.go's error (a paused update or rollback): printed as `Error: …`, exit 1. */
  error: string | null;
}

/**
 * docker/cli's convergence monitor (cli/command/service/progress/progress.go ServiceProgress), polled
 * once, when the command's batch is done: the service's UpdateStatus first (paused: an error and no
 * progress; completed: nothing more to show), then the progress of its up-to-date tasks (swarmkit's
 * `_up-to-date` filter: tasks IsTaskDirty does not flag), then `verify: Service <ref> converged` when
 * every replica runs. docker/cli draws the lines in the order it first meets the slots (Go map order);
 * the engine takes them in slot (global: node ID) order. Its `Waiting N seconds to verify that tasks
 * are stable...` line is not drawn: the monitor period is not waited for.
 */
export function convergence(s: State, svc: Service, ref: string): Convergence {
  const lines: string[] = [];
  let rollback = false;
  let message: string | null = null;
  const u = svc.updateStatus;
  if (u) {
    switch (u.state) {
      case 'completed':
        return { out: '', error: null };
      case 'paused':
        return { out: '', error: `service update paused: ${u.message}` };
      case 'rollback_paused':
        return { out: '', error: `service rollback paused: ${u.message}` };
      case 'rollback_started':
        if (u.message) lines.push(`rollback: ${u.message}`);
        rollback = true;
        break;
      case 'rollback_completed':
        message = `rollback: ${u.message}`;
        rollback = true;
        break;
      default:
        break;
    }
  }
  const overall = (n: number, d: number) => `overall progress: ${rollback ? 'rolling back update: ' : ''}${n} out of ${d} tasks`;
  const tasks = serviceSlots(s, svc.id).flatMap((slot) => slotTasks(s, slot)).filter((t) => !isTaskDirty(s, svc, t));
  const active = (nodeId: string | null): boolean => {
    const n = nodeId ? tget(s.nodes, nodeId) : undefined;
    return n !== undefined && n.state !== 'down';
  };
  const line = (id: string, t: Task | undefined) => `${id}: ${(t && taskProgress(t)) ?? ''}`.trimEnd();
  let converged: boolean;
  if (svc.spec.mode === 'replicated') {
    const replicas = svc.spec.replicas;
    const bySlot = pickPerKey(tasks, (t) => String(t.slot), (t) => !t.nodeId || active(t.nodeId));
    const picked = [...bySlot.values()].sort((a, b) => a.slot - b.slot);
    const running = picked.filter((t) => !terminalState(t.desiredState) && t.state === 'running').length;
    lines.push(overall(running, replicas));
    if (replicas <= MAX_PROGRESS_BARS) {
      // Slots are mapped onto 1…replicas in the order met, so a scaled-down service has no holes.
      for (let i = 1; i <= replicas; i++) lines.push(line(`${i}/${replicas}`, picked[i - 1]));
    }
    converged = running === replicas;
  } else {
    const byNode = pickPerKey(tasks, (t) => String(t.nodeId), () => true);
    const nodeCount = byNode.size;
    if (nodeCount === 0) return { out: lines.concat('overall progress: waiting for new tasks').map((l) => l + '\n').join(''), error: null };
    const picked = [...byNode.values()].filter((t) => active(t.nodeId)).sort((a, b) => (String(a.nodeId) < String(b.nodeId) ? -1 : 1));
    const running = picked.filter((t) => !terminalState(t.desiredState) && t.state === 'running').length;
    lines.push(overall(running, nodeCount));
    if (nodeCount <= MAX_PROGRESS_BARS) for (const t of picked) lines.push(line(t.nodeId!.slice(0, 12), t));
    converged = running === nodeCount;
  }
  if (converged) {
    lines.push(`verify: Service ${ref} converged`);
    if (message) lines.push(message);
  }
  return { out: lines.map((l) => l + '\n').join(''), error: null };
}

export { slotTasks };

/** Go's `%v` of a float32 (strconv 'g', shortest repr that reads back as the same float32; exponent below 1e-4 or from 1e21). */
export function goFloat32(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let digits = '';
  for (let p = 1; p <= 9; p++) {
    digits = f.toPrecision(p);
    if (Math.fround(Number(digits)) === f) break;
  }
  const n = Number(digits);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [mant, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    return `${mant}e${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(n);
}

/** go-units BytesSize: binary units, `%.4g` (`512MiB`, `6GiB`, `1.5GiB`). */
export function bytesSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

/**
 * `docker service inspect --pretty` (docker/cli cli/command/service/formatter.go,
 * serviceInspectPrettyTemplate, with the whitespace its `{{-`/`-}}` trims leave), then the newline
 * formatter.Context adds after each object.
 */
export function servicePretty(s: State, svc: Service): string {
  const sp = svc.spec;
  let o = `\nID:\t\t${svc.id}\nName:\t\t${sp.name}`;
  const labels = Object.keys(sp.labels).sort();
  if (labels.length) o += '\nLabels:' + labels.map((k) => `\n ${k}${sp.labels[k] ? `=${sp.labels[k]}` : ''}`).join('');
  o += '\nService Mode:' + (sp.mode === 'global' ? '\tGlobal' : `\tReplicated\n Replicas:\t${sp.replicas}`);
  const u = svc.updateStatus;
  if (u) {
    o += `\nUpdateStatus:\n State:\t\t${u.state}`;
    o += `\n Started:\t${humanDuration(s.sim.nowMs - u.startedAtMs)} ago`;
    if (u.state === 'completed' && u.completedAtMs !== null) o += `\n Completed:\t${humanDuration(s.sim.nowMs - u.completedAtMs)} ago`;
    o += `\n Message:\t${u.message}`;
  }
  o += '\nPlacement:';
  if (sp.constraints.length) o += `\n Constraints:\t[${sp.constraints.join(' ')}]`;
  if (sp.preferences.length) o += `\n Preferences:   [${sp.preferences.map((p) => `spread=${p}`).join(' ')}]`;
  if (sp.maxReplicasPerNode) o += `\n Max Replicas Per Node:   ${sp.maxReplicasPerNode}`;
  for (const [title, c, order] of [['UpdateConfig', sp.update, 'Update order:      '], ['RollbackConfig', sp.rollback, 'Rollback order:    ']] as const) {
    o += `\n${title}:\n Parallelism:\t${c.parallelism}`;
    if (c.delayMs > 0) o += `\n Delay:\t\t${formatDurationMs(c.delayMs)}`;
    o += `\n On failure:\t${c.failureAction}`;
    if (c.monitorMs > 0) o += `\n Monitoring Period: ${formatDurationMs(c.monitorMs)}`;
    o += `\n Max failure ratio: ${goFloat32(c.maxFailureRatio)}\n ${order}${c.order}`;
  }
  o += `\nContainerSpec:\n Image:\t\t${sp.image}`;
  if (sp.args.length) o += `\n Args:\t\t${sp.args.map((a) => `${a} `).join('')}`;
  if (sp.env.length) o += `\n Env:\t\t${sp.env.map((e) => `${e} `).join('')}`;
  if (sp.workdir) o += `\n Dir:\t\t${sp.workdir}`;
  // docker/cli's `service create` always sends ContainerSpec.Init (false without --init).
  o += '\n Init:\t\tfalse';
  if (sp.user) o += `\n User: ${sp.user}`;
  if (sp.mounts.length) o += '\nMounts:';
  for (const m of sp.mounts) o += `\n Target:\t${m.target}\n  Source:\t${m.source}\n  ReadOnly:\t${m.readOnly}\n  Type:\t\t${m.type}`;
  if (sp.configs.length) o += '\nConfigs:' + sp.configs.map((r) => `\n Target:\t${r.target}\n  Source:\t${r.name}`).join('');
  if (sp.secrets.length) o += '\nSecrets:' + sp.secrets.map((r) => `\n Target:\t${r.target}\n  Source:\t${r.name}`).join('');
  o += '\nResources:';
  for (const [title, r] of [['Reservations', sp.reservations], ['Limits', sp.limits]] as const) {
    if (r.nanoCpus <= 0 && r.memoryBytes <= 0) continue;
    o += `\n ${title}:`;
    if (r.nanoCpus > 0) o += `\n  CPU:\t\t${r.nanoCpus / 1e9}`;
    if (r.memoryBytes) o += `\n  Memory:\t${bytesSize(r.memoryBytes)}`;
  }
  if (sp.networks.length) o += '\nNetworks:' + sp.networks.map((id) => ` ${tget(s.networks, id)?.name ?? id}`).join('') + ' ';
  o += `\nEndpoint Mode:\t${sp.endpointMode}`;
  if (svc.endpointPorts.length) {
    o += '\nPorts:' + svc.endpointPorts.map((p) => `\n PublishedPort = ${p.publishedPort}\n  Protocol = ${p.protocol}\n  TargetPort = ${p.targetPort}\n  PublishMode = ${p.publishMode}`).join('') + ' ';
  }
  return o + '\n\n';
}
