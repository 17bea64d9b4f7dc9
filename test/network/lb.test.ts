/**
 * The swarm-level network lifecycle, from the CLI:
 * - east–west load balancing: each node with a local task on an overlay has the `lb-<net>` sandbox
 *   (netns `lb_<id[:9]>`, endpoint `<net>-endpoint`) holding the node's attachment address, the service
 *   VIPs as /32 aliases and an IPVS service per service (moby libnetwork network.go lbSandboxName,
 *   createLoadBalancerSandbox; service_linux.go addLBBackend, configureFWMark); the address is allocated
 *   by the manager when the first task using the overlay is assigned to the node and freed with the last
 *   (swarmkit manager/allocator/network.go reallocateNode, getNodeNetworks);
 * - firewall marks from a per-node counter that starts at 256 and never goes back (libnetwork service.go
 *   fwMarkCtr), VNIs from the manager's serial cursor (ovmanager SetAnyInRange(…, serial));
 * - a crashed node forgotten by the others once memberlist declares it failed (networkdb
 *   event_delegate.go NotifyLeave, nodemgmt.go changeNodeState);
 * - `swarm leave` releasing the swarm networks (moby daemon/cluster/swarm.go Leave, daemon.go
 *   DaemonLeavesCluster);
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, given, ifaces, iptables, ipvs, log, netInspect, netNames, netns, nsIfaces, nslookup, overlayNsOf, swarm, taskNodes } from './support.js';

const cli = clis();

/** A network's load-balancer sandbox: "lb_" + the first 9 characters of its ID. */
async function lbNsOf(c: TestCli, net: string): Promise<string> {
  return `lb_${(await netInspect(c, net)).Id.slice(0, 9)}`;
}

/** The address of a node's load-balancer endpoint on a network (its `network inspect`, typed on it). */
async function lbAddr(c: TestCli, net: string, on: string): Promise<string | undefined> {
  const n = await netInspect(c, net, on);
  return (n.Containers[`lb-${net}`] as { IPv4Address: string } | undefined)?.IPv4Address;
}

/** `ipvsadm -Ln` in a node's load-balancer sandbox of a network. */
async function lbIpvs(c: TestCli, net: string, on: string): Promise<Record<string, string[]>> {
  return ipvs(c, on, await lbNsOf(c, net));
}

const backends = (...ips: string[]) => ips.map((ip) => `${ip}:0 Masq 1`);

