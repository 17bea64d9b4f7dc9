/**
 * IPAM as libnetwork and swarmkit do it. Pure tests of src/net/ipam.ts (pools, first-fit, serial and
 * lowest-free addresses, MACs), then the same rules seen through the CLI: local pools in ipamutils'
 * order (moby daemon/libnetwork/ipamutils/utils.go), the global pool in /24s and `swarm init
 * --default-addr-pool`, serial allocation on swarm networks (setIPAMSerialAlloc in
 * daemon/libnetwork/cnmallocator), lowest-free with reuse on local bridges, explicit
 * --subnet/--gateway/--ip-range, and VNIs from 4096 (drivers/overlay/ovmanager).
 */
import { describe, expect, it } from 'vitest';
import { cidrSize, cidrString, contains, firstFit, globalPools, localPools, macOf, nextAddress, overlaps, parseCidr, ipToInt, intToIp, type Cidr, type PoolState } from '../../src/net/ipam.js';
import { overlayMtu } from '../../src/net/overlay.js';
import type { Network } from '../../src/state/types.js';
import { clis, given, ifaces, log, netInspect, nsIfaces, overlayNsOf, refused, subnetOf, swarm, taskNodes, vips } from './support.js';

const cli = clis();
const C = (s: string): Cidr => parseCidr(s)!;
const take = <T>(it: Iterable<T>, n: number): T[] => {
  const out: T[] = [];
  for (const x of it) {
    if (out.length === n) break;
    out.push(x);
  }
  return out;
};

/** Allocates `n` addresses in a row from a pool, the way NetPlan does (cursor carried along). */
function allocMany(subnet: string, n: number, serial: boolean, used: Set<number>, pool: PoolState = { next: 0, released: [] }, range?: string): { ips: string[]; pool: PoolState } {
  const ips: string[] = [];
  let p = pool;
  for (let i = 0; i < n; i++) {
    const r = nextAddress(C(subnet), range ? C(range) : null, p, serial, (o) => used.has(o));
    if (!r) break;
    used.add(r.ip);
    ips.push(intToIp(r.ip));
    p = r.pool;
  }
  return { ips, pool: p };
}

