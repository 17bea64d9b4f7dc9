/** `docker secret …` and `docker config …`. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decideConfigCreate, decideConfigRm, decideSecretCreate, decideSecretRm, resolveObject } from '../../commands/objects.js';
import { Rejection, reject } from '../../commands/rejection.js';
import { kvList } from '../../commands/nodes.js';
import { humanDuration, rfc3339Nano } from '../../sim/clock.js';
import { naturalLess } from '../../state/selectors.js';
import { tvalues } from '../../state/table.js';
import type { Config, Secret, State } from '../../state/types.js';
import { decide, type CliContext } from '../context.js';
import { collect, filterFlag, formatFlag } from '../flags.js';
import { renderList } from '../render/format.js';
import { inspectEach } from '../render/inspect.js';
import { tabwrite } from '../render/table.js';
import { requireServiceManager } from './service.js';

const ago = (s: State, ms: number): string => {
  const h = humanDuration(s.sim.nowMs - ms);
  return `${h[0]!.toUpperCase()}${h.slice(1)} ago`;
};

/**
 * docker/cli readSecretData (secret/create.go) and readConfigData (config/create.go): the data, or the
 * CLI's error; `config create` wraps it in `error reading content from "FILE": …`.
 */
function readData(ctx: CliContext, file: string | undefined, kind: string): Buffer {
  const fail = (why: string): never => reject(kind === 'config' ? `error reading content from ${JSON.stringify(file ?? '')}: ${why}` : why);
  if (file === undefined || file === '') return fail(`${kind} file is required`);
  const from = file === '-' ? 'STDIN' : file;
  let data: Buffer;
  if (file === '-') data = ctx.stdin();
  else {
    try {
      data = readFileSync(file);
    } catch {
      return fail(`error reading from ${file}: open ${file}: no such file or directory`);
    }
  }
  if (data.length === 0) fail(`error reading from ${from}: data is empty`);
  return data;
}

/** The object `docker secret inspect` / `docker config inspect` (and `docker inspect`) prints. */
export function objectInspect(s: State, kind: 'secret' | 'config', x: Secret | Config): Record<string, unknown> {
  return {
    ID: x.id, Version: { Index: x.version }, CreatedAt: rfc3339Nano(s.sim.epochMs, x.createdAtMs), UpdatedAt: rfc3339Nano(s.sim.epochMs, x.updatedAtMs),
    // A secret's data is never returned by the API; a config's is.
    Spec: kind === 'secret' ? { Name: x.name, Labels: x.labels } : { Name: x.name, Labels: x.labels, Data: (x as Config).data },
  };
}

export function registerObjects(program: Command, ctx: CliContext): void {
  for (const kind of ['secret', 'config'] as const) {
    const group = program.command(kind).description(kind === 'secret' ? 'Manage Swarm secrets' : 'Manage Swarm configs');
    const items = (s: State): (Secret | Config)[] => (kind === 'secret' ? tvalues(s.secrets) : tvalues(s.configs));

    group.command(`create <${kind}> [file]`).description(`Create a ${kind} from a file or STDIN as content`)
      .option('-l, --label <label>', `${kind === 'secret' ? 'Secret' : 'Config'} labels`, collect, [])
      .action(async (name: string, file: string | undefined, o: { label: string[] }) => {
        requireServiceManager(ctx);
        const data = readData(ctx, file, kind);
        const r = await decide(ctx, (s, rng) => (kind === 'secret' ? decideSecretCreate : decideConfigCreate)(s, name, data, kvList(o.label), rng));
        const e = r.events[0]!.event as { secretId?: string; configId?: string };
        ctx.io.out(`${e.secretId ?? e.configId}\n`);
      });

    group.command('ls').alias('list').description(`List ${kind}s`)
      .option('-q, --quiet', 'Only display IDs')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', filterFlag(['id', 'label', 'name']))
      .option('--format <format>', 'Format output using a custom template', formatFlag)
      .action((o: { quiet?: boolean; filter?: Record<string, string[]>; format?: string }) => {
        const s = requireServiceManager(ctx);
        const f = o.filter ?? {};
        const list = items(s).filter((x) => (!f.id || f.id.some((v) => x.id.startsWith(v))) && (!f.name || f.name.some((v) => x.name.startsWith(v)))
          && (!f.label || f.label.every((v) => (v.includes('=') ? x.labels[v.split('=')[0]!] === v.slice(v.indexOf('=') + 1) : v in x.labels))))
          .sort((a, b) => naturalLess(a.name, b.name));
        if (o.quiet) return ctx.io.out(list.map((x) => `${x.id}\n`).join(''));
        // docker/cli's secretContext / configContext (a config has no driver).
        const rows = list.map((x) => ({
          ID: x.id, Name: x.name, ...(kind === 'secret' ? { Driver: '' } : {}), CreatedAt: ago(s, x.createdAtMs), UpdatedAt: ago(s, x.updatedAtMs),
          Labels: Object.entries(x.labels).map(([k, v]) => `${k}=${v}`).join(','),
        }));
        const table = () => kind === 'secret'
          ? tabwrite([['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED'], ...rows.map((r) => [r.ID, r.Name, r.Driver ?? '', r.CreatedAt, r.UpdatedAt])])
          : tabwrite([['ID', 'NAME', 'CREATED', 'UPDATED'], ...rows.map((r) => [r.ID, r.Name, r.CreatedAt, r.UpdatedAt])]);
        ctx.io.out(renderList(o.format, rows, { ID: 'ID', Name: 'NAME', Driver: 'DRIVER', CreatedAt: 'CREATED', UpdatedAt: 'UPDATED' }, table));
      });

    group.command(`inspect <${kind}...>`).description(`Display detailed information on one or more ${kind}s`)
      .option('-f, --format <format>', 'Format output using a custom template')
      .option('--pretty', 'Print the information in a human friendly format')
      .action((refs: string[], o: { format?: string; pretty?: boolean }) => {
        const s = requireServiceManager(ctx);
        if (o.pretty) {
          if (o.format !== undefined) reject('cannot supply extra formatting options to the pretty template');
          const found = refs.map((r) => resolveObject(kind, items(s), r));
          return ctx.io.out(found.map((x) => `ID:              ${x.id}\nName:              ${x.name}\n${Object.keys(x.labels).length ? `Labels:\n${Object.entries(x.labels).map(([k, v]) => ` - ${k}=${v}`).join('\n')}\n` : ''}Created at:        ${rfc3339Nano(s.sim.epochMs, x.createdAtMs)}\nUpdated at:        ${rfc3339Nano(s.sim.epochMs, x.updatedAtMs)}\n${kind === 'config' ? `Data:\n${Buffer.from((x as Config).data, 'base64').toString('utf8')}\n` : ''}`).join('\n'));
        }
        inspectEach((t) => ctx.io.out(t), refs, o.format, (r) => objectInspect(s, kind, resolveObject(kind, items(s), r)));
      });

    group.command(`rm <${kind}...>`).alias('remove').description(`Remove one or more ${kind}s`)
      .action(async (refs: string[]) => {
        requireServiceManager(ctx);
        const errs: string[] = [];
        for (const ref of refs) {
          try {
            await decide(ctx, (s) => (kind === 'secret' ? decideSecretRm : decideConfigRm)(s, ref));
            ctx.io.out(`${ref}\n`);
          } catch (e) {
            if (!(e instanceof Rejection)) throw e;
            errs.push(e.message);
          }
        }
        if (errs.length) throw new Rejection(errs.join('\n'));
      });
  }
}
