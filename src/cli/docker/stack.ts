/** `docker stack deploy | ls | ps | services | rm`. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { reject } from '../../commands/rejection.js';
import { decideStackDeploy, decideStackRm, NAMESPACE_LABEL, stackServices } from '../../commands/stack.js';
import { naturalLess } from '../../state/selectors.js';
import { tvalues } from '../../state/table.js';
import { decide, host, type CliContext } from '../context.js';
import { filterFlag, formatFlag } from '../flags.js';
import { renderList } from '../render/format.js';
import { serviceLsJson, serviceLsTable, serviceRow, sortedServices } from '../render/services.js';
import { tabwrite } from '../render/table.js';
import { printTasks, requireServiceManager } from './service.js';

/** A Compose file, parsed (the YAML parser loads on first use: most commands never need it). */
async function readCompose(file: string): Promise<{ doc: unknown; dir: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return reject(`open ${file}: no such file or directory`);
  }
  const { parse: parseYaml } = await import('yaml');
  try {
    return { doc: parseYaml(text), dir: dirname(resolve(file)) };
  } catch (e) {
    return reject(`yaml: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function registerStack(program: Command, ctx: CliContext): void {
  const stack = program.command('stack').description('Manage Swarm stacks');

  stack.command('deploy <stack>').alias('up').description('Deploy a new stack or update an existing stack')
    .requiredOption('-c, --compose-file <file>', 'Path to a Compose file')
    .option('--prune', 'Prune services that are no longer referenced')
    .option('--with-registry-auth', 'Send registry authentication details to Swarm agents')
    .option('-d, --detach', 'Exit immediately instead of waiting for the stack services to converge', true)
    .action(async (name: string, o: { composeFile: string }) => {
      requireServiceManager(ctx);
      const h = host(ctx);
      const { doc, dir } = await readCompose(o.composeFile);
      let messages: string[] = [];
      await decide(ctx, (s, rng) => {
        const plan = decideStackDeploy(s, h, name, doc, { read: (p) => {
          try {
            return readFileSync(resolve(dir, p));
          } catch {
            return reject(`open ${resolve(dir, p)}: no such file or directory`);
          }
        } }, rng);
        messages = plan.messages;
        return plan.events;
      });
      ctx.io.out(messages.map((m) => `${m}\n`).join(''));
    });

  stack.command('ls').alias('list').description('List stacks')
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((o: { format?: string }) => {
      const s = requireServiceManager(ctx);
      const counts = new Map<string, number>();
      for (const svc of tvalues(s.services)) {
        const ns = svc.spec.labels[NAMESPACE_LABEL];
        if (ns) counts.set(ns, (counts.get(ns) ?? 0) + 1);
      }
      const rows = [...counts.entries()].sort((a, b) => naturalLess(a[0], b[0])).map(([n, c]) => ({ Name: n, Services: String(c) }));
      ctx.io.out(renderList(o.format, rows, { Name: 'NAME', Services: 'SERVICES' }, () => tabwrite([['NAME', 'SERVICES'], ...rows.map((r) => [r.Name, r.Services])])));
    });

  stack.command('services <stack>').description('List the services in the stack')
    .option('-q, --quiet', 'Only display IDs')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['id', 'label', 'mode', 'name']))
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((name: string, o: { quiet?: boolean; format?: string }) => {
      const s = requireServiceManager(ctx);
      const svcs = sortedServices(s, (x) => x.spec.labels[NAMESPACE_LABEL] === name);
      // docker/cli stack/services.go: not an error, a note on stderr and exit 0.
      if (svcs.length === 0) return ctx.io.err(`Nothing found in stack: ${name}\n`);
      if (o.quiet) return ctx.io.out(svcs.map((x) => `${x.id.slice(0, 12)}\n`).join(''));
      const rows = svcs.map((x) => serviceRow(s, x));
      ctx.io.out(o.format === 'json' ? serviceLsJson(rows) : renderList(o.format, rows, { ID: 'ID', Name: 'NAME', Mode: 'MODE', Replicas: 'REPLICAS', Image: 'IMAGE', Ports: 'PORTS' }, () => serviceLsTable(rows)));
    });

  stack.command('ps <stack>').description('List the tasks in the stack')
    .option('-q, --quiet', 'Only display task IDs')
    .option('--no-trunc', 'Do not truncate output')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['desired-state', 'id', 'name', 'node']))
    .option('--format <format>', 'Pretty-print tasks using a Go template', formatFlag)
    .action((name: string, o: { quiet?: boolean; trunc?: boolean; filter?: Record<string, string[]>; format?: string }) => {
      const s = requireServiceManager(ctx);
      const svcs = stackServices(s, name).sort((a, b) => naturalLess(a.spec.name, b.spec.name));
      if (svcs.length === 0) reject(`nothing found in stack: ${name}`);
      printTasks(ctx, s, svcs, o);
    });

  stack.command('rm <stack...>').alias('remove').alias('down').description('Remove one or more stacks')
    .action(async (names: string[]) => {
      requireServiceManager(ctx);
      for (const name of names) {
        // docker/cli stack/remove.go: an empty stack is a note on stderr, not an error.
        const s = ctx.session.state;
        const owned = (x: { labels: Record<string, string> }) => x.labels[NAMESPACE_LABEL] === name;
        if (stackServices(s, name).length === 0 && !tvalues(s.secrets).some(owned) && !tvalues(s.configs).some(owned)) {
          ctx.io.err(`Nothing found in stack: ${name}\n`);
          continue;
        }
        let messages: string[] = [];
        await decide(ctx, (s) => {
          const plan = decideStackRm(s, name);
          messages = plan.messages;
          return plan.events;
        });
        ctx.io.out(messages.map((m) => `${m}\n`).join(''));
      }
    });
}
