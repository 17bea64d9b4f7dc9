/**
 * Containers on a host: standalone ones (`docker run`) and the containers of swarm tasks, seen the way
 * `docker ps` on that host sees them; `kill`, `stop`, `start`, `rm` and `exec` act on either.
 */
import { TASK_STATE_ORDER, type ContainerCreated, type ContainerState, type EngineEvent } from '../../events/index.js';
import { localId } from '../sim/ids.js';
import type { Prng } from '../sim/prng.js';
import { tget, tvalues } from '../state/table.js';
import type { Container, Host, State, Task } from '../state/types.js';
import { taskSpecOf } from '../controllers/orchestrator/spec.js';
import { daemon, reject } from './rejection.js';
import { validImageReference } from './parse.js';
import { attachTarget } from './networks.js';
import { isUserDefinedNetwork } from '../net/views.js';
import { tasksOnNode } from '../controllers/orchestrator/tasks.js';

/** A container as `docker ps` shows it, whichever kind it is. */
export interface ContainerView extends Container {
  /** The task this container runs, for task containers. */
  task: Task | null;
  hostname: string;
}

/** Docker's container name for a task: `<service>.<slot|node>.<task id>`. */
export function taskContainerName(s: State, t: Task): string {
  const svc = tget(s.services, t.serviceId);
  return `${svc?.spec.name ?? t.serviceId}.${t.slot > 0 ? t.slot : t.nodeId}.${t.id}`;
}

function taskView(s: State, t: Task, host: string): ContainerView | null {
  if (TASK_STATE_ORDER[t.state] < TASK_STATE_ORDER.preparing || !['preparing', 'ready', 'starting', 'running', 'complete', 'shutdown', 'failed'].includes(t.state)) return null;
  const service = tget(s.services, t.serviceId);
  // The container runs the spec its task was made from (an old task keeps its old image).
  const svc = service ? { ...service, spec: taskSpecOf(service, t) } : undefined;
  const running = t.state === 'running';
  const started = t.runningAtMs !== null;
  const state: ContainerState = running ? 'running' : started ? 'exited' : 'created';
  const labels: Record<string, string> = {
    ...(svc?.spec.containerLabels ?? {}),
    'com.docker.swarm.node.id': t.nodeId ?? '', 'com.docker.swarm.service.id': t.serviceId,
    'com.docker.swarm.service.name': svc?.spec.name ?? '', 'com.docker.swarm.task': '', 'com.docker.swarm.task.id': t.id,
    'com.docker.swarm.task.name': taskContainerName(s, t).split('.').slice(0, 2).join('.') + `.${t.id}`,
  };
  return {
    id: t.containerId, name: taskContainerName(s, t), host, image: svc?.spec.image ?? '', command: [...(svc?.spec.command ?? []), ...(svc?.spec.args ?? [])],
    env: svc?.spec.env ?? [], labels, mounts: svc?.spec.mounts ?? [], state, exitCode: t.exitCode ?? 0,
    networks: svc?.spec.networks ?? [], links: [], createdAtMs: t.createdAtMs, stateAtMs: t.stateAtMs, task: t, hostname: svc?.spec.hostname || t.containerId.slice(0, 12),
  };
}

/** A standalone container: its hostname is its short ID, or the host's name on the host network (dockerd's defaults). */
function standaloneView(s: State, c: Container): ContainerView {
  const hostNet = c.networks.some((id) => tget(s.networks, id)?.driver === 'host');
  return { ...c, task: null, hostname: hostNet ? c.host : c.id.slice(0, 12) };
}

/** Every container on a host, newest first (docker ps order). */
export function containersOn(s: State, h: Host): ContainerView[] {
  const out: ContainerView[] = tvalues(s.containers).filter((c) => c.host === h.name).map((c) => standaloneView(s, c));
  if (h.nodeId) {
    for (const t of tasksOnNode(s, h.nodeId)) {
      const v = taskView(s, t, h.name);
      if (v) out.push(v);
    }
  }
  return out.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : 1));
}

