/**
 * Standalone containers joining swarm overlays (dockerd findAndAttachNetwork → daemon/cluster
 * AttachNetwork → swarmkit manager/resourceapi AttachNetwork): any node, a worker included, asks the
 * managers; the overlay must be attachable (PermissionDenied otherwise) and must exist (NotFound); the
 * container gets the overlay's next serial address, the overlay's `1-<id>` namespace appears on its node
 * with it, and a docker_gwbridge leg carries its default route. Its name resolves across nodes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { refused } from '../helpers/refuse.js';
import { clis, DAEMON, given, ifaces, log, netInspect, netNames, netns, nslookup, overlayNsOf, sharedNetns, swarm } from './support.js';

const cli = clis();

describe('an attachable overlay, from a worker', () => {
  let c: TestCli;
  let ovNs: string;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'network create -d overlay --attachable ov\nnetwork create -d overlay closed\n'
      + 'service create -d --name web --replicas 1 --constraint node.hostname==w2 --network ov nginx\n');
    ovNs = await overlayNsOf(c, 'ov');
  });

  it('before: w1 neither lists the overlay nor has its namespace', async () => {
    expect(await netNames(c, 'w1')).not.toContain('ov');
    expect(await sharedNetns(c, 'w1')).not.toContain(ovNs);
  });

  it('run --network ov on w1: the overlay’s next serial address, its namespace on w1, a docker_gwbridge leg', async () => {
    // Serial allocation: the address after the last one the overlay handed out (to whoever).
    const ovId = (await netInspect(c, 'ov')).Id as string;
    const handed = (await log(c, 'AddressAllocated')).filter((l) => l.event.networkId === ovId && l.event.owner.kind !== 'gateway');
    const last = Number((handed.at(-1)!.event.ip as string).split('.')[3]);
    const out = await c.ok('--on', 'w1', 'run', '-d', '--name', 'c1', '--network', 'ov', 'busybox');
    expect(out).toMatch(/^[0-9a-f]{64}\n$/);
    const ifs = await ifaces(c, 'c1', 'w1');
    expect(ifs.map((i) => [i.name, i.mtu, i.inet[0]])).toEqual([
      ['eth0', 1450, `10.0.1.${last + 1}/24`],
      ['eth1', 1500, expect.stringMatching(/^172\.18\.0\.\d+\/16$/)],
    ]);
    expect(ifs[0]!.mac).toBe(`02:42:0a:00:01:${(last + 1).toString(16).padStart(2, '0')}`);
    expect(await c.ok('--on', 'w1', 'exec', 'c1', 'ip', 'route')).toMatch(/^default via 172\.18\.0\.1 dev eth1 \n10\.0\.1\.0\/24 dev eth0 scope link {2}src 10\.0\.1\.\d+ \n/);
    expect(await sharedNetns(c, 'w1')).toContain(ovNs);
    expect(await netns(c, 'w1')).toContain(out.slice(0, 12));
    // w1's daemon now has the network: it lists it, and its inspect shows the container and w1 as a peer.
    expect(await netNames(c, 'w1')).toContain('ov');
    const ov = await netInspect(c, 'ov', 'w1');
    expect((ov.Containers as Record<string, { Name: string; IPv4Address: string }>)[out.trim()]).toMatchObject({ Name: 'c1', IPv4Address: `10.0.1.${last + 1}/24` });
    expect((ov.Peers as { IP: string }[]).length).toBe(2);
    expect((await c.ok('log', '--type', 'AddressAllocated')).split('\n').filter((l) => l.includes(`ov: 10.0.1.${last + 1} allocated to container`))).toHaveLength(1);
  });

  it('names resolve both ways across nodes; inspect carries the attachment’s address', async () => {
    const c1 = (await ifaces(c, 'c1', 'w1'))[0]!.inet[0]!.split('/')[0]!;
    const web = (await ifaces(c, 'web.1'))[0]!.inet[0]!.split('/')[0]!;
    expect(await nslookup(c, 'web.1', 'c1')).toEqual([c1]);
    expect(await c.ok('--on', 'w1', 'exec', 'c1', 'nslookup', 'tasks.web')).toContain(`Address: ${web}\n`);
    const x = JSON.parse(await c.ok('--on', 'w1', 'inspect', 'c1', '--format', '{{json .NetworkSettings.Networks.ov}}')) as Record<string, unknown>;
    expect(x).toMatchObject({ IPAMConfig: { IPv4Address: c1 }, IPAddress: c1, IPPrefixLen: 24, Gateway: '', NetworkID: (await netInspect(c, 'ov')).Id });
    expect((await c.ok('--on', 'w1', 'exec', 'c1', 'ping', '-c', '1', 'web.1.' + (await c.ok('service', 'ps', 'web', '-q', '--no-trunc')).trim())).split('\n')[0]).toContain(`(${web})`);
  });

  it('network connect from a worker attaches too; a second connect is refused', async () => {
    await given(c, '--on w1 run -d --name c2 busybox\n--on w1 network connect ov c2\n');
    const ifs = await ifaces(c, 'c2', 'w1');
    expect(ifs.map((i) => i.name)).toEqual(['eth0', 'eth1']);
    expect(ifs[1]!.inet[0]).toMatch(/^10\.0\.1\.\d+\/24$/);
    expect(await refused(c, '--on', 'w1', 'network', 'connect', 'ov', 'c2')).toBe(`${DAEMON}c2 is already attached to network ov`);
  });

  it('non-attachable and unknown overlays are refused on a worker and on a manager, with swarmkit’s codes', async () => {
    for (const on of ['w1', 'm1']) {
      expect(await refused(c, '--on', on, 'run', '-d', '--name', 'c9', '--network', 'closed', 'busybox'))
        .toBe(`${DAEMON}Could not attach to network closed: rpc error: code = PermissionDenied desc = network closed not manually attachable`);
      expect(await refused(c, '--on', on, 'run', '-d', '--name', 'c9', '--network', 'nope', 'busybox'))
        .toBe(`${DAEMON}Could not attach to network nope: rpc error: code = NotFound desc = network nope not found`);
    }
    // The ingress is a swarm network like any other here: not attachable.
    expect(await refused(c, '--on', 'w1', 'network', 'connect', 'ingress', 'c1'))
      .toBe(`${DAEMON}Could not attach to network ingress: rpc error: code = PermissionDenied desc = network ingress not manually attachable`);
    // The overlay's ID works as the reference too (swarmkit looks it up by ID, then by name).
    const id = (await netInspect(c, 'closed')).Id as string;
    expect(await refused(c, '--on', 'w1', 'run', '-d', '--name', 'c9', '--network', id, 'busybox'))
      .toBe(`${DAEMON}Could not attach to network ${id}: rpc error: code = PermissionDenied desc = network ${id} not manually attachable`);
  });

  it('off the swarm, an overlay it cannot see is simply not found', async () => {
    await given(c, 'host add solo\n');
    expect(await refused(c, '--on', 'solo', 'run', '-d', '--name', 'c9', '--network', 'ov', 'busybox')).toBe(`${DAEMON}network ov not found`);
  });

  it('when the last container leaves, the namespace and the worker’s view of the overlay go', async () => {
    await given(c, '--on w1 rm -f c1\n--on w1 network disconnect ov c2\n');
    expect(await sharedNetns(c, 'w1')).not.toContain(ovNs);
    expect(await netNames(c, 'w1')).not.toContain('ov');
    expect((await ifaces(c, 'c2', 'w1')).map((i) => i.name)).toEqual(['eth0']);
  });
});

describe('without a leader', () => {
  it('the attachment request fails with the no-leader error', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1', 'm2', 'm3'], workers: ['w1'] }, 'network create -d overlay --attachable ov\nhost crash m1\nhost crash m2\n');
    expect(await refused(c, '--on', 'w1', 'run', '-d', '--name', 'c1', '--network', 'ov', 'busybox'))
      .toBe(`${DAEMON}Could not attach to network ov: rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.`);
    // A local network needs no manager.
    await given(c, '--on w1 run -d --name c2 busybox\n');
  });
});
