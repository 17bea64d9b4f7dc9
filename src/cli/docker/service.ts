/** `docker service create | ls | ps | inspect | scale | update | rollback | rm`. */
import type { Command } from 'commander';
import { requireManager } from '../../commands/access.js';
import { Rejection, reject } from '../../commands/rejection.js';
import { decideServiceCreate, decideServiceRm, decideServiceRollback, decideServiceScale, decideServiceUpdate, findService, pinImage, resolveService } from '../../commands/services.js';
import { normalizeImage } from '../../commands/parse.js';
import { tget } from '../../state/table.js';
import type { Service, State, Task } from '../../state/types.js';
import { decide, host, state, type CliContext } from '../context.js';
import { filterFlag, formatFlag } from '../flags.js';
import { tokenize } from '../engine/scenario.js';
import { renderList } from '../render/format.js';
import { inspectEach } from '../render/inspect.js';
import { convergence, serviceInspect, servicePretty, serviceLsJson, serviceLsTable, servicePsTable, serviceRow, sortedServices, taskRow, tasksForPs } from '../render/services.js';
import { addCommonFlags, specFromCreate, specFromUpdate, type ServiceOpts } from './serviceflags.js';

export function requireServiceManager(ctx: CliContext): State {
  const s = state(ctx);
  requireManager(s, host(ctx));
  return s;
}

const pin = (noResolve: boolean) => (img: string): string => (noResolve ? normalizeImage(img) : pinImage(img));

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const i = want.indexOf('=');
  return i < 0 ? want in labels : labels[want.slice(0, i)] === want.slice(i + 1);
}

/** `service ps` filters: id, name, node, desired-state. */
export function taskFilter(s: State, f: Record<string, string[]>): (t: Task) => boolean {
  return (t) => {
    if (f.id && !f.id.some((v) => t.id.startsWith(v))) return false;
    if (f['desired-state'] && !f['desired-state'].some((v) => (v === 'accepted' ? ['running', 'ready'].includes(t.desiredState) : t.desiredState === v))) return false;
    if (f.node) {
      const n = t.nodeId ? tget(s.nodes, t.nodeId) : undefined;
      if (!f.node.some((v) => t.nodeId === v || n?.hostname === v)) return false;
    }
    if (f.name) {
      const svc = tget(s.services, t.serviceId);
      const name = `${svc?.spec.name}.${t.slot > 0 ? t.slot : t.nodeId}`;
      if (!f.name.some((v) => name.startsWith(v))) return false;
    }
    return true;
  };
}

export function printTasks(ctx: CliContext, s: State, services: Service[], o: { quiet?: boolean; noTrunc?: boolean; trunc?: boolean; filter?: Record<string, string[]>; format?: string }): void {
  const noTrunc = o.trunc === false || !!o.noTrunc;
  const rows = tasksForPs(s, services, taskFilter(s, o.filter ?? {}));
  if (o.quiet) return ctx.io.out(rows.map((r) => `${noTrunc ? r.task.id : r.task.id.slice(0, 12)}\n`).join(''));
  const table = rows.map((r) => taskRow(s, r.task, r.child, noTrunc));
  const headers = { ID: 'ID', Name: 'NAME', Image: 'IMAGE', Node: 'NODE', DesiredState: 'DESIRED STATE', CurrentState: 'CURRENT STATE', Error: 'ERROR', Ports: 'PORTS' };
  ctx.io.out(renderList(o.format, table, headers, () => servicePsTable(table)));
}

/**
 * docker/cli WaitOnService: the convergence progress (discarded with -q), then its error, if any. The
 * batch is already recorded: the update happened, the command still fails.
 */
function waitOnService(ctx: CliContext, s: State, svc: Service, ref: string, quiet: boolean): void {
  const c = convergence(s, svc, ref);
  if (!quiet) ctx.io.out(c.out);
  if (c.error) reject(c.error);
}

