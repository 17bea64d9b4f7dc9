/** Container verbs typed on a host: `run`, `ps`, `inspect` (and `container inspect`), `kill`, `stop`, `start`, `rm`, `exec`; and `volume …`. */
import type { Command } from 'commander';
import { containersOn, decideExit, decideRm, decideRun, decideStart, findContainer, findContainerStrict, type ContainerView } from '../../commands/containers.js';
import { execIn } from '../../commands/exec.js';
import { kvList } from '../../commands/nodes.js';
import { parseMount, parseNetworkOpt, type NetworkAttachmentRequest } from '../../commands/parse.js';
import { daemon, reject, Rejection } from '../../commands/rejection.js';
import { requireDaemon, requireManager } from '../../commands/access.js';
import { findNetwork } from '../../commands/networks.js';
import { resolveNode } from '../../commands/nodes.js';
import { findService, resolveTask } from '../../commands/services.js';
import { resolveObject } from '../../commands/objects.js';
import { humanDuration, rfc3339Nano } from '../../sim/clock.js';
import { naturalLess, selectHostNode } from '../../state/selectors.js';
import { tget, tvalues } from '../../state/table.js';
import type { Config, Host, Secret, State, Volume } from '../../state/types.js';
import { decide, host, state, type CliContext } from '../context.js';
import { collect, filterFlag, formatFlag, invalidArg } from '../flags.js';
import { renderList } from '../render/format.js';
import { containerInspect, containerNetworkNames } from '../render/containers.js';
import { inspectEach } from '../render/inspect.js';
import { inspectJson } from '../render/json.js';
import { goTime, networkInspect } from '../render/networks.js';
import { nodeInspect } from '../render/nodes.js';
import { serviceInspect } from '../render/services.js';
import { taskInspect } from '../render/tasks.js';
import { objectInspect } from './objects.js';
import { tabwrite } from '../render/table.js';

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

/** `-v name:/path[:ro]` or `/host:/path` → a mount. */
function volumeFlag(v: string, prev: ReturnType<typeof parseMount>[] = []): ReturnType<typeof parseMount>[] {
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3) invalidArg(v, '-v, --volume', 'invalid volume specification');
  const [src, dst, mode] = parts as [string, string, string | undefined];
  return [...prev, { type: src.startsWith('/') ? 'bind' : 'volume', source: src, target: dst, readOnly: mode === 'ro' }];
}

/** Where to look for a container: the `--on` host only, or every host when none was named. */
function scope(ctx: CliContext): Host[] {
  const s = state(ctx);
  if (ctx.on !== null) {
    const h = host(ctx);
    requireDaemon(h);
    return [h];
  }
  return tvalues(s.hosts).filter((h) => h.up).sort((a, b) => naturalLess(a.name, b.name));
}

function container(ctx: CliContext, ref: string): ContainerView {
  return findContainer(state(ctx), scope(ctx), ref) ?? daemon(`No such container: ${ref}`);
}

/** STATUS as docker ps prints it (moby container State.String: go-units HumanDuration, capitalised). */
function status(s: State, c: ContainerView): string {
  const since = cap(humanDuration(s.sim.nowMs - c.stateAtMs));
  if (c.state === 'running') return `Up ${since}`;
  if (c.state === 'created') return 'Created';
  return `Exited (${c.exitCode}) ${since} ago`;
}

function command(c: ContainerView): string {
  const full = c.command.length ? c.command.join(' ') : c.image.startsWith('nginx') ? '/docker-entrypoint.sh nginx -g \'daemon off;\'' : 'sh';
  return `"${[...full].length > 20 ? [...full].slice(0, 19).join('') + '…' : full}"`;
}

/** docker/cli formatter.Ellipsis: at most `width` characters, the last one `…` when cut. */
function ellipsis(v: string, width: number): string {
  const chars = [...v];
  return chars.length <= width ? v : `${chars.slice(0, width - 1).join('')}…`;
}

function imageShown(image: string): string {
  return image.split('@')[0]!;
}