describe('the lb-<net> sandbox of a user overlay', () => {
  let c: TestCli;
  let lb: string;
  let where: Record<string, string>;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2', 'w3'] }, [
      'network create -d overlay mynet',
      'service create -d --name api --network mynet --constraint node.hostname==w1 nginx',
      'service create -d --name web --replicas 2 --network mynet --constraint node.hostname!=w1 --constraint node.hostname!=w3 nginx',
    ].join('\n') + '\n');
    lb = await lbNsOf(c, 'mynet');
    where = await taskNodes(c, 'web');
  });

  it('exists where a task uses the overlay, next to the overlay’s namespace, and nowhere else', async () => {
    expect(lb).toMatch(/^lb_[0-9a-z]{9}$/);
    const ns = await overlayNsOf(c, 'mynet');
    for (const h of ['m1', 'w1', 'w2']) {
      const names = await netns(c, h);
      expect(names).toContain(lb);
      expect(names).toContain(ns);
    }
    expect(await netns(c, 'w3')).toEqual([await overlayNsOf(c, 'ingress'), 'ingress_sbox']);
    expect(await netNames(c, 'w3')).not.toContain('mynet');
  });

  it('addresses: the VIP, the task, then the node’s load-balancer address when the task is assigned (seed 001’s 10.0.1.3 stays the task’s)', async () => {
    // api: VIP .2, task .3, w1's attachment .4; web: VIP .5, tasks .6 .7, then m1's and w2's, in the
    // order their first web task was assigned.
    expect(await lbAddr(c, 'mynet', 'w1')).toBe('10.0.1.4/24');
    expect((await ifaces(c, 'api.1'))[0]!.inet).toEqual(['10.0.1.3/24']);
    expect([await lbAddr(c, 'mynet', 'm1'), await lbAddr(c, 'mynet', 'w2')].sort()).toEqual(['10.0.1.8/24', '10.0.1.9/24']);
    const allocs = (await log(c, 'AddressAllocated')).map((l) => l.event as { networkId: string; ip: string; owner: { kind: string } });
    const mynet = (await netInspect(c, 'mynet')).Id as string;
    expect(allocs.filter((a) => a.networkId === mynet).map((a) => `${a.ip} ${a.owner.kind}`)).toEqual([
      '10.0.1.1 gateway', '10.0.1.2 vip', '10.0.1.3 task', '10.0.1.4 node', '10.0.1.5 vip', '10.0.1.6 task', '10.0.1.7 task', '10.0.1.8 node', '10.0.1.9 node',
    ]);
  });

  it('one interface, eth0 on the overlay with the node’s address, the VIPs as /32 aliases; only the on-link route', async () => {
    const [eth0, ...rest] = await nsIfaces(c, 'w1', lb);
    expect(rest).toEqual([]);
    expect(eth0).toMatchObject({ name: 'eth0', mtu: 1450, mac: '02:42:0a:00:01:04', inet: ['10.0.1.4/24', '10.0.1.2/32', '10.0.1.5/32'] });
    // Its veth's other end is enslaved to br0 in the overlay's namespace.
    const peer = (await nsIfaces(c, 'w1', await overlayNsOf(c, 'mynet'))).find((i) => i.index === eth0!.peer)!;
    expect(peer).toMatchObject({ name: 'veth0', master: 'br0' });
    expect(await c.ok('--on', 'w1', 'nsenter', `--net=${lb}`, 'ip', 'a')).toContain('    inet 10.0.1.2/32 scope global eth0\n       valid_lft forever preferred_lft forever\n');
    expect(await c.ok('--on', 'w1', 'nsenter', `--net=${lb}`, 'ip', 'route')).toBe('10.0.1.0/24 dev eth0 scope link  src 10.0.1.4 \n');
  });

  it('IPVS: a FWM service per service with a backend on the overlay, one real server per task, fed by mangle INPUT -d VIP/32', async () => {
    // w1 saw api (its own task) first, then web.
    expect(await lbIpvs(c, 'mynet', 'w1')).toEqual({ 'FWM 256 rr': backends('10.0.1.3'), 'FWM 257 rr': backends('10.0.1.6', '10.0.1.7') });
    expect(await iptables(c, 'w1', 'mangle', lb)).toEqual([
      'INPUT MARK all * * 0.0.0.0/0 10.0.1.2/32 MARK set 0x100',
      'INPUT MARK all * * 0.0.0.0/0 10.0.1.5/32 MARK set 0x101',
    ]);
    expect(await iptables(c, 'w1', 'nat', lb)).toEqual(['POSTROUTING SNAT all * * 0.0.0.0/0 10.0.1.0/24 ipvs to:10.0.1.4']);
    // A node that got mynet for a web task learned api's backend with the network (networkdb's bulk
    // sync, before the task's container joined), then web's own: the same order, the same marks here.
    for (const h of Object.values(where)) {
      expect(await lbIpvs(c, 'mynet', h)).toEqual({ 'FWM 256 rr': backends('10.0.1.3'), 'FWM 257 rr': backends('10.0.1.6', '10.0.1.7') });
    }
    // The names still answer: the service name is the VIP the sandbox balances.
    expect(await nslookup(c, 'api.1', 'web')).toEqual(['10.0.1.5']);
    expect(await nslookup(c, 'web.1', 'tasks.api')).toEqual(['10.0.1.3']);
  });

  it('network inspect on the node lists "lb-mynet": {"Name": "mynet-endpoint", …}', async () => {
    const n = await netInspect(c, 'mynet', 'w1');
    expect(n.Containers['lb-mynet']).toEqual({ Name: 'mynet-endpoint', EndpointID: expect.stringMatching(/^[0-9a-f]{64}$/), MacAddress: '02:42:0a:00:01:04', IPv4Address: '10.0.1.4/24', IPv6Address: '' });
    expect(Object.keys(n.Containers)).toHaveLength(2);
  });
});

