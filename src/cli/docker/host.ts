/** Simulation verbs for machines: `host add`, `host crash`, `host boot`, `host ls`. */
import type { Command } from 'commander';
import { decideHostAdd, decideHostBoot, decideHostCrash } from '../../commands/hosts.js';
import { reject } from '../../commands/rejection.js';
import { nanoCpus, ramInBytes } from '../../commands/units.js';
import { ENGINE_VERSION } from '../../engine/session.js';
import { naturalLess } from '../../state/selectors.js';
import { tvalues } from '../../state/table.js';
import { decide, state, type CliContext } from '../context.js';
import { collect, invalidArg } from '../flags.js';
import { tabwrite } from '../render/table.js';
import { kvList } from '../../commands/nodes.js';

const ARCH: Record<string, string> = { amd64: 'x86_64', x86_64: 'x86_64', arm64: 'aarch64', aarch64: 'aarch64', arm: 'armv7l', s390x: 's390x', ppc64le: 'ppc64le' };

export function registerHost(program: Command, ctx: CliContext): void {
  const host = program.command('host').description('Simulated Docker hosts (machines)');

  host.command('add <name>').description('Add a machine running dockerd')
    .option('--ip <address>', 'its IP address (default: 192.168.99.100, .101, …)')
    .option('--cpus <n>', 'CPUs', (v) => nanoCpus(v) ?? invalidArg(v, '--cpus', 'invalid number of CPUs'), 2e9)
    .option('--memory <bytes>', 'memory, e.g. 4GiB', (v) => ramInBytes(v) ?? invalidArg(v, '--memory', `invalid size: '${v}'`), 8 * 1024 ** 3)
    .option('--label <key=value>', 'engine label (repeatable)', collect, [])
    .option('--platform <os/arch>', 'platform', 'linux/x86_64')
    .option('--engine-version <version>', 'dockerd version', ENGINE_VERSION)
    .action(async (name: string, o: { ip?: string; cpus: number; memory: number; label: string[]; platform: string; engineVersion: string }) => {
      const [os, arch] = o.platform.split('/');
      const a = arch ? ARCH[arch] : undefined;
      if (!os || !a) reject(`invalid platform "${o.platform}": use os/arch, e.g. linux/x86_64 or linux/aarch64`);
      await decide(ctx, (s) => decideHostAdd(s, { name, ip: o.ip, nanoCpus: o.cpus, memoryBytes: o.memory, os, arch: a, labels: kvList(o.label), engineVersion: o.engineVersion }));
      ctx.io.out(`${name}\n`);
    });

  host.command('crash <name>').description('Stop a machine: its daemon and heartbeats are gone')
    .action(async (name: string) => {
      await decide(ctx, (s) => decideHostCrash(s, name));
      ctx.io.out(`${name}\n`);
    });

  host.command('boot <name>').description('Start a crashed machine again')
    .action(async (name: string) => {
      await decide(ctx, (s) => decideHostBoot(s, name));
      ctx.io.out(`${name}\n`);
    });

  host.command('ls').description('List the machines')
    .action(() => {
      const s = state(ctx);
      const rows = [['NAME', 'IP', 'STATE', 'PLATFORM', 'CPUS', 'MEMORY', 'SWARM NODE']];
      for (const h of tvalues(s.hosts).sort((a, b) => naturalLess(a.name, b.name))) {
        rows.push([h.name, h.ip, h.up ? 'up' : 'down', `${h.os}/${h.arch}`, String(h.nanoCpus / 1e9), `${Math.round(h.memoryBytes / 1024 ** 2)}MiB`, h.nodeId ?? '']);
      }
      ctx.io.out(tabwrite(rows));
    });
}
