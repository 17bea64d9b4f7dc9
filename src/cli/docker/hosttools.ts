/**
 * Commands typed in a host's shell, as the seeds do after SSH-ing to a node: `ip addr|route`,
 * `ls /var/run/docker/netns`, `nsenter --net=NETNS CMD…`. Rendered from the simulated kernel state.
 */
import type { Command } from 'commander';
import { requireDaemon } from '../../commands/access.js';
import { reject } from '../../commands/rejection.js';
import { iptablesList, ipvsadmList } from '../../net/views.js';
import { ipTool } from '../../net/iptool.js';
import { bridgeFdb } from '../../net/vxlan.js';
import { tget, tvalues } from '../../state/table.js';
import type { State } from '../../state/types.js';
import { host, state, type CliContext } from '../context.js';

const NETNS_DIR = '/var/run/docker/netns';

/** `iptables [-t TABLE] -nvL` / `ipvsadm -Ln` / `ip …` in a namespace ('' = the host's). */
function tool(s: State, hostName: string, netns: string, cmd: string[]): string {
  const [name, ...args] = cmd;
  if (name === 'ip') return ipCommand(s, hostName, netns, args);
  if (name === 'iptables') {
    const t = args.indexOf('-t');
    const table = t >= 0 ? args[t + 1] ?? '' : 'filter';
    if (!['nat', 'filter', 'mangle'].includes(table)) reject(`iptables v1.8.9 (legacy): can't initialize iptables table \`${table}': Table does not exist (do you need to insmod?)`);
    const list = args.findIndex((a) => /^-[a-zA-Z]*L/.test(a));
    if (list < 0) reject('iptables: only listing (-nvL) is simulated');
    // `-L [chain]`: a chain named right after the option that holds L.
    const chain = args[list + 1] !== undefined && !args[list + 1]!.startsWith('-') ? args[list + 1] : undefined;
    return iptablesList(s, hostName, netns, table, chain) ?? reject('iptables: No chain/target/match by that name.');
  }
  if (name === 'ipvsadm') return ipvsadmList(s, hostName, netns);
  if (name === 'bridge') {
    if (args[0] !== 'fdb' || !['show', 'list', 'ls', 'lst', undefined].includes(args[1])) reject('bridge: only `bridge fdb show` is simulated');
    const fdb = bridgeFdb(s, hostName, netns);
    return fdb ?? reject('bridge: `bridge fdb show` is simulated inside an overlay namespace (1-<network id>): the VXLAN peers libnetwork programs');
  }
  return reject(`nsenter: only ip, iptables, ipvsadm and bridge are simulated inside a namespace (got: ${cmd.join(' ') || 'nothing'})`);
}

function ipCommand(s: State, hostName: string, netns: string, args: string[]): string {
  const r = ipTool(s, hostName, netns, args);
  return r.code === 0 ? r.stdout : reject(r.stderr);
}

export function registerHostTools(program: Command, ctx: CliContext): void {
  program.command('ip [args...]').description("The host's `ip [-4|-6] [-br] addr|link|route|neigh` (root network namespace)")
    .allowUnknownOption()
    .passThroughOptions()
    .helpOption(false)
    .action((args: string[]) => {
      const h = host(ctx);
      requireDaemon(h);
      ctx.io.out(ipCommand(state(ctx), h.name, '', args));
    });

  program.command('ls <path>').description('List /var/run/docker/netns on the host')
    .action((path: string) => {
      const h = host(ctx);
      requireDaemon(h);
      if (path.replace(/\/$/, '') !== NETNS_DIR) reject(`ls: cannot access '${path}': only ${NETNS_DIR} is simulated`);
      const names = tvalues(state(ctx).netns).filter((n) => n.host === h.name).map((n) => n.name).sort();
      ctx.io.out(names.map((n) => `${n}\n`).join(''));
    });

  program.command('nsenter <args...>').description('Run ip, iptables, ipvsadm or bridge inside a network namespace: nsenter --net=/var/run/docker/netns/NAME ip a')
    .allowUnknownOption()
    .passThroughOptions()
    .action((args: string[]) => {
      const h = host(ctx);
      requireDaemon(h);
      const s = state(ctx);
      const netArg = args.find((a) => a.startsWith('--net=') || a.startsWith('--net'));
      if (!netArg || !netArg.startsWith('--net=')) reject('nsenter: neither filename nor target pid supplied for ns/net');
      const path = netArg.slice('--net='.length);
      const name = path.startsWith(NETNS_DIR) ? path.slice(NETNS_DIR.length + 1) : path;
      if (!tget(s.netns, `${h.name}/${name}`)) reject(`nsenter: cannot open ${path}: No such file or directory`);
      ctx.io.out(tool(s, h.name, name, args.slice(args.indexOf(netArg) + 1)));
    });

  for (const name of ['iptables', 'ipvsadm']) {
    program.command(`${name} [args...]`).description(`The host's \`${name === 'iptables' ? 'iptables -t TABLE -nvL' : 'ipvsadm -Ln'}\` (root network namespace)`)
      .allowUnknownOption()
      .helpOption(false)
      .action((args: string[]) => {
        const h = host(ctx);
        requireDaemon(h);
        ctx.io.out(tool(state(ctx), h.name, '', [name, ...args]));
      });
  }
}
