/**
 * Swarm networking on the nodes (seeds 000–002): the ingress namespace and ingress_sbox every node
 * gets at init/join, overlays instantiated on demand (`1-<id[:10]>` with br0 and vxlan0), a task's
 * interfaces and routes exactly as seed 001 prints them, --internal, MTUs (moby
 * daemon/libnetwork/drivers/overlay ov_network.go maxMTU), service VIPs (swarmkit
 * manager/allocator/network.go), and the embedded DNS (libnetwork service_common.go).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, given, ifaces, log, netInspect, netns, nsIfaces, nslookup, overlayNsOf, sharedNetns, swarm, taskNodes, vips } from './support.js';

const cli = clis();

/** A network's load-balancer sandbox: "lb_" + the first 9 characters of its ID. */
async function lbNsOf(c: TestCli, net: string): Promise<string> {
  return `lb_${(await netInspect(c, net)).Id.slice(0, 9)}`;
}

describe('after swarm init and join, every node', () => {
  let c: TestCli;
  let ingressNs: string;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] });
    ingressNs = await overlayNsOf(c, 'ingress');
  });

  it('has the ingress namespace 1-<first 10 characters of the ingress ID> and ingress_sbox, nothing else', async () => {
    expect(ingressNs).toMatch(/^1-[0-9a-z]{10}$/);
    for (const h of ['m1', 'w1', 'w2']) expect(await netns(c, h)).toEqual([ingressNs, 'ingress_sbox']);
  });

  it('ingress_sbox: eth0 on ingress with the node’s address (MTU 1450), eth1 172.18.0.2 on docker_gwbridge', async () => {
    const want: Record<string, string> = { m1: '10.0.0.2', w1: '10.0.0.3', w2: '10.0.0.4' };
    for (const h of ['m1', 'w1', 'w2']) {
      const [eth0, eth1, ...rest] = await nsIfaces(c, h, 'ingress_sbox');
      expect(rest).toEqual([]);
      const ip = want[h]!;
      const mac = `02:42:${ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0')).join(':')}`;
      expect({ ...eth0!, index: 0, peer: 0 }).toEqual({ index: 0, name: 'eth0', peer: 0, mtu: 1450, master: '', mac, inet: [`${ip}/24`], vxlanId: null });
      expect({ ...eth1!, index: 0, peer: 0 }).toEqual({ index: 0, name: 'eth1', peer: 0, mtu: 1500, master: '', mac: '02:42:ac:12:00:02', inet: ['172.18.0.2/16'], vxlanId: null });
      expect(await c.ok('--on', h, 'nsenter', '--net=/var/run/docker/netns/ingress_sbox', 'ip', 'route'))
        .toBe(`default via 172.18.0.1 dev eth1 \n10.0.0.0/24 dev eth0 scope link  src ${ip} \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.2 \n`);
    }
  });

  it('the ingress namespace: br0 = 10.0.0.1/24, vxlan0 (VNI 4096) and veth0 enslaved to br0, veth0 paired with ingress_sbox’s eth0', async () => {
    for (const h of ['m1', 'w1']) {
      const ifs = await nsIfaces(c, h, ingressNs);
      expect(ifs.map((i) => [i.name, i.mtu, i.master, i.inet, i.vxlanId])).toEqual([
        ['br0', 1450, '', ['10.0.0.1/24'], null],
        ['vxlan0', 1450, 'br0', [], 4096],
        ['veth0', 1450, 'br0', [], null],
      ]);
      const sboxEth0 = (await nsIfaces(c, h, 'ingress_sbox')).find((i) => i.name === 'eth0')!;
      const veth0 = ifs.find((i) => i.name === 'veth0')!;
      expect(veth0.peer).toBe(sboxEth0.index);
      expect(sboxEth0.peer).toBe(veth0.index);
    }
  });

  it('the host: docker0, docker_gwbridge 172.18.0.1/16 and the veth of ingress_sbox’s eth1 enslaved to it', async () => {
    const host = await c.ok('--on', 'w1', 'ip', 'a');
    expect(host).toMatch(/^\d+: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue \n.*\n {4}inet 172\.17\.0\.1\/16 brd 172\.17\.255\.255 scope global docker0$/m);
    expect(host).toMatch(/^\d+: docker_gwbridge: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue \n.*\n {4}inet 172\.18\.0\.1\/16 brd 172\.18\.255\.255 scope global docker_gwbridge$/m);
    const eth1 = (await nsIfaces(c, 'w1', 'ingress_sbox')).find((i) => i.name === 'eth1')!;
    expect(host).toMatch(new RegExp(`^${eth1.peer}: veth[0-9a-f]{7}@if${eth1.index}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue master docker_gwbridge $`, 'm'));
    expect(await c.ok('--on', 'w1', 'ip', 'route')).toContain('172.18.0.0/16 dev docker_gwbridge scope link  src 172.18.0.1 \n');
  });

  it('a node that joins later gets the same set-up, with the next ingress address', async () => {
    const d = cli();
    await swarm(d, { managers: ['m1'] }, 'network create -d overlay mynet\nservice create -d --name s --network mynet nginx\nhost add late\n--on late swarm join --token $(swarm join-token -q worker) m1:2377\n');
    expect(await sharedNetns(d, 'late')).toEqual([await overlayNsOf(d, 'ingress'), 'ingress_sbox']);
    // m1 has .2; s publishes no port, so it took no ingress address: the new node gets .3.
    expect((await nsIfaces(d, 'late', 'ingress_sbox')).find((i) => i.name === 'eth0')!.inet).toEqual(['10.0.0.3/24']);
  });
});