describe('src/net/ipam.ts (pure)', () => {
  it('local pools come in ipamutils order: 172.17, 172.18, 172.19, 172.20–31 as /16s, then 192.168/16 as /20s', () => {
    const all = [...localPools()].map(cidrString);
    expect(all).toHaveLength(3 + 12 + 16);
    expect(all.slice(0, 16)).toEqual([
      '172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16', '172.20.0.0/16', '172.21.0.0/16', '172.22.0.0/16', '172.23.0.0/16',
      '172.24.0.0/16', '172.25.0.0/16', '172.26.0.0/16', '172.27.0.0/16', '172.28.0.0/16', '172.29.0.0/16', '172.30.0.0/16',
      '172.31.0.0/16', '192.168.0.0/20',
    ]);
    expect(all.slice(15, 18)).toEqual(['192.168.0.0/20', '192.168.16.0/20', '192.168.32.0/20']);
    expect(all[all.length - 1]).toBe('192.168.240.0/20');
  });

  it('the global pool is 10.0.0.0/8 in /24s, or each --default-addr-pool split by the mask length', () => {
    expect(take(globalPools(['10.0.0.0/8'], 24), 3).map(cidrString)).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    expect([...globalPools(['10.0.0.0/8'], 24)]).toHaveLength(65536);
    expect([...globalPools(['10.20.0.0/24', '10.30.0.0/16'], 26)].slice(0, 6).map(cidrString))
      .toEqual(['10.20.0.0/26', '10.20.0.64/26', '10.20.0.128/26', '10.20.0.192/26', '10.30.0.0/26', '10.30.0.64/26']);
  });

  it('first-fit takes the lowest block overlapping nothing in use, and a freed block is taken again', () => {
    const used = [C('10.0.0.0/24'), C('10.0.2.0/24')];
    expect(cidrString(firstFit(globalPools(['10.0.0.0/8'], 24), used)!)).toBe('10.0.1.0/24');
    // A user subnet that straddles several /24s blocks them all.
    expect(cidrString(firstFit(globalPools(['10.0.0.0/8'], 24), [C('10.0.0.0/22')])!)).toBe('10.0.4.0/24');
    // docker0 holds 172.17/16; a user network took 172.18/16 before docker_gwbridge: the gwbridge gets 172.19.
    expect(cidrString(firstFit(localPools(), [C('172.17.0.0/16'), C('172.18.0.0/16')])!)).toBe('172.19.0.0/16');
    expect(firstFit(globalPools(['10.20.0.0/30'], 30), [C('10.20.0.0/30')])).toBeNull();
  });

  it('overlaps / contains / cidrSize', () => {
    expect(overlaps(C('10.0.0.0/16'), C('10.0.5.0/24'))).toBe(true);
    expect(overlaps(C('10.0.5.0/24'), C('10.0.0.0/16'))).toBe(true);
    expect(overlaps(C('10.0.0.0/24'), C('10.0.1.0/24'))).toBe(false);
    expect(contains(C('172.18.0.0/16'), ipToInt('172.18.255.255'))).toBe(true);
    expect(contains(C('172.18.0.0/16'), ipToInt('172.19.0.0'))).toBe(false);
    expect(cidrSize(C('10.0.0.0/24'))).toBe(256);
  });

  it('serial (swarm networks): the next free address after the last one handed out; a released one waits for the wrap', () => {
    const used = new Set([ipToInt('10.0.1.1')]); // the gateway
    const first = allocMany('10.0.1.0/24', 3, true, used);
    expect(first.ips).toEqual(['10.0.1.2', '10.0.1.3', '10.0.1.4']);
    used.delete(ipToInt('10.0.1.3'));
    expect(allocMany('10.0.1.0/24', 2, true, used, first.pool).ips).toEqual(['10.0.1.5', '10.0.1.6']);
    // At the end of the subnet the cursor wraps (never the network or broadcast address) and reuses .3.
    const tiny = new Set([ipToInt('10.9.0.1')]);
    const a = allocMany('10.9.0.0/29', 5, true, tiny);
    expect(a.ips).toEqual(['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
    tiny.delete(ipToInt('10.9.0.3'));
    tiny.delete(ipToInt('10.9.0.5'));
    expect(allocMany('10.9.0.0/29', 3, true, tiny, a.pool).ips).toEqual(['10.9.0.3', '10.9.0.5']);
  });

  it('serial within an --ip-range: from the range’s first address to its last', () => {
    const used = new Set([ipToInt('10.5.0.1')]);
    const r = allocMany('10.5.0.0/16', 3, true, used, undefined, '10.5.1.0/24');
    expect(r.ips).toEqual(['10.5.1.0', '10.5.1.1', '10.5.1.2']);
    const end = allocMany('10.5.0.0/16', 2, true, new Set(), { next: ipToInt('10.5.1.255'), released: [] }, '10.5.1.0/24');
    expect(end.ips).toEqual(['10.5.1.255', '10.5.1.0']);
  });

  it('lowest free (local bridges): released addresses are reused, lowest first', () => {
    const used = new Set([ipToInt('172.19.0.1')]);
    const a = allocMany('172.19.0.0/16', 4, false, used);
    expect(a.ips).toEqual(['172.19.0.2', '172.19.0.3', '172.19.0.4', '172.19.0.5']);
    used.delete(ipToInt('172.19.0.4'));
    used.delete(ipToInt('172.19.0.3'));
    const pool = { next: a.pool.next, released: [ipToInt('172.19.0.4'), ipToInt('172.19.0.3')] };
    expect(allocMany('172.19.0.0/16', 3, false, used, pool).ips).toEqual(['172.19.0.3', '172.19.0.4', '172.19.0.6']);
  });

  it('a full pool answers null', () => {
    const used = new Set([ipToInt('10.9.0.1')]);
    expect(allocMany('10.9.0.0/30', 5, true, used).ips).toEqual(['10.9.0.2']);
    expect(nextAddress(C('10.9.0.0/30'), null, { next: 0, released: [] }, false, (o) => o === ipToInt('10.9.0.1') || o === ipToInt('10.9.0.2'))).toBeNull();
  });

  it('MAC addresses are 02:42 + the four IPv4 bytes', () => {
    expect(macOf('10.0.0.5')).toBe('02:42:0a:00:00:05');
    expect(macOf('10.0.1.3')).toBe('02:42:0a:00:01:03');
    expect(macOf('172.18.0.3')).toBe('02:42:ac:12:00:03');
    expect(macOf('192.168.255.254')).toBe('02:42:c0:a8:ff:fe');
  });

  it('overlay MTU: 1500 − 50, encrypted −26 more rounded down to 4, -o com.docker.network.driver.mtu sets the base', () => {
    const n = (options: Record<string, string>) => ({ options }) as unknown as Network;
    expect(overlayMtu(n({}))).toBe(1450);
    expect(overlayMtu(n({ encrypted: '' }))).toBe(1424);
    expect(overlayMtu(n({ 'com.docker.network.driver.mtu': '1400' }))).toBe(1350);
    expect(overlayMtu(n({ 'com.docker.network.driver.mtu': '1200' }))).toBe(1150);
    expect(overlayMtu(n({ 'com.docker.network.driver.mtu': '1201', encrypted: '' }))).toBe(1124);
    // Seed 004's `com.docker.network.mtu` is not a key libnetwork reads.
    expect(overlayMtu(n({ 'com.docker.network.mtu': '1200' }))).toBe(1450);
  });
});

describe('local subnets through the CLI', () => {
  it('docker0 is 172.17.0.0/16; without a swarm the first user bridge takes 172.18, with one docker_gwbridge has it', async () => {
    const c = cli();
    await given(c, 'host add h1\nhost add m1\n--on h1 network create a\n');
    expect(await subnetOf(c, 'bridge', 'h1')).toBe('172.17.0.0/16 gw 172.17.0.1');
    expect(await subnetOf(c, 'a', 'h1')).toBe('172.18.0.0/16 gw 172.18.0.1');
    await given(c, '--on m1 swarm init\n--on m1 network create b\n--on m1 network create c\n');
    expect(await subnetOf(c, 'bridge', 'm1')).toBe('172.17.0.0/16 gw 172.17.0.1');
    expect(await subnetOf(c, 'docker_gwbridge', 'm1')).toBe('172.18.0.0/16 gw 172.18.0.1');
    expect(await subnetOf(c, 'b', 'm1')).toBe('172.19.0.0/16 gw 172.19.0.1');
    expect(await subnetOf(c, 'c', 'm1')).toBe('172.20.0.0/16 gw 172.20.0.1');
    // Local pools are per host: h1's next bridge is 172.19, unaffected by m1's.
    await given(c, '--on h1 network create d\n');
    expect(await subnetOf(c, 'd', 'h1')).toBe('172.19.0.0/16 gw 172.19.0.1');
  });

  it('a bridge made before swarm init pushes docker_gwbridge to the next free block', async () => {
    const c = cli();
    await given(c, 'host add m1\n--on m1 network create early\n--on m1 swarm init\n');
    expect(await subnetOf(c, 'early', 'm1')).toBe('172.18.0.0/16 gw 172.18.0.1');
    expect(await subnetOf(c, 'docker_gwbridge', 'm1')).toBe('172.19.0.0/16 gw 172.19.0.1');
    const sbox = await nsIfaces(c, 'm1', 'ingress_sbox');
    expect(sbox.find((i) => i.name === 'eth1')!.inet).toEqual(['172.19.0.2/16']);
  });

  it('after the fifteen 172.16/12 blocks come 192.168.x.0/20s, skipping the host’s own on-link subnet', async () => {
    const c = cli();
    const names = Array.from({ length: 22 }, (_, i) => `n${i + 1}`);
    await given(c, `host add h1 --ip 192.168.99.10\n${names.map((n) => `network create ${n}`).join('\n')}\n`);
    const out = await c.ok('network', 'inspect', '--format', '{{.Name}} {{json .IPAM.Config}}', ...names);
    const subnets = out.trim().split('\n').map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1))[0].Subnet as string);
    expect(subnets).toEqual([
      ...Array.from({ length: 14 }, (_, i) => `172.${18 + i}.0.0/16`),
      '192.168.0.0/20', '192.168.16.0/20', '192.168.32.0/20', '192.168.48.0/20', '192.168.64.0/20', '192.168.80.0/20',
      // 192.168.96.0/20 holds the host's 192.168.99.0/24 (an on-link route: netutils.InferReservedNetworks).
      '192.168.112.0/20', '192.168.128.0/20',
    ]);
  });

  it('a removed bridge’s subnet is taken again by the next network (first-fit)', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create a\nnetwork create b\nnetwork create c\nnetwork rm b\nnetwork create d\n');
    expect(await subnetOf(c, 'a')).toBe('172.18.0.0/16 gw 172.18.0.1');
    expect(await subnetOf(c, 'd')).toBe('172.19.0.0/16 gw 172.19.0.1');
    expect(await subnetOf(c, 'c')).toBe('172.20.0.0/16 gw 172.20.0.1');
  });

  it('container addresses on a bridge: lowest free, a removed container’s address reused; MAC from the IP', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create br\nrun -d --name c1 --network br busybox\nrun -d --name c2 --network br busybox\nrun -d --name c3 --network br busybox\nrm -f c2\nrun -d --name c4 --network br busybox\nrun -d --name c5 --network br busybox\nrun -d --name d1 busybox\n');
    const ip = async (name: string) => (await ifaces(c, name))[0]!;
    expect((await ip('c1')).inet).toEqual(['172.18.0.2/16']);
    expect((await ip('c3')).inet).toEqual(['172.18.0.4/16']);
    expect((await ip('c4')).inet).toEqual(['172.18.0.3/16']);
    expect((await ip('c5')).inet).toEqual(['172.18.0.5/16']);
    expect((await ip('c4')).mac).toBe('02:42:ac:12:00:03');
    expect((await ip('d1')).inet).toEqual(['172.17.0.2/16']);
  });

  it('explicit --subnet, --gateway and --ip-range: the gateway as given, containers from the range', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create --subnet 10.5.0.0/16 --gateway 10.5.0.254 --ip-range 10.5.1.0/24 br\nrun -d --name c1 --network br busybox\nrun -d --name c2 --network br busybox\n');
    const n = await netInspect(c, 'br');
    expect(n.IPAM.Config).toEqual([{ Subnet: '10.5.0.0/16', IPRange: '10.5.1.0/24', Gateway: '10.5.0.254' }]);
    // The range's first address is handed out first (netiputil.SubnetRange: the range starts at its base).
    expect((await ifaces(c, 'c1'))[0]!.inet).toEqual(['10.5.1.0/16']);
    expect((await ifaces(c, 'c2'))[0]!.inet).toEqual(['10.5.1.1/16']);
    expect(await c.ok('exec', 'c1', 'ip', 'route')).toBe('default via 10.5.0.254 dev eth0 \n10.5.0.0/16 dev eth0 scope link  src 10.5.1.0 \n');
    expect(await c.ok('ip', 'route')).toContain('10.5.0.0/16 dev br-');
  });
});

