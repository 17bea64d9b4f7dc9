/**
 * Bad restart, endpoint, update and rollback settings, refused where Docker refuses them: the CLI's
 * flag parsing (docker/cli opts.go floatValue, ToServiceMode), dockerd's spec conversion
 * (daemon/cluster/convert/service.go: no gRPC code) and swarmkit's controlapi validateServiceSpec.
 * Each refusal: one `Error:` line, exit 1, nothing appended.
 */
import { describe, expect, it } from 'vitest';
import { refused } from '../helpers/refuse.js';
import { clis, DAEMON, inspect, RPC, swarm } from './support.js';

const cli = clis();

describe('service create and update refuse bad settings with Docker’s words', () => {
  it('dockerd’s conversion: restart condition, failure actions, orders, endpoint mode (update and rollback alike)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const cases: [string[], string][] = [
      [['--restart-condition', 'sometimes'], `${DAEMON}invalid RestartCondition: "sometimes"`],
      // Sent as typed: the values are case-sensitive.
      [['--restart-condition', 'ANY'], `${DAEMON}invalid RestartCondition: "ANY"`],
      [['--update-failure-action', 'explode'], `${DAEMON}unrecognized update failure action explode`],
      [['--update-order', 'random'], `${DAEMON}unrecognized update order random`],
      [['--rollback-failure-action', 'explode'], `${DAEMON}unrecognized update failure action explode`],
      [['--rollback-order', 'last'], `${DAEMON}unrecognized update order last`],
      [['--endpoint-mode', 'xyz'], `${DAEMON}invalid resolution mode: "xyz"`],
      // ServiceSpecToGRPC checks the restart policy before the update config.
      [['--update-order', 'random', '--restart-condition', 'never'], `${DAEMON}invalid RestartCondition: "never"`],
    ];
    for (const [flags, line] of cases) {
      expect(await refused(c, 'service', 'create', '--name', 'x', ...flags, 'nginx'), `create ${flags.join(' ')}`).toBe(line);
      expect(await refused(c, 'service', 'update', ...flags, 'web'), `update ${flags.join(' ')}`).toBe(line);
    }
    // create lower-cases the endpoint mode (ToEndpointSpec); update sends it as typed.
    await c.ok('service', 'create', '-d', '--name', 'dns', '--endpoint-mode', 'DNSRR', 'nginx');
    expect((await inspect(c, 'dns')).Spec.EndpointSpec.Mode).toBe('dnsrr');
    expect(await refused(c, 'service', 'update', '--endpoint-mode', 'VIP', 'dns')).toBe(`${DAEMON}invalid resolution mode: "VIP"`);
  });

  it('swarmkit’s validation: negative durations and the update ratio (the rollback config is not checked)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const cases: [string[], string][] = [
      [['--restart-delay', '-1s'], `${RPC('InvalidArgument')}TaskSpec: restart-delay cannot be negative`],
      [['--restart-window', '-1m'], `${RPC('InvalidArgument')}TaskSpec: restart-window cannot be negative`],
      [['--update-delay', '-1s'], `${RPC('InvalidArgument')}TaskSpec: update-delay cannot be negative`],
      [['--update-monitor', '-5s'], `${RPC('InvalidArgument')}TaskSpec: update-monitor cannot be negative`],
      [['--update-max-failure-ratio', '1.5'], `${RPC('InvalidArgument')}TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1`],
      [['--update-max-failure-ratio', '-0.1'], `${RPC('InvalidArgument')}TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1`],
    ];
    for (const [flags, line] of cases) {
      expect(await refused(c, 'service', 'create', '--name', 'x', ...flags, 'nginx'), `create ${flags.join(' ')}`).toBe(line);
      expect(await refused(c, 'service', 'update', ...flags, 'web'), `update ${flags.join(' ')}`).toBe(line);
    }
    await c.ok('service', 'update', '-d', '--rollback-max-failure-ratio', '2', '--rollback-delay', '-1s', '--rollback-failure-action', 'rollback', 'web');
    expect((await inspect(c, 'web')).Spec.RollbackConfig).toEqual({ Parallelism: 1, Delay: -1e9, FailureAction: 'rollback', Monitor: 5e9, MaxFailureRatio: 2, Order: 'stop-first' });
  });

  it('the CLI’s own parsing: the ratio is a float32 (strconv.ParseFloat), modes as ToServiceMode words them', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] });
    const flag = (v: string, why: string) => `Error: invalid argument "${v}" for "--update-max-failure-ratio" flag: strconv.ParseFloat: parsing "${v}": ${why}`;
    expect(await refused(c, 'service', 'create', '--update-max-failure-ratio', 'half', 'nginx')).toBe(flag('half', 'invalid syntax'));
    expect(await refused(c, 'service', 'create', '--update-max-failure-ratio', '1e39', 'nginx')).toBe(flag('1e39', 'value out of range'));
    expect(await refused(c, 'service', 'create', '--mode', 'sometimes', 'nginx')).toBe('Error: unknown mode: sometimes, only replicated and global supported');
    expect(await refused(c, 'service', 'create', '--mode', 'global', '--replicas-max-per-node', '2', 'nginx')).toBe('Error: replicas-max-per-node can only be used with replicated or replicated-job mode');
    // Go float syntax is accepted: .25, 2.5e-1.
    await c.ok('service', 'create', '-d', '--name', 'a', '--update-max-failure-ratio', '.25', 'nginx');
    await c.ok('service', 'create', '-d', '--name', 'b', '--update-max-failure-ratio', '2.5e-1', '--mode', 'global', '--replicas-max-per-node', '0', 'nginx');
    expect((await inspect(c, 'a')).Spec.UpdateConfig.MaxFailureRatio).toBe(0.25);
    expect((await inspect(c, 'b')).Spec.UpdateConfig.MaxFailureRatio).toBe(0.25);
    // update: replicas on a global service (docker/cli updateReplicas).
    expect(await refused(c, 'service', 'update', '--replicas', '2', 'b')).toBe('Error: replicas can only be used with replicated mode');
  });

  it('--rollback goes alone (docker/cli runUpdate), and the order of controlapi’s checks: ports, then mode, then name', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web -p 8080:80 nginx:1\nservice update -d --image nginx:2 web\nservice create -d --name api nginx\n');
    expect(await refused(c, 'service', 'update', '--rollback', '--image', 'nginx:3', 'web')).toBe('Error: other flags may not be combined with --rollback');
    await c.ok('service', 'update', '-d', '--rollback', 'web');
    // CreateService: a port in use is reported before a name in use.
    expect(await refused(c, 'service', 'create', '--name', 'web', '-p', '8080:80', 'nginx')).toBe(
      `${RPC('InvalidArgument')}port '8080' is already in use by service 'web' (${(await inspect(c, 'web')).ID}) as an ingress port`);
    // EndpointSpec: a published port is one per protocol, whatever its mode.
    expect(await refused(c, 'service', 'update', '--publish-add', 'mode=host,published=9000,target=90', '--publish-add', '9000:91', 'api')).toBe(
      `${RPC('InvalidArgument')}EndpointSpec: duplicate published ports provided`);
  });
});