describe('overlays on demand', () => {
  it('a node has an overlay’s namespace only while a task using it runs there; it goes with the last one', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'network create -d overlay mynet\n');
    const ingressNs = await overlayNsOf(c, 'ingress');
    const ns = await overlayNsOf(c, 'mynet');
    const lb = await lbNsOf(c, 'mynet');
    for (const h of ['m1', 'w1', 'w2']) expect(await sharedNetns(c, h)).toEqual([ingressNs, 'ingress_sbox']);
    await given(c, 'service create -d --name web --replicas 2 --network mynet --constraint node.hostname==w1 nginx\n');
    // The network comes with its load-balancer sandbox lb_<id[:9]>.
    expect(await sharedNetns(c, 'w1')).toEqual([ingressNs, ns, 'ingress_sbox', lb]);
    expect(await sharedNetns(c, 'w2')).toEqual([ingressNs, 'ingress_sbox']);
    expect(await sharedNetns(c, 'm1')).toEqual([ingressNs, 'ingress_sbox']);
    // br0 with the gateway, vxlan0 with VNI 4097, veth0 for the load-balancer sandbox (made first, with
    // the network), and one veth per local task, paired with its eth0.
    const ifs = await nsIfaces(c, 'w1', ns);
    expect(ifs.map((i) => [i.name, i.mtu, i.master, i.inet, i.vxlanId])).toEqual([
      ['br0', 1450, '', ['10.0.1.1/24'], null], ['vxlan0', 1450, 'br0', [], 4097], ['veth0', 1450, 'br0', [], null], ['veth1', 1450, 'br0', [], null], ['veth2', 1450, 'br0', [], null],
    ]);
    expect((await nsIfaces(c, 'w1', lb))[0]!.peer).toBe(ifs[2]!.index);
    const eth0s = [(await ifaces(c, 'web.1'))[0]!, (await ifaces(c, 'web.2'))[0]!];
    expect(eth0s.map((e) => e.peer).sort()).toEqual([ifs[3]!.index, ifs[4]!.index].sort());
    // Each task's own namespace is listed too, named by its container ID's first 12 characters.
    expect((await netns(c, 'w1')).filter((n) => /^[0-9a-f]{12}$/.test(n))).toHaveLength(2);
    await given(c, 'service scale web=1\n');
    expect((await nsIfaces(c, 'w1', ns)).map((i) => i.name)).toEqual(['br0', 'vxlan0', 'veth0', expect.stringMatching(/^veth[12]$/)]);
    await given(c, 'service scale web=0\n');
    expect(await netns(c, 'w1')).toEqual([ingressNs, 'ingress_sbox']);
    await given(c, 'service scale web=1\nservice rm web\n');
    expect(await netns(c, 'w1')).toEqual([ingressNs, 'ingress_sbox']);
  });

  it('Peers of an overlay: the nodes that have it', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'network create -d overlay mynet\nservice create -d --name web --network mynet --constraint node.hostname==w2 nginx\n');
    expect((await netInspect(c, 'mynet')).Peers.map((p: { IP: string }) => p.IP)).toEqual(['192.168.99.102']);
    expect((await netInspect(c, 'ingress')).Peers.map((p: { IP: string }) => p.IP)).toEqual(['192.168.99.100', '192.168.99.101', '192.168.99.102']);
    // A crashed node is no networkdb peer any more.
    await given(c, 'host crash w2\n');
    expect((await netInspect(c, 'mynet')).Peers).toEqual([]);
    expect((await netInspect(c, 'ingress')).Peers.map((p: { IP: string }) => p.IP)).toEqual(['192.168.99.100', '192.168.99.101']);
  });
});

