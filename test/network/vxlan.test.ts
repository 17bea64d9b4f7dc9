/**
 * VXLAN peers (N13): inside an overlay's namespace, libnetwork programs each endpoint on another node as
 * a permanent FDB entry to that node's data-path address and a permanent ARP entry; `bridge fdb show` and
 * `ip neigh` print them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';

const cli = new TestCli();
afterAll(() => cli.cleanup());

const NETNS = '/var/run/docker/netns';
const ns = async (on: string, prefix: string, net: string): Promise<string> => {
  const id = (await cli.ok('network', 'inspect', net, '--format', '{{.Id}}')).trim();
  const names = (await cli.ok('--on', on, 'ls', NETNS)).split('\n');
  const name = names.find((n) => n === `${prefix}${id}`.slice(0, 12));
  expect(name, `${on} has the namespace of ${net}`).toBeDefined();
  return `${NETNS}/${name}`;
};
const taskIp = async (task: string, net: string): Promise<string> => {
  const out = await cli.ok('exec', task, 'ip', 'addr');
  const subnet = JSON.parse(await cli.ok('network', 'inspect', net, '--format', '{{json .IPAM.Config}}'))[0].Subnet as string;
  const prefix = subnet.split('.').slice(0, 3).join('.');
  return new RegExp(`inet (${prefix.replace(/\./g, '\\.')}\\.\\d+)/`).exec(out)![1]!;
};
const mac = (ip: string): string => `02:42:${ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0')).join(':')}`;

describe('VXLAN peers in an overlay namespace', () => {
  it('send each remote endpoint to its node\'s --data-path-addr; the local ones are not peers', async () => {
    const r = await cli.scenario([
      'host add m1 --ip 192.168.99.100', 'host add w1 --ip 192.168.99.101', 'host add w2 --ip 192.168.99.102',
      '--on m1 swarm init --advertise-addr 192.168.99.100 --data-path-addr 10.99.0.1',
      '--on w1 swarm join --token $(swarm join-token -q worker) --data-path-addr 10.99.0.2 192.168.99.100:2377',
      '--on w2 swarm join --token $(swarm join-token -q worker) 192.168.99.100:2377',
      'node update --availability drain m1',
      'network create -d overlay --subnet 10.7.0.0/24 ov',
      'service create -d --name web --replicas 2 --network ov nginx',
      'advance 10s',
    ].join('\n') + '\n');
    expect(r.code, r.stderr).toBe(0);
    const ps = (await cli.ok('service', 'ps', 'web', '--format', '{{.Name}} {{.Node}}')).trim().split('\n').map((l) => l.split(' '));
    expect(ps.map(([, n]) => n).sort()).toEqual(['w1', 'w2']);
    const onW1 = ps.find(([, n]) => n === 'w1')![0]!;
    const onW2 = ps.find(([, n]) => n === 'w2')![0]!;
    const ipW1 = await taskIp(onW1, 'ov');
    const ipW2 = await taskIp(onW2, 'ov');
    // On w2: w1's task, at w1's data-path address; w2's own task is not a peer.
    const w2ns = await ns('w2', '1-', 'ov');
    const fdb = await cli.ok('--on', 'w2', 'nsenter', `--net=${w2ns}`, 'bridge', 'fdb', 'show');
    expect(fdb).toContain(`${mac(ipW1)} dev vxlan0 dst 10.99.0.2 link-netnsid 0 self permanent\n`);
    expect(fdb).not.toContain(mac(ipW2));
    expect(await cli.ok('--on', 'w2', 'nsenter', `--net=${w2ns}`, 'ip', 'neigh')).toContain(`${ipW1} dev vxlan0 lladdr ${mac(ipW1)} PERMANENT\n`);
    // On w1: w2's task, at w2's advertise address (no --data-path-addr given).
    const w1ns = await ns('w1', '1-', 'ov');
    expect(await cli.ok('--on', 'w1', 'nsenter', `--net=${w1ns}`, 'bridge', 'fdb', 'show')).toContain(`${mac(ipW2)} dev vxlan0 dst 192.168.99.102 link-netnsid 0 self permanent\n`);
    // The drained manager has no task on ov, so no namespace of it; bridge fdb is only simulated in overlay namespaces.
    expect((await cli.ok('--on', 'm1', 'ls', NETNS)).split('\n')).not.toContain(w2ns.slice(NETNS.length + 1));
    const bad = await cli.run('--on', 'w2', 'nsenter', '--net=/var/run/docker/netns/ingress_sbox', 'bridge', 'fdb', 'show');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^Error: bridge: `bridge fdb show` is simulated inside an overlay namespace/);
  });
});