describe('global subnets and VNIs through the CLI', () => {
  it('ingress 10.0.0.0/24 (VNI 4096), then 10.0.1.0/24 (4097), 10.0.2.0/24 (4098); a removed subnet is reused', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay a\nnetwork create -d overlay b\n');
    const vni = async (n: string) => (await netInspect(c, n)).Options['com.docker.network.driver.overlay.vxlanid_list'];
    expect(await subnetOf(c, 'ingress')).toBe('10.0.0.0/24 gw 10.0.0.1');
    expect(await subnetOf(c, 'a')).toBe('10.0.1.0/24 gw 10.0.1.1');
    expect(await subnetOf(c, 'b')).toBe('10.0.2.0/24 gw 10.0.2.1');
    expect([await vni('ingress'), await vni('a'), await vni('b')]).toEqual(['4096', '4097', '4098']);
    await given(c, 'network create -d overlay --subnet 10.0.4.0/23 big\nnetwork rm a\nnetwork create -d overlay d\nnetwork create -d overlay e\nnetwork create -d overlay f\n');
    // d takes a's freed block; e the next free one; f skips big's /23 (10.0.4.0–10.0.5.255).
    expect(await subnetOf(c, 'd')).toBe('10.0.1.0/24 gw 10.0.1.1');
    expect(await subnetOf(c, 'e')).toBe('10.0.3.0/24 gw 10.0.3.1');
    expect(await subnetOf(c, 'f')).toBe('10.0.6.0/24 gw 10.0.6.1');
    expect([await vni('big'), await vni('d'), await vni('e'), await vni('f')]).toEqual(['4099', '4100', '4101', '4102']);
  });

  it('-o com.docker.network.driver.overlay.vxlanid_list fixes the VNI, shown by inspect and by vxlan0', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay -o com.docker.network.driver.overlay.vxlanid_list=5000 fixed\nservice create -d --name s --network fixed nginx\n');
    expect((await netInspect(c, 'fixed')).Options).toEqual({ 'com.docker.network.driver.overlay.vxlanid_list': '5000' });
    const vx = (await nsIfaces(c, 'm1', await overlayNsOf(c, 'fixed'))).find((i) => i.name === 'vxlan0')!;
    expect(vx.vxlanId).toBe(5000);
    expect((await nsIfaces(c, 'm1', await overlayNsOf(c, 'ingress'))).find((i) => i.name === 'vxlan0')!.vxlanId).toBe(4096);
  });

  it('swarm init --default-addr-pool / --default-addr-pool-mask-length replace 10.0.0.0/8 in /24s', async () => {
    const c = cli();
    await given(c, 'host add m1\n--on m1 swarm init --default-addr-pool 10.20.0.0/25 --default-addr-pool-mask-length 26 --default-addr-pool 10.30.0.0/16\nnetwork create -d overlay a\nnetwork create -d overlay b\n');
    expect(await subnetOf(c, 'ingress')).toBe('10.20.0.0/26 gw 10.20.0.1');
    expect(await subnetOf(c, 'a')).toBe('10.20.0.64/26 gw 10.20.0.65');
    // The first pool is used up: the second one, split by the same mask length.
    expect(await subnetOf(c, 'b')).toBe('10.30.0.0/26 gw 10.30.0.1');
    expect((await nsIfaces(c, 'm1', 'ingress_sbox')).find((i) => i.name === 'eth0')!.inet).toEqual(['10.20.0.2/26']);
  });

  it('a mask length over 29, or shorter than the pool’s prefix, is refused', async () => {
    const c = cli();
    await given(c, 'host add m1\n');
    await refused(c, '--on', 'm1', 'swarm', 'init', '--default-addr-pool', '10.20.0.0/16', '--default-addr-pool-mask-length', '30');
    await refused(c, '--on', 'm1', 'swarm', 'init', '--default-addr-pool', '10.20.0.0/16', '--default-addr-pool-mask-length', '8');
  });
});