describe('a task’s interfaces and routes (seed 001)', () => {
  it('eth0@ifN mtu 1450 on the overlay (MAC 02:42:<ip bytes>), eth1 mtu 1500 on docker_gwbridge, default via 172.18.0.1', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay mynet\nservice create -d --name web --network mynet nginx\n');
    const out = await c.ok('exec', 'web.1', 'ip', 'addr');
    const m = /^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n {4}link\/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n {4}inet 127\.0\.0\.1\/8 scope host lo\n {7}valid_lft forever preferred_lft forever\n(\d+): eth0@if(\d+): <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1450 qdisc noqueue \n {4}link\/ether 02:42:0a:00:01:03 brd ff:ff:ff:ff:ff:ff\n {4}inet 10\.0\.1\.3\/24 brd 10\.0\.1\.255 scope global eth0\n {7}valid_lft forever preferred_lft forever\n(\d+): eth1@if(\d+): <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n {4}link\/ether 02:42:ac:12:00:03 brd ff:ff:ff:ff:ff:ff\n {4}inet 172\.18\.0\.3\/16 brd 172\.18\.255\.255 scope global eth1\n {7}valid_lft forever preferred_lft forever\n$/.exec(out);
    expect(m, out).not.toBeNull();
    // veth pairs: each inside index is followed by its peer's (seed 001: 21: eth0@if22, 23: eth1@if24).
    expect(Number(m![2])).toBe(Number(m![1]) + 1);
    expect(Number(m![4])).toBe(Number(m![3]) + 1);
    expect(await c.ok('exec', 'web.1', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.3 \n');
    // The gwbridge leg shows in docker_gwbridge's inspect under the task's container.
    const gw = await netInspect(c, 'docker_gwbridge');
    expect(Object.values(gw.Containers).map((e) => (e as { IPv4Address: string }).IPv4Address).sort()).toEqual(['172.18.0.2/16', '172.18.0.3/16']);
  });

  it('one VethCreated per interface; the connected routes are the kernel’s (not recorded), shown by ip route and gone with the interface', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --attachable mynet\nservice create -d --name web --network mynet nginx\nrun -d --name c1 --network mynet busybox\nnetwork create br\nnetwork connect br c1\n');
    const sandbox = (await c.ok('inspect', '--format', '{{.Id}}', 'c1')).trim().slice(0, 12);
    const events = await log(c, 'VethCreated', 'LinkCreated', 'RouteAdded', 'RouteRemoved');
    // web.1's two interfaces, each pair one event: the inside end in the task's sandbox, its peer
    // enslaved to br0 in the overlay's namespace, or to docker_gwbridge in the root namespace.
    const web = (await log(c, 'EndpointCreated')).map((l) => l.event as { sandbox: string; containerId: string; ifName: string }).find((e) => e.containerId && e.ifName === 'eth1' && e.sandbox !== sandbox)!.sandbox;
    const pairs = events.filter((l) => l.type === 'VethCreated').map((l) => l.event as { inner: { netns: string; name: string; ifIndex: number }; outer: { netns: string; master: string; ifIndex: number } });
    const legs = pairs.filter((p) => p.inner.netns === web);
    expect(legs.map((p) => `${p.inner.name} ${p.outer.netns === '' ? 'root' : p.outer.netns.slice(0, 2)} ${p.outer.master}`)).toEqual(['eth0 1- br0', 'eth1 root docker_gwbridge']);
    for (const p of legs) expect(p.outer.ifIndex).toBe(p.inner.ifIndex + 1);
    expect(events.filter((l) => l.type === 'LinkCreated' && (l.event as { kind: string }).kind === 'veth')).toEqual([]);
    // Only default routes are recorded (the host's, ingress_sbox's, web.1's, c1's gwbridge then br legs).
    expect(events.filter((l) => l.type === 'RouteAdded').map((l) => { const r = l.event as { netns: string; dst: string }; return `${r.dst} ${r.netns === web ? 'web.1' : r.netns === sandbox ? 'c1' : r.netns || 'root'}`; }))
      .toEqual(['default root', 'default ingress_sbox', 'default web.1', 'default c1', 'default c1']);
    expect(await c.ok('exec', 'web.1', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.3 \n');
    // c1 on mynet and br: br's leg took the place of the docker_gwbridge one, with the default route.
    expect(await c.ok('exec', 'c1', 'ip', 'route')).toBe('default via 172.19.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.5 \n172.19.0.0/16 dev eth1 scope link  src 172.19.0.2 \n');
    const before = (await log(c)).length;
    await given(c, 'network disconnect br c1\n');
    // br's leg goes: its subnet route with its interface (only the default route is a RouteRemoved);
    // the docker_gwbridge leg is back.
    expect(await c.ok('exec', 'c1', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.5 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.4 \n');
    const removed = (await log(c, 'RouteRemoved')).filter((l) => l.seq > before).map((l) => l.event as { netns: string; dst: string; dev: string });
    expect(removed).toEqual([{ type: 'RouteRemoved', host: 'm1', netns: sandbox, dst: 'default', dev: 'eth1' }]);
    await given(c, 'network disconnect mynet c1\n');
    expect(await c.ok('exec', 'c1', 'ip', 'route')).toBe('');
  });

  it('one interface per network in --network order (ingress first when publishing), then the gwbridge leg', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay a\nnetwork create -d overlay b\nservice create -d --name web --network b --network a -p 8080:80 nginx\n');
    const ifs = await ifaces(c, 'web.1');
    expect(ifs.map((i) => `${i.name} ${i.mtu} ${i.inet[0]}`)).toEqual(['eth0 1450 10.0.0.4/24', 'eth1 1450 10.0.2.3/24', 'eth2 1450 10.0.1.3/24', 'eth3 1500 172.18.0.3/16']);
    expect(await c.ok('exec', 'web.1', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth3 \n10.0.0.0/24 dev eth0 scope link  src 10.0.0.4 \n10.0.1.0/24 dev eth2 scope link  src 10.0.1.3 \n10.0.2.0/24 dev eth1 scope link  src 10.0.2.3 \n172.18.0.0/16 dev eth3 scope link  src 172.18.0.3 \n');
  });

  it('--internal: no gwbridge leg and no default route; mixed with a non-internal overlay, the leg is back', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --internal priv\nnetwork create -d overlay pub\nservice create -d --name p --network priv nginx\nservice create -d --name q --network priv --network pub nginx\n');
    expect((await ifaces(c, 'p.1')).map((i) => `${i.name} ${i.inet[0]}`)).toEqual(['eth0 10.0.1.3/24']);
    expect(await c.ok('exec', 'p.1', 'ip', 'route')).toBe('10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n');
    // priv: p's VIP .2, its task .3, m1's load-balancer address .4, q's VIP .5, q's task .6.
    expect((await ifaces(c, 'q.1')).map((i) => `${i.name} ${i.inet[0]}`)).toEqual(['eth0 10.0.1.6/24', 'eth1 10.0.2.3/24', 'eth2 172.18.0.3/16']);
    const gw = await netInspect(c, 'docker_gwbridge');
    expect(Object.values(gw.Containers).map((e) => (e as { Name: string }).Name).sort()).toEqual([expect.stringMatching(/^gateway_[0-9a-f]{12}$/), 'gateway_ingress-sbox']);
    expect(Object.keys(gw.Containers)).toHaveLength(2);
  });

  it('MTU: --opt encrypted gives 1424, -o com.docker.network.driver.mtu=1400 gives 1350, on the task and in the namespace', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --opt encrypted sec\nnetwork create -d overlay -o com.docker.network.driver.mtu=1400 small\nnetwork create -d overlay -o com.docker.network.driver.mtu=1400 --opt encrypted both\nservice create -d --name s --network sec --network small --network both nginx\n');
    expect((await ifaces(c, 's.1')).map((i) => `${i.name} ${i.mtu}`)).toEqual(['eth0 1424', 'eth1 1350', 'eth2 1324', 'eth3 1500']);
    // veth0 is the load-balancer sandbox's, veth1 the task's.
    expect((await nsIfaces(c, 'm1', await overlayNsOf(c, 'sec'))).map((i) => `${i.name} ${i.mtu}`)).toEqual(['br0 1424', 'vxlan0 1424', 'veth0 1424', 'veth1 1424']);
    expect((await nsIfaces(c, 'm1', await overlayNsOf(c, 'small'))).map((i) => `${i.name} ${i.mtu}`)).toEqual(['br0 1350', 'vxlan0 1350', 'veth0 1350', 'veth1 1350']);
    expect((await nsIfaces(c, 'm1', await lbNsOf(c, 'small'))).map((i) => `${i.name} ${i.mtu}`)).toEqual(['eth0 1350']);
  });
});

describe('service VIPs (Endpoint.VirtualIPs)', () => {
  it('ingress first when a port is published, then each --network in order; none without networks or ports', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay a\nnetwork create -d overlay b\nservice create -d --name pub --network b --network a -p 80:80 nginx\nservice create -d --name plain nginx\nservice create -d --name onlya --network a nginx\n');
    expect(await vips(c, 'pub')).toEqual([['ingress', '10.0.0.3/24'], ['b', '10.0.2.2/24'], ['a', '10.0.1.2/24']]);
    expect(await vips(c, 'plain')).toEqual([]);
    expect(await c.ok('service', 'inspect', 'plain', '--format', '{{json .Endpoint.VirtualIPs}}')).toBe('null\n');
    // pub's task took a's .3, then m1 its load-balancer address on b (.4) and on a (.4), in the task's
    // network order (swarmkit getNodeNetworks): onlya's VIP is a's .5.
    expect(await vips(c, 'onlya')).toEqual([['a', '10.0.1.5/24']]);
  });

  it('--endpoint-mode dnsrr: no VIP at all; host-mode ports do not join the ingress', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay a\nservice create -d --name rr --endpoint-mode dnsrr --network a nginx\nservice create -d --name hm --network a --publish published=9090,target=80,mode=host nginx\n');
    expect(await vips(c, 'rr')).toEqual([]);
    // rr.1 took 10.0.1.2 (no VIP before it), m1 its load-balancer address .3; hm's VIP is .4, its task
    // .5; no ingress interface.
    expect(await vips(c, 'hm')).toEqual([['a', '10.0.1.4/24']]);
    expect((await ifaces(c, 'rr.1')).map((i) => i.inet[0])).toEqual(['10.0.1.2/24', '172.18.0.3/16']);
    expect((await ifaces(c, 'hm.1')).map((i) => i.inet[0])).toEqual(['10.0.1.5/24', '172.18.0.4/16']);
    expect(await c.ok('service', 'ls', '--format', '{{.Name}} [{{.Ports}}]')).toBe('hm []\nrr []\n');
  });

  it('publishing later appends the ingress VIP after the existing ones (swarmkit allocateService)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay a\nservice create -d --name web --network a nginx\nservice update -d --publish-add 8080:80 web\n');
    expect(await vips(c, 'web')).toEqual([['a', '10.0.1.2/24'], ['ingress', '10.0.0.3/24']]);
    // --publish-rm names the target port (docker/cli update.go updatePorts).
    await given(c, 'service update -d --publish-rm 80 web\n');
    expect(await vips(c, 'web')).toEqual([['a', '10.0.1.2/24']]);
  });
});

