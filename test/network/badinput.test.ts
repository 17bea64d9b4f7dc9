/**
 * Bad input to the network commands: one `Error:` line first on stderr carrying Docker's message
 * (docker/cli's client checks, dockerd's, libnetwork's, swarmkit's), a non-zero exit, and nothing
 * appended to the log (same events, same state hash).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { refused as refusedClean } from '../helpers/refuse.js';
import { clis, DAEMON, fingerprint, given, netInspect, RPC, refused, swarm } from './support.js';

const cli = clis();
const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
// moby cluster errNoManager, for a node that joined as a worker.
const WORKER = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";

describe('network create', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'host add solo\nnetwork create --subnet 10.5.0.0/16 b1\nnetwork create -d overlay mynet\n');
  });

  it.each<[string, string[], string]>([
    // docker/cli: pflag parses --gateway / --ip-range; createIPAMConfig checks the rest (netip.ParsePrefix).
    ['a gateway that is no IP', ['--subnet', '10.6.0.0/16', '--gateway', 'nonsense'], 'Error: invalid argument "nonsense" for "--gateway" flag: invalid string being converted to IP address: nonsense'],
    ['an ip-range that is no CIDR', ['--subnet', '10.6.0.0/16', '--ip-range', '10.6.1.0'], 'Error: invalid argument "10.6.1.0" for "--ip-range" flag: invalid CIDR address: 10.6.1.0'],
    ['a gateway without a subnet', ['--gateway', '10.6.0.1'], 'Error: every ip-range or gateway must have a corresponding subnet'],
    ['a subnet without a slash', ['--subnet', 'nonsense'], 'Error: netip.ParsePrefix("nonsense"): no \'/\''],
    ['a prefix length over 32', ['--subnet', '10.5.0.0/33'], 'Error: netip.ParsePrefix("10.5.0.0/33"): prefix length out of range'],
    ['bad bits', ['--subnet', '10.5.0.0/x'], 'Error: netip.ParsePrefix("10.5.0.0/x"): bad bits after slash: "x"'],
    ['an octet over 255', ['--subnet', '300.5.0.0/16'], 'Error: netip.ParsePrefix("300.5.0.0/16"): ParseAddr("300.5.0.0"): IPv4 field has value >255'],
    ['three octets', ['--subnet', '10.5.0/16'], 'Error: netip.ParsePrefix("10.5.0/16"): ParseAddr("10.5.0"): IPv4 address too short'],
    ['a gateway outside the subnet', ['--subnet', '10.6.0.0/16', '--gateway', '10.7.0.1'], 'Error: no matching subnet for gateway 10.7.0.1'],
    ['an ip-range outside the subnet', ['--subnet', '10.6.0.0/16', '--ip-range', '10.7.0.0/24'], 'Error: no matching subnet for range 10.7.0.0/24'],
    // dockerd / libnetwork.
    ['a bridge subnet overlapping another bridge', ['--subnet', '10.5.1.0/24'], `${DAEMON}invalid pool request: Pool overlaps with other one on this address space`],
    ['an overlay subnet overlapping another overlay', ['-d', 'overlay', '--subnet', '10.0.1.128/25'], `${RPC('InvalidArgument')}invalid pool request: Pool overlaps with other one on this address space`],
    ['an overlay subnet overlapping the ingress', ['-d', 'overlay', '--subnet', '10.0.0.0/16'], `${RPC('InvalidArgument')}invalid pool request: Pool overlaps with other one on this address space`],
    ['an unknown driver', ['-d', 'foo'], `${DAEMON}plugin "foo" not found`],
    ['a second host network', ['-d', 'host'], `${DAEMON}only one instance of "host" network is allowed`],
    ['--ingress on a bridge', ['--ingress'], `${DAEMON}Ingress network can only be global scope network`],
    ['a second ingress', ['-d', 'overlay', '--ingress'], 'INGRESS'],
    ['an attachable ingress', ['-d', 'overlay', '--ingress', '--attachable'], `${RPC('InvalidArgument')}ingress network cannot be attachable`],
  ])('%s', async (_what, flags, want) => {
    const ingressId = (await netInspect(c, 'ingress')).Id;
    const line = (await refused(c, 'network', 'create', ...flags, 'newnet')).split('\n')[0];
    expect(line).toBe(want === 'INGRESS' ? `${RPC('AlreadyExists')}ingress network (${ingressId}) is already present` : want);
  });

  it('a subnet with host bits set: dockerd’s two-line message (validateIpamConfig)', async () => {
    const err = await refused(c, 'network', 'create', '--subnet', '10.6.0.1/16', 'newnet');
    expect(err).toBe(`${DAEMON}invalid network config:\ninvalid subnet 10.6.0.1/16: it should be 10.6.0.0/16\n`);
    expect((await refused(c, 'network', 'create', '-d', 'overlay', '--subnet', '10.9.0.7/24', 'newnet')).split('\n')[1]).toBe('invalid subnet 10.9.0.7/24: it should be 10.9.0.0/24');
  });

  it('predefined names, names in use (locally or in the swarm)', async () => {
    for (const n of ['bridge', 'host', 'none']) expect(await refusedClean(c, 'network', 'create', n)).toBe(`${DAEMON}operation is not permitted on predefined ${n} network `);
    expect(await refusedClean(c, 'network', 'create', 'b1')).toBe(`${DAEMON}network with name b1 already exists`);
    expect(await refusedClean(c, 'network', 'create', '-d', 'overlay', 'b1')).toBe(`${DAEMON}network with name b1 already exists`);
    expect(await refusedClean(c, 'network', 'create', 'mynet')).toBe(`${DAEMON}network with name mynet already exists`);
    expect(await refusedClean(c, 'network', 'create', '-d', 'overlay', 'ingress')).toBe(`${DAEMON}network with name ingress already exists`);
  });

  it('an overlay on a worker, or outside a swarm', async () => {
    expect(await refusedClean(c, '--on', 'w1', 'network', 'create', '-d', 'overlay', 'x1')).toBe(`${DAEMON}${WORKER}`);
    expect(await refusedClean(c, '--on', 'solo', 'network', 'create', '-d', 'overlay', 'x1')).toBe(`${DAEMON}${NOT_MANAGER}`);
    // A bridge is fine anywhere.
    expect(await c.ok('--on', 'w1', 'network', 'create', 'wbr')).toMatch(/^[0-9a-f]{64}\n$/);
  });
});

describe('network rm', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'host add solo\nnetwork create br\nrun -d --name c1 --network br busybox\nnetwork create -d overlay mynet\nservice create -d --name web --network mynet --constraint node.hostname==w1 nginx\nservice create -d --name pub -p 8080:80 nginx\n');
  });

  it('an unknown network', async () => {
    expect(await refusedClean(c, 'network', 'rm', 'nope')).toBe(`${DAEMON}network nope not found`);
  });

  it('a bridge with a container on it', async () => {
    expect(await refusedClean(c, 'network', 'rm', 'br')).toMatch(/^Error: Error response from daemon: error while removing network: network br has active endpoints \(name:"c1" id:"[0-9a-f]{12}"\)$/);
  });

  it('an overlay a service uses, from a manager; from a worker that has it', async () => {
    const net = (await netInspect(c, 'mynet')).Id;
    const svc = (await c.ok('service', 'inspect', 'web', '--format', '{{.ID}}')).trim();
    expect(await refusedClean(c, 'network', 'rm', 'mynet')).toBe(`${RPC('FailedPrecondition')}network ${net} is in use by service ${svc}`);
    expect(await refusedClean(c, '--on', 'w1', 'network', 'rm', 'mynet')).toBe(`${DAEMON}${WORKER}`);
  });

  it('an overlay a task still uses after its service left it (the task’s ID, not its container’s)', async () => {
    const d = cli();
    await swarm(d, { managers: ['m1'] }, 'network create -d overlay a\nservice create -d --name w --replicas 2 --update-delay 10s --network a nginx\n');
    const net = (await netInspect(d, 'a')).Id;
    await given(d, `service update -d --network-rm ${net} w\n`);
    const running = (await d.ok('service', 'ps', 'w', '--no-trunc', '-q', '--filter', 'desired-state=running')).trim().split('\n');
    const err = await refusedClean(d, 'network', 'rm', 'a');
    expect(err).toMatch(new RegExp(`^${RPC('FailedPrecondition').replace(/[()]/g, '\\$&')}network ${net} is in use by task ([0-9a-z]{25})$`));
    expect(running).toContain(/task (\S+)$/.exec(err)![1]);
    await given(d, 'advance 11s\nnetwork rm a\n');
  });

  it('the ingress while a service publishes a port: the prompt, then swarmkit’s refusal, nothing appended', async () => {
    const svc = (await c.ok('service', 'inspect', 'pub', '--format', '{{.ID}}')).trim();
    const before = await fingerprint(c);
    const r = await c.run('network', 'rm', 'ingress');
    expect(r.code).not.toBe(0);
    // docker/cli remove.go asks first (the engine answers y for you).
    expect(r.stdout).toBe('WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue? [y/N] y\n');
    expect(r.stderr).toBe(`${RPC('FailedPrecondition')}ingress network cannot be removed because service ${svc} depends on it\n`);
    expect(await fingerprint(c)).toEqual(before);
  });

  it('an overlay outside a swarm, or one a worker does not have', async () => {
    expect(await refusedClean(c, '--on', 'solo', 'network', 'rm', 'mynet')).toBe(`${DAEMON}network mynet not found`);
    const d = cli();
    await swarm(d, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay other\n');
    expect(await refusedClean(d, '--on', 'w1', 'network', 'rm', 'other')).toBe(`${DAEMON}network other not found`);
  });
});

describe('attaching', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay mynet\nrun -d --name c1 busybox\n');
  });

  it('run --network with a non-attachable overlay: swarmkit’s PermissionDenied', async () => {
    expect(await refusedClean(c, 'run', '-d', '--name', 'c2', '--network', 'mynet', 'busybox'))
      .toBe(`${DAEMON}Could not attach to network mynet: rpc error: code = PermissionDenied desc = network mynet not manually attachable`);
    // network connect goes through the same attachment request (dockerd findAndAttachNetwork).
    expect(await refusedClean(c, 'network', 'connect', 'mynet', 'c1'))
      .toBe(`${DAEMON}Could not attach to network mynet: rpc error: code = PermissionDenied desc = network mynet not manually attachable`);
  });

  it('run --network with an unknown network; connect to one', async () => {
    // On a swarm node a network the daemon does not have is asked of the managers: swarmkit's NotFound.
    expect(await refusedClean(c, 'run', '-d', '--name', 'c2', '--network', 'nope', 'busybox')).toBe(`${DAEMON}Could not attach to network nope: rpc error: code = NotFound desc = network nope not found`);
    expect(await refusedClean(c, 'network', 'connect', 'nope', 'c1')).toBe(`${DAEMON}Could not attach to network nope: rpc error: code = NotFound desc = network nope not found`);
    expect(await refusedClean(c, 'network', 'disconnect', 'nope', 'c1')).toBe(`${DAEMON}network nope not found`);
  });

  it('a service on an unknown network, or explicitly on the ingress', async () => {
    expect(await refusedClean(c, 'service', 'create', '--name', 'x', '--network', 'nope', 'nginx')).toBe(`${DAEMON}network nope not found`);
    expect(await refusedClean(c, 'service', 'create', '--name', 'x', '--network', 'ingress', 'nginx'))
      .toBe(`${RPC('InvalidArgument')}Service cannot be explicitly attached to the ingress network "ingress"`);
    // A local network is not found at swarm scope; the predefined host and bridge networks are Docker's, not simulated here.
    expect(await refusedClean(c, 'service', 'create', '--name', 'x', '--network', 'br', 'nginx')).toBe(`${DAEMON}network br not found`);
    await given(c, 'service create -d --name svc nginx\n');
    expect(await refusedClean(c, 'service', 'update', '--network-add', 'br', 'svc')).toBe(`${DAEMON}network br not found`);
    expect(await refusedClean(c, 'service', 'create', '--name', 'x', '--network', 'host', 'nginx'))
      .toBe('Error: services on the predefined host network are not simulated by swarm-engine (use an overlay network)');
  });

  it('inspect of an unknown network: docker/cli prints `[]`, then dockerd’s error; nothing appended', async () => {
    const before = await fingerprint(c);
    const r = await c.run('network', 'inspect', 'nope');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toBe(`${DAEMON}network nope not found\n`);
    expect(await fingerprint(c)).toEqual(before);
  });
});

describe('ls filters', () => {
  it('an unknown filter key or type value', async () => {
    const c = cli();
    await given(c, 'host add h1\n');
    expect(await refusedClean(c, 'network', 'ls', '--filter', 'type=weird')).toBe(`${DAEMON}invalid filter: 'type'='weird'`);
    expect(await refusedClean(c, 'network', 'ls', '--filter', 'nokey')).toBe('Error: bad format of filter (expected name=value)');
  });
});
