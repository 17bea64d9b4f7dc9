/** `docker network ls | create | rm | inspect | connect | disconnect | prune`. */
import type { Command } from 'commander';
import { findContainer } from '../../commands/containers.js';
import { decideConnect, decideDisconnect, decideNetworkCreate, decideNetworkPrune, decideNetworkRm, findNetwork, networksOn } from '../../commands/networks.js';
import { kvList } from '../../commands/nodes.js';
import { daemon, Rejection } from '../../commands/rejection.js';
import { requireDaemon } from '../../commands/access.js';
import { tget } from '../../state/table.js';
import { decide, host, state, type CliContext } from '../context.js';
import { collect, filterFlag, formatFlag } from '../flags.js';
import { renderList } from '../render/format.js';
import { inspectEach } from '../render/inspect.js';
import { isPredefined, networkInspect, networkRow, sortNetworks } from '../render/networks.js';
import { tabwrite } from '../render/table.js';

export function registerNetwork(program: Command, ctx: CliContext): void {
  const network = program.command('network').description('Manage networks');

  network.command('ls').alias('list').description('List networks')
    .option('-q, --quiet', 'Only display network IDs')
    .option('--no-trunc', 'Do not truncate the output')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")', filterFlag(['driver', 'id', 'label', 'name', 'scope', 'type']))
    .option('--format <format>', 'Format output using a custom template', formatFlag)
    .action((o: { quiet?: boolean; trunc?: boolean; filter?: Record<string, string[]>; format?: string }) => {
      const s = state(ctx);
      const h = host(ctx);
      requireDaemon(h);
      const f = o.filter ?? {};
      // moby daemon/network/filter.go filterNetworkByType.
      for (const v of f.type ?? []) if (v !== 'builtin' && v !== 'custom') daemon(`invalid filter: 'type'='${v}'`);
      const list = sortNetworks(networksOn(s, h).filter((n) => (!f.driver || f.driver.includes(n.driver)) && (!f.scope || f.scope.includes(n.scope))
        && (!f.name || f.name.some((v) => n.name.includes(v))) && (!f.id || f.id.some((v) => n.id.startsWith(v)))
        && (!f.type || f.type.some((v) => (v === 'builtin') === isPredefined(n)))
        && (!f.label || f.label.every((v) => (v.includes('=') ? n.labels[v.split('=')[0]!] === v.slice(v.indexOf('=') + 1) : v in n.labels)))));
      const id = (x: string) => (o.trunc === false ? x : x.slice(0, 12));
      if (o.quiet) return ctx.io.out(list.map((n) => `${id(n.id)}\n`).join(''));
      const rows = list.map((n) => ({ ...networkRow(n, s.sim.epochMs), ID: id(n.id) }));
      ctx.io.out(renderList(o.format, rows, { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' },
        () => tabwrite([['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], ...rows.map((r) => [r.ID!, r.Name!, r.Driver!, r.Scope!])])));
    });

  network.command('create <network>').description('Create a network')
    .option('-d, --driver <driver>', 'Driver to manage the Network', 'bridge')
    .option('--subnet <subnet>', 'Subnet in CIDR format that represents a network segment', collect, [])
    .option('--gateway <gateway>', 'IPv4 or IPv6 Gateway for the master subnet', collect, [])
    .option('--ip-range <range>', 'Allocate container ip from a sub-range', collect, [])
    .option('--attachable', 'Enable manual container attachment')
    .option('--internal', 'Restrict external access to the network')
    .option('--ingress', 'Create swarm routing-mesh network')
    .option('-o, --opt <opt>', 'Set driver specific options', collect, [])
    .option('--label <label>', 'Set metadata on a network', collect, [])
    .option('--scope <scope>', "Control the network's scope")
    .action(async (name: string, o: { driver: string; subnet: string[]; gateway: string[]; ipRange: string[]; attachable?: boolean; internal?: boolean; ingress?: boolean; opt: string[]; label: string[] }) => {
      const h = host(ctx);
      const r = await decide(ctx, (s, rng) => decideNetworkCreate(s, h, {
        name, driver: o.driver, subnet: o.subnet, gateway: o.gateway, ipRange: o.ipRange, attachable: !!o.attachable,
        internal: !!o.internal, ingress: !!o.ingress, options: kvList(o.opt), labels: kvList(o.label),
      }, rng));
      const created = r.events.find((e) => e.event.type === 'NetworkCreated')!.event as { networkId: string };
      ctx.io.out(`${created.networkId}\n`);
    });

  network.command('rm <network...>').alias('remove').description('Remove one or more networks')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (refs: string[], o: { force?: boolean }) => {
      const h = host(ctx);
      const errs: string[] = [];
      for (const ref of refs) {
        try {
          if (o.force && !findNetwork(state(ctx), h, ref)) continue;
          const n = findNetwork(state(ctx), h, ref);
          if (n?.ingress) {
            ctx.io.out('WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue? [y/N] y\n');
          }
          await decide(ctx, (s, rng) => decideNetworkRm(s, h, ref, rng));
          ctx.io.out(`${ref}\n`);
        } catch (e) {
          if (!(e instanceof Rejection)) throw e;
          errs.push(e.message);
        }
      }
      if (errs.length) throw new Rejection(errs.join('\n'));
    });

  network.command('inspect <network...>').description('Display detailed information on one or more networks')
    .option('-f, --format <format>', 'Format output using a custom template')
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action((refs: string[], o: { format?: string; verbose?: boolean }) => {
      const s = state(ctx);
      const h = host(ctx);
      requireDaemon(h);
      // docker/cli prints the networks it found (`[]` when none), then dockerd's error for each it did not
      // (network_routes.go getNetwork: libnetwork ErrNoSuchNetwork), and exits 1.
      inspectEach((t) => ctx.io.out(t), refs, o.format, (r) => networkInspect(s, h, findNetwork(s, h, r) ?? daemon(`network ${r} not found`), !!o.verbose));
    });

  for (const verb of ['connect', 'disconnect'] as const) {
    const cmd = network.command(`${verb} <network> <container>`).description(verb === 'connect' ? 'Connect a container to a network' : 'Disconnect a container from a network');
    if (verb === 'connect') cmd.option('--alias <alias>', 'Add network-scoped alias for the container', collect, []);
    else cmd.option('-f, --force', 'Force the container to disconnect from a network');
    cmd
      .action(async (net: string, ref: string, o: { alias?: string[] }) => {
        const h = host(ctx);
        requireDaemon(h);
        await decide(ctx, (s) => {
          const view = findContainer(s, [h], ref);
          const c = view && !view.task ? tget(s.containers, view.id) : undefined;
          if (!c) daemon(`No such container: ${ref}`);
          return verb === 'connect' ? decideConnect(s, h, c, net, o.alias ?? []) : decideDisconnect(s, h, c, net);
        });
      });
  }

  network.command('prune').description('Remove all unused networks')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")')
    .action(async (o: { force?: boolean }) => {
      const h = host(ctx);
      requireDaemon(h);
      if (!o.force) {
        ctx.io.out('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
        return;
      }
      let names: string[] = [];
      await decide(ctx, (s) => {
        const r = decideNetworkPrune(s, h);
        names = r.names;
        return r.events;
      });
      // docker/cli prune.go: the report, then Fprintln's own newline (a blank line ends it).
      if (names.length) ctx.io.out(`Deleted Networks:\n${names.map((n) => `${n}\n`).join('')}\n`);
    });
}