export function registerService(program: Command, ctx: CliContext): void {
  const service = program.command('service').description('Manage Swarm services').enablePositionalOptions();

  addCommonFlags(service.command('create').description('Create a new service').argument('<image>').argument('[command...]'), false)
    .allowExcessArguments(true)
    .passThroughOptions()
    .action(async (image: string, args: string[], o: ServiceOpts & { resolveImage?: boolean }) => {
      requireServiceManager(ctx);
      const r = await decide(ctx, (s, rng) => decideServiceCreate(s, specFromCreate(s, image, args, o, pin(o.resolveImage === false)), rng));
      const created = r.events.find((e) => e.event.type === 'ServiceCreated')!.event as { serviceId: string };
      ctx.io.out(`${created.serviceId}\n`);
      if (!o.detach) waitOnService(ctx, r.state, tget(r.state.services, created.serviceId)!, created.serviceId, !!o.quiet);
    });

  service.command('ls').alias('list').description('List services')
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['id', 'label', 'mode', 'name']))
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((o: { quiet?: boolean; filter?: Record<string, string[]>; format?: string }) => {
      const s = requireServiceManager(ctx);
      const f = o.filter ?? {};
      const svcs = sortedServices(s, (svc) => (!f.id || f.id.some((v) => svc.id.startsWith(v)))
        && (!f.name || f.name.some((v) => svc.spec.name.startsWith(v)))
        && (!f.mode || f.mode.includes(svc.spec.mode))
        && (!f.label || f.label.every((v) => labelMatch(svc.spec.labels, v))));
      if (o.quiet) return ctx.io.out(svcs.map((x) => `${x.id.slice(0, 12)}\n`).join(''));
      const rows = svcs.map((x) => serviceRow(s, x));
      const headers = { ID: 'ID', Name: 'NAME', Mode: 'MODE', Replicas: 'REPLICAS', Image: 'IMAGE', Ports: 'PORTS' };
      ctx.io.out(o.format === 'json' ? serviceLsJson(rows) : renderList(o.format, rows, headers, () => serviceLsTable(rows)));
    });

  service.command('ps <service...>').description('List the tasks of one or more services')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['desired-state', 'id', 'name', 'node']))
    .option('--format <format>', 'Pretty-print tasks using a Go template', formatFlag)
    .action((refs: string[], o: { quiet?: boolean; trunc?: boolean; filter?: Record<string, string[]>; format?: string }) => {
      const s = requireServiceManager(ctx);
      const svcs = refs.map((r) => findService(s, r) ?? reject(`no such service: ${r}`));
      printTasks(ctx, s, svcs, o);
    });

  service.command('inspect <service...>').description('Display detailed information on one or more services')
    .option('--pretty', 'Print the information in a human friendly format')
    .option('-f, --format <format>', 'Format output using the given Go template')
    .action((refs: string[], o: { pretty?: boolean; format?: string }) => {
      // docker/cli inspect.go: checked before the daemon is asked.
      if (o.pretty && o.format) reject('--format is incompatible with human friendly format');
      const s = requireServiceManager(ctx);
      const pretty = o.pretty || o.format === 'pretty';
      if (!pretty && o.format?.startsWith('pretty')) reject('cannot supply extra formatting options to the pretty template');
      if (pretty) {
        const svcs = refs.map((r) => findService(s, r) ?? reject(`no such service: ${r}`));
        return ctx.io.out(svcs.map((x) => servicePretty(s, x)).join(''));
      }
      // The services found are printed, then one error per reference that is not (docker/cli inspect.Inspect).
      inspectEach((t) => ctx.io.out(t), refs, o.format, (r) => serviceInspect(s, findService(s, r) ?? reject(`no such service: ${r}`)));
    });

  service.command('scale <service=replicas...>').description('Scale one or multiple replicated services')
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .action(async (args: string[], o: { detach?: boolean }) => {
      for (const a of args) {
        const i = a.indexOf('=');
        if (i <= 0 || i === a.length - 1) {
          reject(`invalid scale specifier '${a}'.\nSee 'docker service scale --help'.\n\nUsage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\nScale one or multiple replicated services`);
        }
      }
      const errs: string[] = [];
      const done: string[] = [];
      for (const a of args) {
        const [name, val] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
        if (!/^\d+$/.test(val)) {
          errs.push(`${name}: invalid replicas value ${val}: strconv.ParseUint: parsing "${val}": invalid syntax`);
          continue;
        }
        try {
          // docker/cli runScale: each service is inspected, then updated; a refusal (not a manager,
          // no leader, no such service) is reported per service, as `web: Error response from daemon: …`.
          requireServiceManager(ctx);
          await decide(ctx, (s) => decideServiceScale(s, name, Number(val)));
          ctx.io.out(`${name} scaled to ${Number(val)}\n`);
          done.push(name);
        } catch (e) {
          if (!(e instanceof Rejection)) throw e;
          errs.push(`${name}: ${e.message}`);
        }
      }
      if (!o.detach) {
        for (const name of done) {
          // runScale: a service whose wait fails is reported with the others, `web: service update paused: …`.
          const c = convergence(ctx.session.state, findService(ctx.session.state, name)!, name);
          ctx.io.out(c.out);
          if (c.error) errs.push(`${name}: ${c.error}`);
        }
      }
      if (errs.length) throw new Rejection(errs.join('\n'));
    });

  addCommonFlags(service.command('update <service>').description('Update a service'), true)
    .action(async (ref: string, o: ServiceOpts & { resolveImage?: boolean }, cmd: Command) => {
      requireServiceManager(ctx);
      const r = await decide(ctx, (s) => {
        const svc = resolveService(s, ref);
        if (o.rollback) {
          // docker/cli runUpdate: --rollback goes alone (but for --detach and --quiet).
          const others = cmd.options.filter((opt) => !['rollback', 'detach', 'quiet'].includes(opt.attributeName()) && cmd.getOptionValueSource(opt.attributeName()) === 'cli');
          if (others.length) reject('other flags may not be combined with --rollback');
          return decideServiceRollback(s, svc);
        }
        return decideServiceUpdate(s, svc, specFromUpdate(s, svc.spec, o, pin(o.resolveImage === false), tokenize), false);
      });
      ctx.io.out(`${ref}\n`);
      if (!o.detach) waitOnService(ctx, r.state, resolveService(r.state, ref), ref, !!o.quiet);
    });

  service.command('rollback <service>').description('Revert changes to a service\'s configuration')
    .option('-d, --detach', 'Exit immediately instead of waiting for the service to converge')
    .option('-q, --quiet', 'Suppress progress output')
    .action(async (ref: string, o: { detach?: boolean; quiet?: boolean }) => {
      requireServiceManager(ctx);
      const r = await decide(ctx, (s) => decideServiceRollback(s, resolveService(s, ref)));
      ctx.io.out(`${ref}\n`);
      if (!o.detach) waitOnService(ctx, r.state, resolveService(r.state, ref), ref, !!o.quiet);
    });

  service.command('rm <service...>').alias('remove').description('Remove one or more services')
    .action(async (refs: string[]) => {
      requireServiceManager(ctx);
      const errs: string[] = [];
      for (const ref of refs) {
        try {
          await decide(ctx, (s) => decideServiceRm(s, ref));
          ctx.io.out(`${ref}\n`);
        } catch (e) {
          if (!(e instanceof Rejection)) throw e;
          errs.push(e.message);
        }
      }
      if (errs.length) throw new Rejection(errs.join('\n'));
    });
}