/** `docker volume inspect`'s object (api/types/volume Volume). */
function volumeInspect(s: State, v: Volume): Record<string, unknown> {
  return { CreatedAt: rfc3339Nano(s.sim.epochMs, v.createdAtMs), Driver: v.driver, Labels: Object.keys(v.labels).length ? v.labels : null, Mountpoint: `/var/lib/docker/volumes/${v.name}/_data`, Name: v.name, Options: Object.keys(v.options).length ? v.options : null, Scope: 'local' };
}

const INSPECT_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

/**
 * `docker inspect` (cli/command/system/inspect.go inspectAll): each reference is tried as a container,
 * a network, a volume, then, where the daemon is a manager, a service, a task, a node, a secret and a
 * config, in that order; the first that exists answers. A lookup that finds nothing (NotFound) moves on;
 * with `--type` only that kind is tried and its own error is the answer. Containers are found as
 * dockerd finds them (ID, name, ID prefix), so a task's ID reaches the task; the engine's shortcut for a
 * task's container (`web.1`) is tried when nothing else answers. The engine has no image
 * or plugin store: those kinds find nothing.
 */
function systemInspect(ctx: CliContext, type: string | undefined): (ref: string) => Record<string, unknown> {
  const s = state(ctx);
  const h = host(ctx);
  const node = selectHostNode(s, h.name);
  const manager = node?.role === 'manager';
  const swarmObject = (kind: 'secret' | 'config') => (ref: string) => {
    requireManager(s, h);
    return objectInspect(s, kind, resolveObject<Secret | Config>(kind, kind === 'secret' ? tvalues(s.secrets) : tvalues(s.configs), ref));
  };
  const kinds: { type: string; swarm: boolean; find: (ref: string) => Record<string, unknown> }[] = [
    { type: 'container', swarm: false, find: (ref) => containerInspect(s, findContainerStrict(s, scope(ctx), ref) ?? (type === 'container' ? findContainer(s, scope(ctx), ref) : undefined) ?? daemon(`No such container: ${ref}`)) },
    { type: 'image', swarm: false, find: (ref) => { requireDaemon(h); return daemon(`No such image: ${ref}`); } },
    { type: 'network', swarm: false, find: (ref) => { requireDaemon(h); return networkInspect(s, h, findNetwork(s, h, ref) ?? daemon(`network ${ref} not found`)); } },
    { type: 'volume', swarm: false, find: (ref) => { requireDaemon(h); return volumeInspect(s, tget(s.volumes, `${h.name}/${ref}`) ?? daemon(`get ${ref}: no such volume`)); } },
    { type: 'service', swarm: true, find: (ref) => { requireManager(s, h); return serviceInspect(s, findService(s, ref) ?? daemon(`service ${ref} not found`)); } },
    { type: 'task', swarm: true, find: (ref) => { requireManager(s, h); return taskInspect(s, resolveTask(s, ref)); } },
    { type: 'node', swarm: true, find: (ref) => { requireManager(s, h); return nodeInspect(s, resolveNode(s, ref)); } },
    { type: 'plugin', swarm: false, find: (ref) => { requireDaemon(h); return daemon(`plugin "${ref}" not found`); } },
    { type: 'secret', swarm: true, find: swarmObject('secret') },
    { type: 'config', swarm: true, find: swarmObject('config') },
  ];
  const notFound = (e: unknown) => e instanceof Rejection && /(No such container: |No such image: |not found$|no such volume$)/.test(e.message);
  return (ref) => {
    for (const k of kinds) {
      if (type !== undefined && k.type !== type) continue;
      // The swarm kinds are tried only where the daemon is a manager (Info's ControlAvailable).
      if (type === undefined && k.swarm && !manager) continue;
      try {
        return k.find(ref);
      } catch (e) {
        if (type === undefined && notFound(e)) continue;
        throw e;
      }
    }
    // The engine's shortcut last, so that it never hides a task: `web.1` or a task's ID for its container.
    const c = type === undefined ? findContainer(s, scope(ctx), ref) : undefined;
    return c ? containerInspect(s, c) : reject(`No such object: ${ref}`);
  };
}

