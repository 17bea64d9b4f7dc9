/** `docker node ls | inspect | update | promote | demote | rm | ps`. */
import type { Command } from 'commander';
import { requireManager } from '../../commands/access.js';
import { decideNodeRm, decideNodeUpdate, decideRole, resolveNode } from '../../commands/nodes.js';
import { Rejection } from '../../commands/rejection.js';
import { decide, host, state, type CliContext } from '../context.js';
import { collect, filterFlag, formatFlag } from '../flags.js';
import { inspectEach } from '../render/inspect.js';
import { filterNodes, NODE_FILTER_KEYS, nodeInspect, nodeInspectPretty, nodeLsJson, nodeLsTable } from '../render/nodes.js';
import { renderList } from '../render/format.js';
import { sortedServices } from '../render/services.js';
import { printTasks } from './service.js';

export function registerNode(program: Command, ctx: CliContext): void {
  const node = program.command('node').description('Manage Swarm nodes');
  const manager = () => {
    const s = state(ctx);
    const self = requireManager(s, host(ctx));
    return { s, self };
  };

  node.command('ls').alias('list').description('List nodes in the swarm')
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(NODE_FILTER_KEYS))
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((o: { quiet?: boolean; filter?: Record<string, string[]>; format?: string }) => {
      const { s, self } = manager();
      const nodes = filterNodes(s, o.filter ?? {});
      if (o.quiet) return ctx.io.out(nodes.map((n) => `${n.id}\n`).join(''));
      const rows = nodeLsJson(s, nodes, self.id).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const headers = { ID: 'ID', Hostname: 'HOSTNAME', Status: 'STATUS', Availability: 'AVAILABILITY', ManagerStatus: 'MANAGER STATUS', EngineVersion: 'ENGINE VERSION', TLSStatus: 'TLS STATUS', Self: '' };
      ctx.io.out(renderList(o.format, rows, headers, () => nodeLsTable(s, nodes, self.id)));
    });

  node.command('inspect <node...>').description('Display detailed information on one or more nodes')
    .option('--pretty', 'Print the information in a human friendly format')
    .option('-f, --format <format>', 'Format output using a custom template')
    .action((refs: string[], o: { pretty?: boolean; format?: string }) => {
      const { s, self } = manager();
      if (o.pretty) {
        const nodes = refs.map((r) => resolveNode(s, r === 'self' ? self.id : r));
        return ctx.io.out(nodes.map((n) => nodeInspectPretty(s, n)).join('\n'));
      }
      inspectEach((t) => ctx.io.out(t), refs, o.format, (r) => nodeInspect(s, resolveNode(s, r === 'self' ? self.id : r)));
    });

  node.command('update <node>').description('Update a node')
    .option('--availability <availability>', 'Availability of the node ("active", "pause", "drain")')
    .option('--role <role>', 'Role of the node ("worker", "manager")')
    .option('--label-add <label>', 'Add or update a node label ("key=value")', collect, [])
    .option('--label-rm <label>', 'Remove a node label if exists', collect, [])
    .action(async (ref: string, o: { availability?: string; role?: string; labelAdd: string[]; labelRm: string[] }) => {
      manager();
      await decide(ctx, (s) => decideNodeUpdate(s, ref, o));
      ctx.io.out(`${ref}\n`);
    });

  for (const [verb, to] of [['promote', 'manager'], ['demote', 'worker']] as const) {
    node.command(`${verb} <node...>`).description(verb === 'promote' ? 'Promote one or more nodes to manager in the swarm' : 'Demote one or more nodes from manager in the swarm')
      .action(async (refs: string[]) => {
        for (const ref of refs) {
          const { s } = manager();
          const n = resolveNode(s, ref);
          if (n.role === to) {
            ctx.io.out(to === 'manager' ? `Node ${ref} is already a manager.\n` : `Node ${ref} is already a worker.\n`);
            continue;
          }
          await decide(ctx, (st) => decideRole(st, resolveNode(st, ref), to));
          ctx.io.out(to === 'manager' ? `Node ${ref} promoted to a manager in the swarm.\n` : `Manager ${ref} demoted in the swarm.\n`);
        }
      });
  }

  node.command('rm <node...>').alias('remove').description('Remove one or more nodes from the swarm')
    .option('-f, --force', 'Force remove a node from the swarm')
    .action(async (refs: string[], o: { force?: boolean }) => {
      const errors: string[] = [];
      for (const ref of refs) {
        manager();
        try {
          await decide(ctx, (s) => decideNodeRm(s, ref, !!o.force));
          ctx.io.out(`${ref}\n`);
        } catch (e) {
          if (!(e instanceof Rejection)) throw e;
          errors.push(e.message);
        }
      }
      if (errors.length) throw new Rejection(errors.join('\n'));
    });

  node.command('ps [node...]').description('List tasks running on one or more nodes, defaults to current node')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['desired-state', 'id', 'label', 'name', 'node']))
    .option('--format <format>', 'Pretty-print tasks using a Go template', formatFlag)
    .action((refs: string[], o: { quiet?: boolean; trunc?: boolean; filter?: Record<string, string[]>; format?: string }) => {
      const { s, self } = manager();
      const ids = new Set((refs.length ? refs : ['self']).map((r) => resolveNode(s, r === 'self' ? self.id : r).id));
      const f = o.filter ?? {};
      printTasks(ctx, s, sortedServices(s), { ...o, filter: { ...f, node: [...ids] } });
    });

}