describe('the sandbox and the node’s address follow the local tasks', () => {
  it('go with the last task on the node; a later task brings a new address (serial); other nodes are untouched', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay mynet\nservice create -d --name web --network mynet --constraint node.hostname==w1 nginx\nservice create -d --name db --network mynet --constraint node.hostname==m1 nginx\n');
    const lb = await lbNsOf(c, 'mynet');
    const ns = await overlayNsOf(c, 'mynet');
    expect(await lbAddr(c, 'mynet', 'w1')).toBe('10.0.1.4/24');
    await given(c, 'service scale web=0\n');
    expect(await netns(c, 'w1')).toEqual([await overlayNsOf(c, 'ingress'), 'ingress_sbox']);
    const released = (await log(c, 'AddressReleased')).map((l) => (l.event as { ip: string }).ip);
    expect(released).toContain('10.0.1.4');
    // m1 (db's task .6, its own address .7) learned web's load balancer (256) before db's (257); it keeps
    // its sandbox, now without web's load balancer and web's VIP alias (its last backend is gone).
    expect((await netns(c, 'm1'))).toEqual(expect.arrayContaining([lb, ns]));
    expect(await lbIpvs(c, 'mynet', 'm1')).toEqual({ 'FWM 257 rr': backends('10.0.1.6') });
    expect((await nsIfaces(c, 'm1', lb))[0]!.inet).toEqual(['10.0.1.7/24', '10.0.1.5/32']);
    await given(c, 'service scale web=1\n');
    // web.1's new task .8, then w1's new address .9 (.4 is not reused before the wrap).
    expect(await lbAddr(c, 'mynet', 'w1')).toBe('10.0.1.9/24');
    expect((await ifaces(c, 'web.1'))[0]!.inet).toEqual(['10.0.1.8/24']);
    // web's load balancer comes back on m1 with a new mark.
    expect(await lbIpvs(c, 'mynet', 'm1')).toEqual({ 'FWM 257 rr': backends('10.0.1.6'), 'FWM 258 rr': backends('10.0.1.8') });
  });

  it('an ingress-only service makes no lb sandbox: ingress_sbox is the ingress’s load balancer, with the VIP aliased on its eth0', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web -p 8080:80 nginx\n');
    expect(await netns(c, 'm1')).toEqual(expect.not.arrayContaining([expect.stringMatching(/^lb_/)]));
    expect((await nsIfaces(c, 'm1', 'ingress_sbox'))[0]!.inet).toEqual(['10.0.0.2/24', '10.0.0.3/32']);
    await given(c, 'service rm web\n');
    expect((await nsIfaces(c, 'm1', 'ingress_sbox'))[0]!.inet).toEqual(['10.0.0.2/24']);
  });
});