describe('the embedded DNS', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'network create -d overlay front', 'network create -d overlay back',
      'service create -d --name api --replicas 2 --network back nginx',
      'service create -d --name db --replicas 2 --endpoint-mode dnsrr --network back nginx',
      'service create -d --name ui --network front nginx',
      'service create -d --name gw --network front --network back -p 80:80 nginx',
      'service create -d --name edge -p 81:80 nginx',
    ].join('\n') + '\n');
  });

  it('SERVICE answers its VIP on the network asked from; tasks.SERVICE every task address', async () => {
    expect(await nslookup(c, 'gw.1', 'api')).toEqual(['10.0.2.2']);
    expect(await nslookup(c, 'gw.1', 'tasks.api')).toEqual(['10.0.2.3', '10.0.2.4']);
    expect(await nslookup(c, 'gw.1', 'ui')).toEqual(['10.0.1.2']);
    // Each node's load-balancer address on an overlay comes after the addresses of the tasks that
    // brought the overlay there: back .5 and .6 after api's tasks, front .4 after ui's, .7 after gw's.
    expect(await nslookup(c, 'api.1', 'gw')).toEqual(['10.0.2.9']);
    expect(await nslookup(c, 'ui.1', 'gw')).toEqual(['10.0.1.5']);
    const r = await c.run('exec', 'gw.1', 'nslookup', 'tasks.api');
    expect(r.stdout).toBe('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\ttasks.api\nAddress: 10.0.2.4\nName:\ttasks.api\nAddress: 10.0.2.3\n\n');
  });

  it('dnsrr: the service name answers the task addresses', async () => {
    expect(await nslookup(c, 'api.1', 'db')).toEqual(['10.0.2.7', '10.0.2.8']);
    expect(await nslookup(c, 'api.1', 'tasks.db')).toEqual(['10.0.2.7', '10.0.2.8']);
  });

  it('<service>.<slot>.<task ID> names one task', async () => {
    const rows = (await c.ok('service', 'ps', 'api', '--no-trunc', '--format', 'json')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ID: string; Name: string });
    expect(rows).toHaveLength(2);
    const answers: string[] = [];
    for (const r of rows) answers.push(`${r.Name} ${(await nslookup(c, 'gw.1', `${r.Name}.${r.ID}`)).join(',')}`);
    expect(answers.sort()).toEqual(['api.1 10.0.2.3', 'api.2 10.0.2.4']);
  });

  it('names resolve only on shared networks; the ingress carries none', async () => {
    expect(await nslookup(c, 'ui.1', 'api')).toEqual([]);
    expect(await nslookup(c, 'api.1', 'ui')).toEqual([]);
    expect(await nslookup(c, 'ui.1', 'tasks.db')).toEqual([]);
    // edge and gw share only the ingress: no names there. edge still asks the embedded server (the
    // resolver is off only on bridge/host/none: moby daemon/network.go CreateOptionDisableResolution).
    expect(await nslookup(c, 'gw.1', 'edge')).toEqual([]);
    expect(await nslookup(c, 'edge.1', 'edge')).toEqual([]);
    const r = await c.run('exec', 'edge.1', 'nslookup', 'gw');
    expect(r.stdout).toBe('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n');
    expect(r.stderr).toBe("Error: ** server can't find gw: NXDOMAIN\n");
  });

  it('a replacement task’s new address replaces the old one in tasks.SERVICE', async () => {
    const d = cli();
    await swarm(d, { managers: ['m1'] }, 'network create -d overlay back\nservice create -d --name api --replicas 2 --network back nginx\nservice create -d --name cli --network back nginx\n');
    expect(await nslookup(d, 'cli.1', 'tasks.api')).toEqual(['10.0.1.3', '10.0.1.4']);
    const nodes = await taskNodes(d, 'api');
    expect(Object.keys(nodes).sort()).toEqual(['api.1', 'api.2']);
    const t1 = (await d.ok('service', 'ps', 'api', '-q', '--filter', 'name=api.1')).trim();
    await given(d, `task fail ${t1}\n`);
    expect(await nslookup(d, 'cli.1', 'tasks.api')).toEqual(['10.0.1.4']);
    await given(d, 'advance 5s\n');
    // .5 is m1's load-balancer address on back, .6 cli's VIP, .7 its task: the replacement takes .8.
    expect(await nslookup(d, 'cli.1', 'tasks.api')).toEqual(['10.0.1.4', '10.0.1.8']);
    expect(await nslookup(d, 'cli.1', 'api')).toEqual(['10.0.1.2']);
  });
});