describe('serial addresses on swarm networks', () => {
  it('gateway .1, each node’s ingress-sbox in join order, then VIPs (ingress first), then task addresses', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'network create -d overlay mynet\nservice create -d --name web --replicas 3 --network mynet -p 8080:80 nginx\n');
    const sbox = async (h: string) => (await nsIfaces(c, h, 'ingress_sbox')).find((i) => i.name === 'eth0')!.inet[0];
    expect([await sbox('m1'), await sbox('w1'), await sbox('w2')]).toEqual(['10.0.0.2/24', '10.0.0.3/24', '10.0.0.4/24']);
    expect(await vips(c, 'web')).toEqual([['ingress', '10.0.0.5/24'], ['mynet', '10.0.1.2/24']]);
    // Each task has one address per network, ingress first (eth0), in task order.
    const nodes = await taskNodes(c, 'web');
    const addrs: string[] = [];
    for (const t of ['web.1', 'web.2', 'web.3']) {
      const ifs = await ifaces(c, t);
      expect(ifs.map((i) => i.name)).toEqual(['eth0', 'eth1', 'eth2']);
      addrs.push(`${ifs[0]!.inet[0]} ${ifs[1]!.inet[0]}`);
    }
    expect(addrs).toEqual(['10.0.0.6/24 10.0.1.3/24', '10.0.0.7/24 10.0.1.4/24', '10.0.0.8/24 10.0.1.5/24']);
    expect(Object.values(nodes).sort()).toEqual(['m1', 'w1', 'w2']);
  });

  it('a released address is not reused: scaling down and up again, and a replacement task, get new addresses', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay mynet\nservice create -d --name web --replicas 3 --network mynet nginx\n');
    const addr = async (t: string) => (await ifaces(c, t))[0]!.inet[0];
    expect([await addr('web.1'), await addr('web.2'), await addr('web.3')]).toEqual(['10.0.1.3/24', '10.0.1.4/24', '10.0.1.5/24']);
    // .6 is m1's load-balancer address on mynet (allocated when the first task was assigned to it).
    await given(c, 'service scale web=1\nservice scale web=3\n');
    expect([await addr('web.1'), await addr('web.2'), await addr('web.3')]).toEqual(['10.0.1.3/24', '10.0.1.7/24', '10.0.1.8/24']);
    // web.1's container dies: its replacement (new task, new ID) gets the next address after the restart delay.
    const [row] = (await c.ok('service', 'ps', 'web', '-q', '--filter', 'name=web.1')).trim().split('\n');
    await given(c, `task fail ${row}\nadvance 5s\n`);
    expect(await addr('web.1')).toBe('10.0.1.9/24');
    // The container name and MAC follow the new address.
    const ifs = await ifaces(c, 'web.1');
    expect(ifs[0]!.mac).toBe('02:42:0a:00:01:09');
  });

  it('the cursor wraps at the end of the subnet and only then reuses freed addresses', async () => {
    const c = cli();
    // /29: .0 network, .7 broadcast; gateway .1, VIP .2, tasks .3 .4, m1's load-balancer address .5.
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --subnet 10.9.0.0/29 tiny\nservice create -d --name web --replicas 2 --network tiny nginx\n');
    const all = async () => (await c.ok('network', 'inspect', 'tiny', '--format', '{{json .Containers}}'));
    const ips = async () => Object.values(JSON.parse(await all()) as Record<string, { Name: string; IPv4Address: string }>)
      .map((e) => `${e.Name.split('.').slice(0, 2).join('.')} ${e.IPv4Address}`).sort();
    expect(await vips(c, 'web')).toEqual([['tiny', '10.9.0.2/29']]);
    expect(await ips()).toEqual(['tiny-endpoint 10.9.0.5/29', 'web.1 10.9.0.3/29', 'web.2 10.9.0.4/29']);
    await given(c, 'service scale web=1\nservice scale web=3\n');
    // web.2 takes .6, the last one; the cursor wraps, skips .1 .2 .3 (taken) and hands out the freed .4.
    expect(await ips()).toEqual(['tiny-endpoint 10.9.0.5/29', 'web.1 10.9.0.3/29', 'web.2 10.9.0.6/29', 'web.3 10.9.0.4/29']);
    await given(c, 'service scale web=1\nservice scale web=2\n');
    // After .4 the cursor skips .5 (the load balancer's) and hands out .6 again.
    expect(await ips()).toEqual(['tiny-endpoint 10.9.0.5/29', 'web.1 10.9.0.3/29', 'web.2 10.9.0.6/29']);
  });

  it('a task without an address stays New (swarmkit leaves it unallocated) and runs once a release makes room', async () => {
    const c = cli();
    // /28: .1 gateway, .15 broadcast; other's VIP .2 and tasks .3–.8, a load-balancer address per node,
    // web's VIP, three tasks: the fourth finds no address.
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'network create -d overlay --subnet 10.9.0.0/28 tiny',
      'service create -d --name other --replicas 6 --network tiny nginx',
      'service create -d --name web --replicas 4 --network tiny nginx', '',
    ].join('\n'));
    const states = async () => Object.fromEntries((await c.ok('service', 'ps', 'web', '--format', '{{.Name}}|{{.CurrentState}}|{{.Node}}')).trim().split('\n')
      .map((l) => l.split('|')).map(([name, state, node]) => [name, `${state!.split(' ')[0]} ${node}`.trim()]));
    expect(await states()).toEqual({ 'web.1': 'Running m1', 'web.2': 'Running w1', 'web.3': 'Running m1', 'web.4': 'New' });
    const stuck = (await c.ok('service', 'ps', 'web', '-q', '--filter', 'name=web.4')).trim();
    // Nothing was allocated for it, and the scheduler never saw it.
    expect(stuck).toMatch(/^[0-9a-z]{12}$/);
    expect((await log(c, 'AddressAllocated', 'TaskAssigned')).filter((l) => JSON.stringify(l.event).includes(stuck))).toEqual([]);
    // Removing `other` releases its addresses: the allocator's retry gives web.4 one, and it runs.
    await given(c, 'service rm other\n');
    expect((await states())['web.4']).toMatch(/^Running (m1|w1)$/);
    expect((await ifaces(c, 'web.4'))[0]!.inet).toEqual(['10.9.0.2/28']);
  });

  it('serial within an overlay’s --ip-range, with an explicit gateway', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --subnet 10.7.0.0/16 --gateway 10.7.0.254 --ip-range 10.7.1.0/24 ranged\nservice create -d --name web --replicas 2 --network ranged nginx\n');
    expect((await netInspect(c, 'ranged')).IPAM.Config).toEqual([{ Subnet: '10.7.0.0/16', IPRange: '10.7.1.0/24', Gateway: '10.7.0.254' }]);
    expect(await vips(c, 'web')).toEqual([['ranged', '10.7.1.0/16']]);
    expect((await ifaces(c, 'web.1'))[0]!.inet).toEqual(['10.7.1.1/16']);
    expect((await ifaces(c, 'web.2'))[0]!.inet).toEqual(['10.7.1.2/16']);
    // br0 in the network's namespace holds the gateway given.
    const br0 = (await nsIfaces(c, 'm1', await overlayNsOf(c, 'ranged'))).find((i) => i.name === 'br0')!;
    expect(br0.inet).toEqual(['10.7.0.254/16']);
  });
});