describe('firewall marks: a per-node counter from 256 that only goes up', () => {
  it('a removed load balancer’s mark is not handed out again; scaling to 0 and back makes a new one', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name a -p 8080:80 nginx\nservice create -d --name b -p 9090:80 nginx\nservice rm a\nservice create -d --name c -p 7070:80 nginx\n');
    for (const h of ['m1', 'w1']) {
      expect(Object.keys(await ipvs(c, h))).toEqual(['FWM 257 rr', 'FWM 258 rr']);
      expect((await iptables(c, h, 'mangle', 'ingress_sbox')).filter((r) => r.startsWith('PREROUTING'))).toEqual([
        'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9090 MARK set 0x101',
        'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:7070 MARK set 0x102',
      ]);
    }
    // With no task left the load balancer goes (rmServiceBinding), its DNAT too; it comes back with 259.
    await given(c, 'service scale b=0\n');
    expect(Object.keys(await ipvs(c, 'w1'))).toEqual(['FWM 258 rr']);
    expect((await iptables(c, 'w1', 'nat')).filter((r) => r.includes('dpt:9090'))).toEqual([]);
    await given(c, 'service scale b=1\n');
    expect(Object.keys(await ipvs(c, 'w1'))).toEqual(['FWM 258 rr', 'FWM 259 rr']);
    expect((await iptables(c, 'w1', 'nat')).filter((r) => r.includes('dpt:9090'))).toEqual(['DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9090 to:172.18.0.2:9090']);
  });

  it('each node counts the load balancers in the order it sees them, so marks differ between nodes', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay mynet\nservice create -d --name api --network mynet --constraint node.hostname==w1 nginx\nservice create -d --name web -p 8080:80 --constraint node.hostname==m1 nginx\n');
    expect(await lbIpvs(c, 'mynet', 'w1')).toEqual({ 'FWM 256 rr': backends('10.0.1.3') });
    expect(await ipvs(c, 'w1')).toEqual({ 'FWM 257 rr': backends('10.0.0.5') });
    expect(await ipvs(c, 'm1')).toEqual({ 'FWM 256 rr': backends('10.0.0.5') });
    expect((await iptables(c, 'w1', 'mangle', 'ingress_sbox'))).toContain('INPUT MARK all * * 0.0.0.0/0 10.0.0.4/32 MARK set 0x101');
  });

  it('a rebooted node has a new dockerd: its counter starts at 256 again', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name a -p 8080:80 --constraint node.hostname==m1 nginx\nservice create -d --name b -p 9090:80 --constraint node.hostname==m1 nginx\nservice rm a\n');
    expect(Object.keys(await ipvs(c, 'w1'))).toEqual(['FWM 257 rr']);
    await given(c, 'host crash w1\nadvance 1s\nhost boot w1\n');
    expect(Object.keys(await ipvs(c, 'w1'))).toEqual(['FWM 256 rr']);
    expect((await iptables(c, 'w1', 'mangle', 'ingress_sbox')).filter((r) => r.includes('MARK set'))).toEqual([
      'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9090 MARK set 0x100',
      'INPUT MARK all * * 0.0.0.0/0 10.0.0.6/32 MARK set 0x100',
    ]);
    // m1's daemon did not restart.
    expect(Object.keys(await ipvs(c, 'm1'))).toEqual(['FWM 257 rr']);
  });
});

describe('VNIs: the manager’s serial cursor from 4096', () => {
  it('a removed overlay’s VNI is not reused; a fixed vxlanid_list does not move the cursor; a new ingress takes the next one', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, [
      'network create -d overlay n1', 'network create -d overlay n2', 'network rm n1', 'network create -d overlay n3',
      'network create -d overlay -o com.docker.network.driver.overlay.vxlanid_list=5000 n4', 'network create -d overlay n5',
      'network rm ingress', 'network create -d overlay --ingress ing2',
    ].join('\n') + '\n');
    const vni = async (n: string) => (await netInspect(c, n)).Options['com.docker.network.driver.overlay.vxlanid_list'];
    expect([await vni('n2'), await vni('n3'), await vni('n4'), await vni('n5'), await vni('ing2')]).toEqual(['4098', '4099', '5000', '4100', '4101']);
    // The VNI is the vxlan0 device's in the overlay's namespace.
    await given(c, 'service create -d --name s --network n5 nginx\n');
    expect((await nsIfaces(c, 'm1', await overlayNsOf(c, 'n5'))).find((i) => i.name === 'vxlan0')!.vxlanId).toBe(4100);
  });
});

