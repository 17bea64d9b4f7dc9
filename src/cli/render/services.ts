/** Views of services and tasks: `service ls`, `service ps`, `service inspect`, convergence progress. */
import { TASK_STATE_ORDER, type PortConfig, type ServiceSpec, type UpdateConfig } from '../../../events/index.js';
import { imageWithoutDigest } from '../../commands/parse.js';
import { taskSpecOf } from '../../controllers/orchestrator/spec.js';
import { currentTask, serviceSlots, slotTasks } from '../../controllers/orchestrator/tasks.js';
import { humanDuration, rfc3339Nano } from '../../sim/clock.js';
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

/** `Running 3 minutes ago` */
export function currentState(s: State, t: Task): string {
  return `${cap(t.state)} ${humanDuration(s.sim.nowMs - t.stateAtMs)} ago`;
}

export function taskDisplayName(s: State, t: Task): string {
  const svc = tget(s.services, t.serviceId);
  return `${svc ? svc.spec.name : t.serviceId}.${t.slot > 0 ? t.slot : t.nodeId}`;
}

/**
 * The tasks `service ps` lists, in docker/cli's order (task/print.go tasksSortable): by display name,
 * naturally (`web.2` before `web.10`, several services merged), newest first within a slot; the older
 * rows of a slot are its children (` \_ web.1`).
 */
export function tasksForPs(s: State, services: Service[], filter: (t: Task) => boolean = () => true): { task: Task; child: boolean }[] {
  const rows: { task: Task; name: string; order: number }[] = [];
  const seen = new Set<string>();
  for (const svc of services) {
    if (seen.has(svc.id)) continue;
    seen.add(svc.id);
    for (const slot of serviceSlots(s, svc.id)) {
      slotTasks(s, slot).forEach((task, order) => {
        if (filter(task)) rows.push({ task, name: taskDisplayName(s, task), order });
      });
    }
  }
  rows.sort((a, b) => naturalLess(a.name, b.name) || b.task.createdAtMs - a.task.createdAtMs
    || TASK_STATE_ORDER[a.task.state] - TASK_STATE_ORDER[b.task.state] || b.order - a.order);
  return rows.map((r, i) => ({ task: r.task, child: i > 0 && rows[i - 1]!.name === r.name }));
}

export function taskRow(s: State, t: Task, child: boolean, noTrunc: boolean): Record<string, string> {
  const svc = tget(s.services, t.serviceId);
  const node = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  let err = t.err;
  // docker/cli task formatter: formatter.Ellipsis(err, 30) keeps 30 characters, or 29 and `…`.
  if (err && !noTrunc && [...err].length > 30) err = [...err].slice(0, 29).join('') + '…';
  const spec = svc ? taskSpecOf(svc, t) : undefined;
  const hostPorts = (spec?.ports ?? []).filter((p) => p.publishMode === 'host' && t.state === 'running')
    .map((p) => `*:${p.publishedPort}->${p.targetPort}/${p.protocol}`).join(',');
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

function portJson(p: PortConfig): Record<string, unknown> {
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
  placement.Platforms = [{ Architecture: 'amd64', OS: 'linux' }];
  const restart: Record<string, unknown> = { Condition: spec.restart.condition, Delay: spec.restart.delayMs * 1e6, MaxAttempts: spec.restart.maxAttempts };
  if (spec.restart.windowMs) restart.Window = spec.restart.windowMs * 1e6;
  const tt: Record<string, unknown> = {
    ContainerSpec: cs, Resources: { Limits: res(spec.limits), Reservations: res(spec.reservations) }, RestartPolicy: restart, Placement: placement,
  };
  if (spec.networks.length) tt.Networks = spec.networks.map((n) => ({ Target: n }));
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

const BAR = '[==================================================>]';

/** The final frame of docker's convergence progress (`overall progress: …`, one line per task, `verify: …`). */
export function convergence(s: State, svc: Service, ref: string, rollback = false): string {
  let out = rollback ? `rollback: ${svc.updateStatus?.message ?? 'manually requested rollback'}\n` : '';
  // docker/cli progress.go writeOverallProgress: a rollback reads `rolling back update: N out of M tasks`.
  const rolling = rollback || svc.updateStatus?.state.startsWith('rollback') ? 'rolling back update: ' : '';
  const lines: string[] = [];
  let done = 0;
  if (svc.spec.mode === 'replicated') {
    const n = svc.spec.replicas;
    const bySlot = new Map(serviceSlots(s, svc.id).map((slot) => [slot.slot, currentTask(s, slot)]));
    for (let i = 1; i <= n; i++) {
      const t = bySlot.get(i);
      lines.push(`${i}/${n}: ${progressText(t)}`);
      if (t?.state === 'running') done++;
    }
    out += `overall progress: ${rolling}${done} out of ${n} tasks\n`;
  } else {
    const tasks = serviceSlots(s, svc.id).map((slot) => currentTask(s, slot)).filter((t): t is Task => !!t);
    for (const t of tasks) {
      lines.push(`${t.nodeId!.slice(0, 12)}: ${progressText(t)}`);
      if (t.state === 'running') done++;
    }
    out += `overall progress: ${rolling}${done} out of ${tasks.length} tasks\n`;
  }
  out += lines.map((l) => l + '\n').join('');
  const status = svc.updateStatus?.state;
  if (status === 'paused' || status === 'rollback_paused') return out + `Error: ${svc.updateStatus!.message}\n`;
  const converged = lines.length === done;
  if (converged) out += `verify: Service ${ref} converged\n`;
  return out;
}

function progressText(t: Task | undefined): string {
  if (!t) return 'new       [>                                                  ]';
  if (t.err && t.state === 'pending') return t.err;
  return `${t.state.padEnd(9)} ${t.state === 'running' ? BAR : partialBar(t)}`;
}

function partialBar(t: Task): string {
  const steps = ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'];
  const i = Math.max(0, steps.indexOf(t.state));
  const w = Math.round((i / (steps.length - 1)) * 50);
  return `[${'='.repeat(w)}>${' '.repeat(50 - w)}]`;
}

export { slotTasks };