/**
 * `run` is both Docker's `docker run IMAGE` and the engine's `engine run FILE.swarm` (a scenario):
 * an argument ending in `.swarm` is a scenario, since no image reference ends that way.
 */
export function registerContainers(program: Command, ctx: CliContext, runScenarioFile: (file: string, quiet: boolean) => Promise<void>): void {
  program.command('run <image|file.swarm> [command...]').description('Run a scenario file (FILE.swarm), or create and run a new container from an image')
    .option('-q, --quiet', 'scenario: print nothing but errors')
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--name <name>', 'Assign a name to the container')
    .option('-e, --env <env>', 'Set environment variables', collect, [])
    .option('-l, --label <label>', 'Set meta data on a container', collect, [])
    .option('-v, --volume <volume>', 'Bind mount a volume', volumeFlag, [])
    .option('--mount <mount>', 'Attach a filesystem mount to the container', (v: string, prev: ReturnType<typeof parseMount>[] = []) => {
      try { return [...prev, parseMount(v)]; } catch (e) { return invalidArg(v, '--mount', (e as Error).message); }
    }, [])
    .option('--network, --net <network>', 'Connect a container to a network', (v: string, prev: NetworkAttachmentRequest[] = []) => {
      try { return [...prev, parseNetworkOpt(v)]; } catch (e) { return invalidArg(v, '--network', (e as Error).message); }
    }, [])
    .option('--network-alias <alias>', 'Add network-scoped alias for the container', collect, [])
    .option('--link <link>', 'Add link to another container', collect, [])
    .option('--rm', 'Automatically remove the container when it exits')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--restart <policy>', 'Restart policy to apply when a container exits', 'no')
    .action(async (image: string, cmd: string[], o: { quiet?: boolean; name?: string; env: string[]; label: string[]; volume: ReturnType<typeof parseMount>[]; mount: ReturnType<typeof parseMount>[]; net: NetworkAttachmentRequest[]; link: string[]; networkAlias: string[] }) => {
      if (image.endsWith('.swarm')) {
        if (cmd.length) reject(`"engine run" takes one scenario file`);
        return runScenarioFile(image, !!o.quiet);
      }
      const h = host(ctx);
      const r = await decide(ctx, (s, rng) => decideRun(s, h, { name: o.name, image, command: cmd, env: o.env, labels: kvList(o.label), mounts: [...o.volume, ...o.mount], networks: o.net.map((n) => n.target), networkAliases: o.net.map((n) => n.aliases), links: o.link, aliases: o.networkAlias }, rng));
      const e = r.events.find((x) => x.event.type === 'ContainerCreated')!.event as { containerId: string };
      ctx.io.out(`${e.containerId}\n`);
    });

  program.command('ps').description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-q, --quiet', 'Only display container IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['id', 'name', 'status', 'label']))
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((o: { all?: boolean; quiet?: boolean; trunc?: boolean; format?: string; filter?: Record<string, string[]> }) => {
      const s = state(ctx);
      const h = host(ctx);
      requireDaemon(h);
      const f = o.filter ?? {};
      const list = containersOn(s, h).filter((c) => (o.all || f.status || c.state === 'running')
        && (!f.id || f.id.some((v) => c.id.startsWith(v))) && (!f.name || f.name.some((v) => new RegExp(v).test(c.name)))
        && (!f.status || f.status.includes(c.state))
        && (!f.label || f.label.every((v) => (v.includes('=') ? c.labels[v.split('=')[0]!] === v.slice(v.indexOf('=') + 1) : v in c.labels))));
      const id = (c: ContainerView) => (o.trunc === false ? c.id : c.id.slice(0, 12));
      if (o.quiet) return ctx.io.out(list.map((c) => `${id(c)}\n`).join(''));
      // docker/cli's ContainerContext, every field `--format json` marshals (docker 28.2).
      const rows = list.map((c) => ({
        Command: command(c), CreatedAt: goTime(s.sim.epochMs, c.createdAtMs), ID: id(c), Image: imageShown(c.image),
        Labels: Object.keys(c.labels).map((k) => `${k}=${c.labels[k]}`).sort().join(','),
        LocalVolumes: String(c.mounts.filter((m) => m.type === 'volume').length),
        Mounts: c.mounts.map((m) => ellipsis(m.source, o.trunc === false ? Infinity : 15)).join(','),
        Names: c.name, Networks: containerNetworkNames(s, c).join(','), Platform: null, Ports: '',
        RunningFor: `${cap(humanDuration(s.sim.nowMs - c.createdAtMs))} ago`, Size: '0B', State: c.state, Status: status(s, c),
      }));
      const headers = {
        ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS',
        Size: 'SIZE', Labels: 'LABELS', Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS', Platform: 'PLATFORM', Names: 'NAMES',
      };
      ctx.io.out(renderList(o.format, rows, headers,
        () => tabwrite([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], ...rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names])])));
    });

  program.command('inspect <name|id...>').description('Return low-level information on Docker objects')
    .option('-f, --format <format>', 'Format output using a custom template')
    .option('--type <type>', 'Only inspect objects of the given type')
    .option('-s, --size', 'Display total file sizes if the type is container')
    .action((refs: string[], o: { format?: string; type?: string }) => {
      if (o.type !== undefined && !INSPECT_TYPES.includes(o.type)) {
        reject(o.type === '' ? `type is empty: must be one of "${INSPECT_TYPES.join('", "')}"` : `unknown type: "${o.type}": must be one of "${INSPECT_TYPES.join('", "')}"`);
      }
      inspectEach((t) => ctx.io.out(t), refs, o.format, systemInspect(ctx, o.type));
    });

  // `docker container inspect`: containers only, dockerd's own error for one it does not have.
  program.command('container').description('Manage containers')
    .command('inspect <container...>').description('Display detailed information on one or more containers')
    .option('-f, --format <format>', 'Format output using a custom template')
    .option('-s, --size', 'Display total file sizes')
    .action((refs: string[], o: { format?: string }) => {
      const s = state(ctx);
      inspectEach((t) => ctx.io.out(t), refs, o.format, (ref) => containerInspect(s, container(ctx, ref)));
    });

  for (const [verb, code] of [['kill', 137], ['stop', 0]] as const) {
    program.command(`${verb} <container...>`).description(verb === 'kill' ? 'Kill one or more running containers' : 'Stop one or more running containers')
      .option(verb === 'kill' ? '-s, --signal <signal>' : '-t, --timeout <seconds>', verb === 'kill' ? 'Signal to send to the container' : 'Seconds to wait before killing the container')
      .action(async (refs: string[], o: { signal?: string }) => {
        const exit = verb === 'kill' && o.signal && !/^(SIG)?KILL$|^9$/.test(o.signal.toUpperCase()) ? 143 : code;
        const errs: string[] = [];
        for (const ref of refs) {
          try {
            const c = container(ctx, ref);
            await decide(ctx, () => decideExit(c, exit, verb));
            ctx.io.out(`${ref}\n`);
          } catch (e) {
            if (!(e instanceof Rejection)) throw e;
            errs.push(e.message);
          }
        }
        if (errs.length) throw new Rejection(errs.join('\n'));
      });
  }

  program.command('start <container...>').description('Start one or more stopped containers')
    .action(async (refs: string[]) => {
      for (const ref of refs) {
        const c = container(ctx, ref);
        await decide(ctx, () => decideStart(c));
        ctx.io.out(`${ref}\n`);
      }
    });

  program.command('rm <container...>').description('Remove one or more containers')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .action(async (refs: string[], o: { force?: boolean }) => {
      const errs: string[] = [];
      for (const ref of refs) {
        try {
          const c = container(ctx, ref);
          await decide(ctx, () => decideRm(c, !!o.force));
          ctx.io.out(`${ref}\n`);
        } catch (e) {
          if (!(e instanceof Rejection)) throw e;
          errs.push(e.message);
        }
      }
      if (errs.length) throw new Rejection(errs.join('\n'));
    });

  program.command('exec <container> <command...>').description('Execute a command in a running container')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .passThroughOptions()
    .action((ref: string, argv: string[]) => {
      const s = state(ctx);
      const c = container(ctx, ref);
      if (c.state !== 'running') daemon(`container ${c.id} is not running`);
      const r = execIn(s, c, argv);
      ctx.io.out(r.stdout);
      if (r.code !== 0) throw new Rejection(r.stderr || `exit status ${r.code}`);
    });

  const volume = program.command('volume').description('Manage volumes');
  const volumesOf = (s: State, h: Host) => tvalues(s.volumes).filter((v) => v.host === h.name).sort((a, b) => naturalLess(a.name, b.name));
  volume.command('ls').alias('list').description('List volumes')
    .option('-q, --quiet', 'Only display volume names')
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((o: { quiet?: boolean; format?: string }) => {
      const s = state(ctx);
      const h = host(ctx);
      requireDaemon(h);
      const list = volumesOf(s, h);
      if (o.quiet) return ctx.io.out(list.map((v) => `${v.name}\n`).join(''));
      // docker/cli's volumeContext, every field `--format json` marshals; N/A where no usage or cluster data is asked for.
      const rows = list.map((v) => ({
        Availability: 'N/A', Driver: v.driver, Group: 'N/A', Labels: Object.keys(v.labels).map((k) => `${k}=${v.labels[k]}`).sort().join(','), Links: 'N/A',
        Mountpoint: `/var/lib/docker/volumes/${v.name}/_data`, Name: v.name, Scope: 'local', Size: 'N/A', Status: 'N/A',
      }));
      const headers = { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS' };
      ctx.io.out(renderList(o.format, rows, headers, () => tabwrite([['DRIVER', 'VOLUME NAME'], ...rows.map((r) => [r.Driver, r.Name])])));
    });
  volume.command('create [name]').description('Create a volume')
    .option('-d, --driver <driver>', 'Specify volume driver name', 'local')
    .option('--label <label>', 'Set metadata for a volume', collect, [])
    .option('-o, --opt <opt>', 'Set driver specific options', collect, [])
    .action(async (name: string | undefined, o: { driver: string; label: string[]; opt: string[] }) => {
      const h = host(ctx);
      requireDaemon(h);
      const r = await decide(ctx, (s, rng) => {
        const n = name ?? rng.hex(32);
        if (tget(s.volumes, `${h.name}/${n}`)) return [];
        return [{ type: 'VolumeCreated', host: h.name, name: n, driver: o.driver, labels: kvList(o.label), options: kvList(o.opt) }];
      });
      const e = r.events[0]?.event as { name?: string } | undefined;
      ctx.io.out(`${e?.name ?? name}\n`);
    });
  volume.command('inspect <volume...>').description('Display detailed information on one or more volumes')
    .action((names: string[]) => {
      const s = state(ctx);
      const h = host(ctx);
      const found = names.map((n) => tget(s.volumes, `${h.name}/${n}`) ?? reject(`no such volume: ${n}`));
      ctx.io.out(inspectJson(found.map((v) => volumeInspect(s, v))));
    });
  volume.command('rm <volume...>').alias('remove').description('Remove one or more volumes')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (names: string[]) => {
      const h = host(ctx);
      requireDaemon(h);
      for (const n of names) {
        await decide(ctx, (s) => {
          if (!tget(s.volumes, `${h.name}/${n}`)) daemon(`get ${n}: no such volume`);
          const users = containersOn(s, h).filter((c) => c.mounts.some((m) => m.type === 'volume' && m.source === n) && (c.state === 'running' || c.task === null));
          if (users.length) daemon(`remove ${n}: volume is in use - [${users.map((c) => c.id).join(', ')}]`);
          return [{ type: 'VolumeRemoved', host: h.name, name: n }];
        });
        ctx.io.out(`${n}\n`);
      }
    });
}