/** Finds a container by ID prefix or name, on one host (or on any when `host` is null). */
export function findContainer(s: State, hosts: Host[], ref: string): ContainerView | undefined {
  const clean = ref.replace(/^\//, '');
  return findByName(s, hosts, clean) ?? findAmongAll(s, hosts, clean);
}

/**
 * The common cases without building a view of every task in the cluster: a standalone container's name
 * (no dot: task container names always have two), or a task container's full name
 * (`<service>.<slot|node>.<task ID>`, its task looked up by ID). Whatever these find, findAmongAll would
 * find first too: full container IDs (64 hex) are never names, and names are unique per host.
 */
function findByName(s: State, hosts: Host[], clean: string): ContainerView | undefined {
  if (/^[0-9a-f]{64}$/.test(clean)) return undefined;
  if (!clean.includes('.')) {
    for (const h of hosts) {
      const mine = tvalues(s.containers).filter((c) => c.host === h.name && c.name === clean);
      if (mine.length) return standaloneView(s, mine.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : 1))[0]!);
    }
    return undefined;
  }
  const m = /^[^.]+\.[^.]+\.([0-9a-z]{25})$/.exec(clean);
  const t = m ? tget(s.tasks, m[1]!) : undefined;
  const node = t?.nodeId ? tget(s.nodes, t.nodeId) : undefined;
  const h = node ? hosts.find((x) => x.name === node.hostname && x.nodeId === node.id) : undefined;
  const v = t && h ? taskView(s, t, h.name) : null;
  return v && v.name === clean ? v : undefined;
}

/**
 * A container as dockerd finds one (daemon GetContainer): its full ID, its name, or a unique ID prefix —
 * without the engine's shortcuts (a task's ID or `service.slot` for its container), so that `docker
 * inspect TASK` reaches the task as in Docker.
 */
