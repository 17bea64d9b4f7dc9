/** `docker swarm init | join | join-token | leave`. */
import type { Command } from 'commander';
import { requireManager } from '../../commands/access.js';
import { reject } from '../../commands/rejection.js';
import { joinSecret } from '../../commands/sealing.js';
import { checkRole, decideJoinTokenRotate, decideSwarmInit, decideSwarmJoin, decideSwarmLeave, joinCommand } from '../../commands/swarm.js';
import { joinToken } from '../../sim/ids.js';
import { selectHostNode } from '../../state/selectors.js';
import type { State } from '../../state/types.js';
import { decide, host, state, type CliContext } from '../context.js';
import { collect, durationFlag, intFlag, uintFlag } from '../flags.js';

function tokens(s: State): { worker: string; manager: string } {
  const sw = s.swarm!;
  return { worker: joinToken(sw.caDigest, joinSecret(sw, 'worker')), manager: joinToken(sw.caDigest, joinSecret(sw, 'manager')) };
}

export function registerSwarm(program: Command, ctx: CliContext): void {
  const swarm = program.command('swarm').description('Manage Swarm');

  swarm.command('init').description('Initialize a swarm')
    .option('--advertise-addr <addr>', 'Advertised address (format: "<ip|interface>[:port]")')
    .option('--data-path-addr <addr>', 'Address or interface to use for data path traffic')
    .option('--data-path-port <port>', 'Port number to use for data path traffic (1024 - 49151)', uintFlag('--data-path-port'))
    .option('--listen-addr <addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
    .option('--availability <a>', 'Availability of the node ("active", "pause", "drain")')
    .option('--default-addr-pool <cidr>', 'default address pool in CIDR format', collect, [])
    .option('--default-addr-pool-mask-length <n>', 'default address pool subnet mask length', uintFlag('--default-addr-pool-mask-length'), 24)
    .option('--dispatcher-heartbeat <duration>', 'Dispatcher heartbeat period (ns|us|ms|s|m|h)', durationFlag('--dispatcher-heartbeat'))
    .option('--task-history-limit <n>', 'Task history retention limit', intFlag('--task-history-limit'))
    .action(async (o: { advertiseAddr?: string; dataPathAddr?: string; dataPathPort?: number; listenAddr: string; availability?: string; defaultAddrPool: string[]; defaultAddrPoolMaskLength: number; dispatcherHeartbeat?: number; taskHistoryLimit?: number }) => {
      const h = host(ctx);
      const listenPort = Number(/:(\d+)$/.exec(o.listenAddr)?.[1] ?? 2377);
      const r = await decide(ctx, (s, rng) => decideSwarmInit(s, h, {
        advertiseAddr: o.advertiseAddr, dataPathAddr: o.dataPathAddr, listenPort, availability: o.availability,
        defaultAddrPool: o.defaultAddrPool, defaultAddrPoolMaskLength: o.defaultAddrPoolMaskLength,
        dataPathPort: o.dataPathPort, heartbeatMs: o.dispatcherHeartbeat, taskHistoryLimit: o.taskHistoryLimit,
      }, rng));
      const s = r.state;
      const n = selectHostNode(s, h.name)!;
      ctx.io.out(`Swarm initialized: current node (${n.id}) is now a manager.\n\n`);
      ctx.io.out(`To add a worker to this swarm, run the following command:\n\n${joinCommand(tokens(s).worker, n.managerAddr!)}\n\n`);
      ctx.io.out("To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n\n");
    });

  swarm.command('join <host:port>').description('Join a swarm as a node and/or manager')
    .option('--token <token>', 'Token for entry into the swarm')
    .option('--advertise-addr <addr>', 'Advertised address (format: "<ip|interface>[:port]")')
    .option('--data-path-addr <addr>', 'Address or interface to use for data path traffic')
    .option('--listen-addr <addr>', 'Listen address (format: "<ip|interface>[:port]")', '0.0.0.0:2377')
    .option('--availability <a>', 'Availability of the node ("active", "pause", "drain")')
    .action(async (remote: string, o: { token?: string; advertiseAddr?: string; dataPathAddr?: string; availability?: string }) => {
      // Checked here, not by commander: docker reports unknown flags and the argument count first.
      if (o.token === undefined) reject('required flag(s) "token" not set', "See 'docker swarm join --help'.");
      const token = o.token;
      const h = host(ctx);
      const r = await decide(ctx, (s, rng) => decideSwarmJoin(s, h, { token, remote, advertiseAddr: o.advertiseAddr, dataPathAddr: o.dataPathAddr, availability: o.availability }, rng));
      const n = selectHostNode(r.state, h.name)!;
      ctx.io.out(`This node joined a swarm as a ${n.role}.\n`);
    });

  swarm.command('join-token <role>').description('Manage join tokens')
    .option('--rotate', 'Rotate join token')
    .option('-q, --quiet', 'Only display token')
    .action(async (roleArg: string, o: { rotate?: boolean; quiet?: boolean }) => {
      const role = checkRole(roleArg);
      const h = host(ctx);
      let s = state(ctx);
      const self = requireManager(s, h);
      if (o.rotate) {
        s = (await decide(ctx, (st, rng) => decideJoinTokenRotate(st, h, role, rng))).state;
        if (!o.quiet) ctx.io.out(`Successfully rotated ${role} join token.\n\n`);
      }
      const t = tokens(s)[role];
      if (o.quiet) return ctx.io.out(`${t}\n`);
      ctx.io.out(`To add a ${role} to this swarm, run the following command:\n\n${joinCommand(t, self.managerAddr!)}\n\n`);
    });

  swarm.command('leave').description('Leave the swarm')
    .option('-f, --force', 'Force this node to leave the swarm, ignoring warnings')
    .action(async (o: { force?: boolean }) => {
      const h = host(ctx);
      await decide(ctx, (s) => decideSwarmLeave(s, h, !!o.force));
      ctx.io.out('Node left the swarm.\n');
    });

  swarm.command('inspect', { hidden: true }).action(() => reject('`docker swarm inspect` is not simulated: use `engine state --json`'));
}