describe('standalone containers on an --attachable overlay', () => {
  it('get an address from the swarm network, its namespace, a gwbridge leg, and names both ways', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay --attachable att\nservice create -d --name web --network att --constraint node.hostname==w1 nginx\n--on m1 run -d --name c1 --network att busybox\n');
    // web's VIP .2, its task .3 and w1's load-balancer address .4 came first: serial allocation hands c1
    // the next one, then m1 gets its load-balancer address (.6) for c1's attachment.
    expect((await ifaces(c, 'c1', 'm1')).map((i) => `${i.name} ${i.mtu} ${i.mac} ${i.inet[0]}`)).toEqual(['eth0 1450 02:42:0a:00:01:05 10.0.1.5/24', 'eth1 1500 02:42:ac:12:00:03 172.18.0.3/16']);
    expect(await c.ok('--on', 'm1', 'exec', 'c1', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.5 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.3 \n');
    expect(await sharedNetns(c, 'm1')).toEqual([await overlayNsOf(c, 'att'), await overlayNsOf(c, 'ingress'), 'ingress_sbox', await lbNsOf(c, 'att')].sort());
    const r = await c.run('--on', 'm1', 'exec', 'c1', 'nslookup', 'web');
    expect(r.stdout).toContain('Name:\tweb\nAddress: 10.0.1.2\n');
    expect(await nslookup(c, 'web.1', 'c1')).toEqual(['10.0.1.5']);
    const att = await netInspect(c, 'att', 'm1');
    expect(Object.values(att.Containers).map((e) => { const x = e as { Name: string; IPv4Address: string }; return `${x.Name} ${x.IPv4Address}`; }).sort()).toEqual(['att-endpoint 10.0.1.6/24', 'c1 10.0.1.5/24']);
    // Gone with the container: the address is not reused (serial), the namespace leaves m1.
    await given(c, '--on m1 rm -f c1\n--on m1 run -d --name c2 --network att busybox\n');
    expect((await ifaces(c, 'c2', 'm1'))[0]!.inet).toEqual(['10.0.1.7/24']);
    await given(c, '--on m1 rm -f c2\n');
    expect(await sharedNetns(c, 'm1')).toEqual([await overlayNsOf(c, 'ingress'), 'ingress_sbox']);
  });

  it('an internal attachable overlay gives no gwbridge leg; connecting a bridge moves the default route to it', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --attachable --internal priv\nnetwork create -d overlay --attachable att\nrun -d --name c1 --network priv busybox\nrun -d --name c2 --network att busybox\nnetwork create br\nnetwork connect br c2\n');
    expect(await c.ok('exec', 'c1', 'ip', 'route')).toBe('10.0.1.0/24 dev eth0 scope link  src 10.0.1.2 \n');
    expect((await ifaces(c, 'c2')).map((i) => i.inet[0])).toEqual(['10.0.2.2/24', '172.19.0.2/16']);
    expect(await c.ok('exec', 'c2', 'ip', 'route')).toBe('default via 172.19.0.1 dev eth1 \n10.0.2.0/24 dev eth0 scope link  src 10.0.2.2 \n172.19.0.0/16 dev eth1 scope link  src 172.19.0.2 \n');
  });
});