export function findContainerStrict(s: State, hosts: Host[], ref: string): ContainerView | undefined {
  const clean = ref.replace(/^\//, '');
  const named = findByName(s, hosts, clean);
  if (named) return named;
  const all = hosts.flatMap((h) => containersOn(s, h));
  const exact = all.find((c) => c.id === clean || c.name === clean);
  if (exact) return exact;
  const p = all.filter((c) => c.id.startsWith(clean));
  return p.length === 1 ? p[0] : undefined;
}

/** Docker's full lookup over every container of the hosts: exact ID, name, task ID or `svc.slot`, then a unique prefix. */
function findAmongAll(s: State, hosts: Host[], clean: string): ContainerView | undefined {
  const all = hosts.flatMap((h) => containersOn(s, h));
  return all.find((c) => c.id === clean) ?? all.find((c) => c.name === clean)
    ?? all.find((c) => c.task !== null && (c.task.id === clean || `${c.name.split('.').slice(0, 2).join('.')}` === clean && c.state === 'running'))
    ?? (() => {
      const p = all.filter((c) => c.id.startsWith(clean) || (c.task?.id.startsWith(clean) ?? false));
      return p.length === 1 ? p[0] : undefined;
    })();
}

const ADJ = ['admiring', 'brave', 'clever', 'dreamy', 'eager', 'festive', 'gallant', 'hungry', 'jolly', 'keen', 'loving', 'modest', 'nifty', 'quirky', 'relaxed', 'sharp', 'tender', 'upbeat', 'vibrant', 'wizardly'];
const NAMES = ['albattani', 'babbage', 'curie', 'darwin', 'euclid', 'feynman', 'galileo', 'hopper', 'jennings', 'kepler', 'lovelace', 'mayer', 'noether', 'pasteur', 'ritchie', 'shannon', 'turing', 'villani', 'wozniak', 'yonath'];

/** namesgenerator.GetRandomName(0): `adjective_surname`, for containers and services created without a name. */
export function randomName(rng: Prng): string {
  return `${ADJ[rng.int(ADJ.length)]}_${NAMES[rng.int(NAMES.length)]}`;
}

/** `docker run` as parsed: the container's fields, with `--network` references (default: bridge) not yet resolved. */
export interface RunInput extends Pick<ContainerCreated, 'image' | 'command' | 'env' | 'labels' | 'mounts' | 'networks' | 'links'> {
  name?: string;
  /** `--network-alias`: on the first network (docker/cli applyContainerOptions). */
  aliases?: string[];
  /** Aliases given per network in `--network name=N,alias=A`, in the order of `networks`. */
  networkAliases?: string[][];
}

export function decideRun(s: State, h: Host, input: RunInput, rng: Prng): EngineEvent[] {
  if (!h.up) reject('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  // docker/cli parses the reference before it asks the daemon (reference.ParseNormalizedNamed).
  if (!validImageReference(input.image)) {
    const lower = input.image.toLowerCase();
    const path = lower.includes('/') ? input.image : `library/${input.image}`;
    reject(input.image !== lower && validImageReference(lower) ? `invalid reference format: repository name (${path.split(':')[0]}) must be lowercase` : 'invalid reference format');
  }
  const id = localId(rng);
  let name = input.name;
  if (name !== undefined) {
    if (!/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) daemon(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const other = containersOn(s, h).find((c) => c.name === name);
    if (other) daemon(`Conflict. The container name "/${name}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
  } else {
    name = randomName(rng);
  }
  const out: EngineEvent[] = [];
  for (const m of input.mounts) {
    if (m.type === 'volume' && m.source && !tget(s.volumes, `${h.name}/${m.source}`)) {
      out.push({ type: 'VolumeCreated', host: h.name, name: m.source, driver: 'local', labels: {}, options: {} });
    }
  }
  // Each network as dockerd finds it when it starts the container: a local one, or a swarm network through
  // an attachment request to the managers (attachTarget), which a worker makes as well as a manager.
  const nets = (input.networks.length ? input.networks : ['bridge']).map((ref) => attachTarget(s, h, ref));
  if (nets.length > 1 && nets.some((n) => n.driver === 'host' || n.driver === 'null')) daemon('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  // docker/cli applyContainerOptions: `--network-alias` goes to the first network, unless that one has its own.
  const perNet = nets.map((_, i) => [...(input.networkAliases?.[i] ?? [])]);
  if (input.aliases?.length) {
    if (perNet[0]!.length) reject('conflicting options: cannot specify both --network-alias and per-network alias');
    perNet[0] = [...input.aliases];
  }
  // daemon validateEndpointSettings: aliases need a user-defined network (the key is the name as given).
  nets.forEach((n, i) => {
    if (perNet[i]!.length && !isUserDefinedNetwork(n)) {
      daemon(`invalid config for network ${input.networks[i] ?? 'default'}: invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks`);
    }
  });
  const aliasMap: Record<string, string[]> = {};
  nets.forEach((n, i) => {
    if (perNet[i]!.length) aliasMap[n.id] = perNet[i]!;
  });
  for (const l of input.links) {
    const [target] = l.split(':');
    if (!target) reject(l === '' ? 'empty string specified for links' : `bad format for links: ${l}`);
    const c = containersOn(s, h).find((x) => x.name === target || x.id.startsWith(target));
    if (!c || c.state !== 'running') daemon(`could not get container for ${target}`);
  }
  out.push({ type: 'ContainerCreated', containerId: id, host: h.name, name, image: input.image, command: input.command, env: input.env, labels: input.labels, mounts: input.mounts, networks: nets.map((n) => n.id), links: input.links, ...(Object.keys(aliasMap).length ? { aliases: aliasMap } : {}) });
  out.push({ type: 'ContainerStateChanged', containerId: id, from: 'created', to: 'running', exitCode: 0 });
  return out;
}

/**
 * The container exits with `code` (kill: 137, stop: 0); for a task, the agent reports it. Stopping a
 * container that is not running is no error (dockerd answers 304 Not Modified); killing one is.
 */
export function decideExit(c: ContainerView, code: number, verb: 'kill' | 'stop' = 'kill'): EngineEvent[] {
  if (c.state !== 'running') {
    if (verb === 'stop') return [];
    daemon(`container ${c.id} is not running`);
  }
  if (c.task) {
    const t = c.task;
    if (code === 0) return [{ type: 'TaskStateChanged', taskId: t.id, from: t.state, to: 'complete', message: 'finished', err: '', exitCode: 0 }];
    return [{ type: 'TaskStateChanged', taskId: t.id, from: t.state, to: 'failed', message: 'started', err: `task: non-zero exit (${code})`, exitCode: code }];
  }
  return [{ type: 'ContainerStateChanged', containerId: c.id, from: 'running', to: 'exited', exitCode: code }];
}

export function decideStart(c: ContainerView): EngineEvent[] {
  if (c.task) daemon(`container ${c.id} is managed by the swarm: its task cannot be restarted by hand (the orchestrator replaces it)`);
  if (c.state === 'running') return [];
  return [{ type: 'ContainerStateChanged', containerId: c.id, from: c.state, to: 'running', exitCode: 0 }];
}

export function decideRm(c: ContainerView, force: boolean): EngineEvent[] {
  if (c.state === 'running' && !force) {
    daemon(`cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`);
  }
  if (c.task) {
    if (c.state === 'running') return decideExit(c, 137);
    reject(`container ${c.name} belongs to task ${c.task.id}: the task reaper removes it`);
  }
  const out: EngineEvent[] = [];
  if (c.state === 'running') out.push({ type: 'ContainerStateChanged', containerId: c.id, from: 'running', to: 'exited', exitCode: 137 });
  out.push({ type: 'ContainerRemoved', containerId: c.id });
  return out;
}