describe('a crashed node, as the others see it', () => {
  let c: TestCli;
  let lb: string;
  let dead: string[];
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, [
      'network create -d overlay mynet',
      'service create -d --name web --replicas 3 --network mynet -p 8080:80 nginx',
      'service create -d --name cli --network mynet --constraint node.hostname==m1 nginx',
      'service create -d --name solo -p 9090:80 --network mynet --constraint node.hostname==w2 nginx',
    ].join('\n') + '\n');
    lb = await lbNsOf(c, 'mynet');
    const onW2 = Object.entries(await taskNodes(c, 'web')).find(([, n]) => n === 'w2')![0];
    dead = [(await ifaces(c, onW2))[0]!.inet[0]!.split('/')[0]!, (await ifaces(c, onW2))[1]!.inet[0]!.split('/')[0]!];
    await given(c, 'host crash w2\nadvance 4s\n');
  });

  it('until memberlist declares it failed, its tasks stay in DNS answers and IPVS backends', async () => {
    expect(await nslookup(c, 'cli.1', 'tasks.web')).toContain(dead[1]);
    expect((await ipvs(c, 'm1'))['FWM 256 rr']).toContain(`${dead[0]}:0 Masq 1`);
    expect(await nslookup(c, 'cli.1', 'tasks.solo')).toHaveLength(1);
  });

  it('1 s later (probe interval + 4 × probe interval of suspicion: 5 s after the crash) they are gone from every live node', async () => {
    await given(c, 'advance 1s\n');
    expect(await nslookup(c, 'cli.1', 'tasks.web')).not.toContain(dead[1]);
    expect(await nslookup(c, 'cli.1', 'tasks.web')).toHaveLength(2);
    for (const h of ['m1', 'w1']) {
      expect((await ipvs(c, h))['FWM 256 rr']).toHaveLength(2);
      expect((await ipvs(c, h))['FWM 256 rr']).not.toContain(`${dead[0]}:0 Masq 1`);
      expect(Object.values(await ipvs(c, h, lb)).flat()).not.toContain(`${dead[1]}:0 Masq 1`);
    }
    const removed = (await log(c, 'LbBackendRemoved')).map((l) => [l.atMs, (l.event as { ip: string }).ip]);
    expect(removed).toEqual(expect.arrayContaining([[5000, dead[0]], [5000, dead[1]]]));
    // solo's only task was on w2: its load balancers go, and its published port with them.
    expect(await nslookup(c, 'cli.1', 'tasks.solo')).toEqual([]);
    expect(await nslookup(c, 'cli.1', 'solo')).toHaveLength(1);
    expect((await iptables(c, 'm1', 'nat')).filter((r) => r.includes('dpt:9090'))).toEqual([]);
    expect(Object.keys(await ipvs(c, 'm1'))).toEqual(['FWM 256 rr']);
  });

  it('replacements join the load balancers when they start; the rebooted node programs everything afresh', async () => {
    // Down at 15 s, replacements started 5 s later.
    await given(c, 'advance 15s\n');
    expect(await nslookup(c, 'cli.1', 'tasks.web')).toHaveLength(3);
    expect(await nslookup(c, 'cli.1', 'tasks.solo')).toEqual([]);
    const marks = Object.keys(await ipvs(c, 'm1'));
    expect(marks).toHaveLength(1);
    await given(c, 'service update -d --constraint-rm node.hostname==w2 solo\nadvance 10s\n');
    expect(await nslookup(c, 'cli.1', 'tasks.solo')).toHaveLength(1);
    // solo's ingress load balancer is back on m1 under a new mark: m1 had used 256 (web on the ingress),
    // 257 (web on mynet), 258 (cli), 259 and 260 (solo on the ingress and on mynet).
    expect(Object.keys(await ipvs(c, 'm1'))).toEqual(['FWM 256 rr', 'FWM 261 rr']);
    await given(c, 'host boot w2\n');
    expect((await netns(c, 'w2')).filter((n) => n.startsWith('lb_') || /^[0-9a-f]{12}$/.test(n))).toEqual([]);
    expect(Object.keys(await ipvs(c, 'w2'))).toEqual(['FWM 256 rr', 'FWM 257 rr']);
    expect((await ipvs(c, 'w2'))['FWM 256 rr']).toEqual((await ipvs(c, 'm1'))['FWM 256 rr']);
  });
});

describe('swarm leave and join again', () => {
  it('leave tears down ingress_sbox, the overlays’ namespaces and lb sandboxes, and the port rules; docker_gwbridge stays', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay mynet\nservice create -d --name web --replicas 2 --network mynet -p 8080:80 nginx\nservice create -d --name cli --network mynet --constraint node.hostname==m1 nginx\n');
    const onW1 = Object.entries(await taskNodes(c, 'web')).find(([, n]) => n === 'w1')![0];
    const gone = (await ifaces(c, onW1))[1]!.inet[0]!.split('/')[0]!;
    expect((await netns(c, 'w1')).length).toBeGreaterThan(3);
    await given(c, '--on w1 swarm leave\n');
    expect(await netns(c, 'w1')).toEqual([]);
    expect(await netNames(c, 'w1')).toEqual(['bridge', 'docker_gwbridge', 'host', 'none']);
    expect(await c.ok('--on', 'w1', 'ip', 'a')).toMatch(/^\d+: docker_gwbridge: /m);
    // The port rules go with the load balancers; the chains keep their RETURN (libnetwork sets them up once).
    expect((await iptables(c, 'w1', 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS'))).toEqual(['DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0']);
    expect((await iptables(c, 'w1', 'filter')).filter((r) => r.startsWith('DOCKER-INGRESS'))).toEqual(['DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0']);
    // A graceful networkdb leave: the others drop its tasks at once.
    expect(await nslookup(c, 'cli.1', 'tasks.web')).not.toContain(gone);
    expect(await nslookup(c, 'cli.1', 'tasks.web')).toHaveLength(1);

    await given(c, '--on w1 swarm join --token $(swarm join-token -q worker) m1:2377\n');
    expect(await netns(c, 'w1')).toEqual([await overlayNsOf(c, 'ingress'), 'ingress_sbox']);
    // A new node: a new ingress address; the same dockerd: web's load balancer takes its next mark.
    expect((await nsIfaces(c, 'w1', 'ingress_sbox'))[0]!.inet[0]).toBe('10.0.0.7/24');
    expect(Object.keys(await ipvs(c, 'w1'))).toEqual(['FWM 259 rr']);
    expect((await iptables(c, 'w1', 'nat')).filter((r) => r.includes('dpt:8080'))).toEqual(['DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 to:172.18.0.2:8080']);
    // node rm of the old node frees its addresses (swarmkit deallocateNode).
    const old = (await c.ok('node', 'ls', '--format', '{{.ID}} {{.Status}}')).split('\n').find((l) => l.endsWith(' Down'))!.split(' ')[0]!;
    await given(c, `node rm ${old}\n`);
    const last = (await log(c)).filter((l) => l.type === 'AddressReleased').slice(-2).map((l) => (l.event as { ip: string }).ip).sort();
    expect(last).toEqual(['10.0.0.3', '10.0.1.6']);
  });

  it('--force on a manager does the same', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1', 'm2', 'm3'] }, 'network create -d overlay mynet\nservice create -d --name web --network mynet --constraint node.hostname==m2 -p 8080:80 nginx\n');
    expect(await netns(c, 'm2')).toContain(await lbNsOf(c, 'mynet'));
    await given(c, '--on m2 swarm leave --force\n');
    expect(await netns(c, 'm2')).toEqual([]);
    expect(await netNames(c, 'm2')).toEqual(['bridge', 'docker_gwbridge', 'host', 'none']);
  });
});
