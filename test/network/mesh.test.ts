/**
 * The ingress routing mesh (seeds 000, 002, 004; moby daemon/libnetwork/service_linux.go): on EVERY
 * node a DNAT of each published port to ingress_sbox, a firewall mark per service from 0x100 in
 * ingress_sbox's mangle table, and an IPVS `FWM <mark> rr` service over the tasks' ingress addresses.
 * Host-mode ports stay out of it. The ingress network can be replaced, and a docker_gwbridge made by
 * hand before `swarm init` is kept.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, given, ifaces, iptables, ipvs, netInspect, netns, nsIfaces, overlayNsOf, swarm, vips } from './support.js';

const cli = clis();
const HOSTS = ['m1', 'w1', 'w2'];

/** The ingress addresses of a service's running tasks (eth0 of each task, the ingress leg). */
async function ingressIps(c: TestCli, service: string, replicas: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= replicas; i++) out.push((await ifaces(c, `${service}.${i}`))[0]!.inet[0]!.split('/')[0]!);
  return out.sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3]));
}

describe('-p 8080:80 on a three-node swarm', () => {
  let c: TestCli;
  let tasks: string[];
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 3 -p 8080:80 nginx\n');
    tasks = await ingressIps(c, 'web', 3);
  });

  it('service ls shows *:8080->80/tcp; the VIP is on the ingress', async () => {
    expect(await c.ok('service', 'ls', '--format', '{{.Name}} {{.Ports}}')).toBe('web *:8080->80/tcp\n');
    expect(await vips(c, 'web')).toEqual([['ingress', '10.0.0.5/24']]);
    expect(tasks).toEqual(['10.0.0.6', '10.0.0.7', '10.0.0.8']);
  });

  it('every node: nat PREROUTING/OUTPUT jump to DOCKER-INGRESS, which DNATs tcp dpt:8080 to 172.18.0.2:8080', async () => {
    for (const h of HOSTS) {
      const nat = await iptables(c, h, 'nat');
      expect(nat).toEqual([
        'PREROUTING DOCKER-INGRESS all * * 0.0.0.0/0 0.0.0.0/0 ADDRTYPE match dst-type LOCAL',
        'OUTPUT DOCKER-INGRESS all * * 0.0.0.0/0 0.0.0.0/0 ADDRTYPE match dst-type LOCAL',
        // initIngressConfiguration inserts the masquerade of local traffic out of docker_gwbridge on top.
        'POSTROUTING MASQUERADE all * docker_gwbridge 0.0.0.0/0 0.0.0.0/0 ADDRTYPE match src-type LOCAL',
        'POSTROUTING MASQUERADE all * !docker0 172.17.0.0/16 0.0.0.0/0',
        'POSTROUTING MASQUERADE all * !docker_gwbridge 172.18.0.0/16 0.0.0.0/0',
        'DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 to:172.18.0.2:8080',
        'DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0',
      ]);
      const raw = await c.ok('--on', h, 'iptables', '-t', 'nat', '-nvL');
      expect(raw).toContain('Chain DOCKER-INGRESS (2 references)\n');
      expect(raw).toMatch(/^ {4}0 {5}0 DNAT {7}tcp {2}-- {2}\* {6}\* {6}0\.0\.0\.0\/0 {12}0\.0\.0\.0\/0 {12}tcp dpt:8080 to:172\.18\.0\.2:8080$/m);
      const filter = await iptables(c, h, 'filter');
      expect(filter.filter((r) => r.startsWith('DOCKER-INGRESS '))).toEqual([
        'DOCKER-INGRESS ACCEPT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080',
        'DOCKER-INGRESS ACCEPT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp spt:8080 ctstate RELATED,ESTABLISHED',
        'DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0',
      ]);
    }
  });

  it('iptables -L CHAIN lists that chain alone; a chain the table lacks is iptables\' error', async () => {
    expect(await c.ok('--on', 'w1', 'iptables', '-t', 'nat', '-nvL', 'DOCKER-INGRESS')).toBe([
      'Chain DOCKER-INGRESS (2 references)',
      ' pkts bytes target     prot opt in     out     source               destination         ',
      '    0     0 DNAT       tcp  --  *      *      0.0.0.0/0            0.0.0.0/0            tcp dpt:8080 to:172.18.0.2:8080',
      '    0     0 RETURN     all  --  *      *      0.0.0.0/0            0.0.0.0/0', '',
    ].join('\n'));
    const r = await c.run('--on', 'w1', 'iptables', '-t', 'nat', '-nvL', 'NOPE');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'Error: iptables: No chain/target/match by that name.\n']);
  });

  it('inside every ingress_sbox: MARK 0x100 for dpt:8080 and for the VIP/32, SNAT of IPVS traffic to its own address', async () => {
    const sboxIp: Record<string, string> = { m1: '10.0.0.2', w1: '10.0.0.3', w2: '10.0.0.4' };
    for (const h of HOSTS) {
      const raw = await c.ok('--on', h, 'nsenter', '--net=/var/run/docker/netns/ingress_sbox', 'iptables', '-nvL', '-t', 'mangle');
      expect(raw.split('\n')[0]).toBe('Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)');
      expect(await iptables(c, h, 'mangle', 'ingress_sbox')).toEqual([
        'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 MARK set 0x100',
        'INPUT MARK all * * 0.0.0.0/0 10.0.0.5/32 MARK set 0x100',
      ]);
      expect(await iptables(c, h, 'nat', 'ingress_sbox')).toEqual([`POSTROUTING SNAT all * * 0.0.0.0/0 10.0.0.0/24 ipvs to:${sboxIp[h]}`]);
    }
  });

  it('ipvsadm -Ln in every ingress_sbox: FWM 256 rr, one `-> <task ingress IP>:0 Masq 1` per task', async () => {
    for (const h of HOSTS) expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': tasks.map((ip) => `${ip}:0 Masq 1`) });
    const raw = await c.ok('--on', 'w2', 'nsenter', '--net=/var/run/docker/netns/ingress_sbox', 'ipvsadm', '-Ln');
    expect(raw).toBe('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nFWM  256 rr\n'
      + tasks.map((ip) => `  -> ${`${ip}:0`.padEnd(28)} Masq    1      0          0         \n`).join(''));
    // The host's own namespace has no IPVS service.
    expect(await c.ok('--on', 'w1', 'ipvsadm', '-Ln')).toBe('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n');
  });
});

describe('the mesh follows the service', () => {
  it('scaling adds and removes IPVS destinations on every node; service rm removes the LB and the port rules', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 2 -p 8080:80 nginx\n');
    for (const h of HOSTS) expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': ['10.0.0.6:0 Masq 1', '10.0.0.7:0 Masq 1'] });
    await given(c, 'service scale web=4\n');
    for (const h of HOSTS) expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': ['10.0.0.6:0 Masq 1', '10.0.0.7:0 Masq 1', '10.0.0.8:0 Masq 1', '10.0.0.9:0 Masq 1'] });
    await given(c, 'service scale web=1\n');
    const left = (await ifaces(c, 'web.1'))[0]!.inet[0]!.split('/')[0]!;
    for (const h of HOSTS) expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': [`${left}:0 Masq 1`] });
    await given(c, 'service rm web\n');
    for (const h of HOSTS) {
      expect(await ipvs(c, h)).toEqual({});
      // The chains stay, with only their RETURN (libnetwork never removes them).
      expect((await iptables(c, h, 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS '))).toEqual(['DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0']);
      expect((await iptables(c, h, 'filter')).filter((r) => r.startsWith('DOCKER-INGRESS '))).toEqual(['DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0']);
      expect(await iptables(c, h, 'mangle', 'ingress_sbox')).toEqual([]);
    }
  });

  it('a replacement task replaces its predecessor among the destinations', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 2 -p 8080:80 nginx\n');
    const id = (await c.ok('service', 'ps', 'web', '-q', '--filter', 'name=web.1')).trim();
    const old = (await ifaces(c, 'web.1'))[0]!.inet[0]!.split('/')[0]!;
    const survivor = (await ifaces(c, 'web.2'))[0]!.inet[0]!.split('/')[0]!;
    await given(c, `task fail ${id}\n`);
    // The replacement waits in READY for the restart delay: it has its address already (allocated
    // before scheduling) but no endpoint yet, so it is no IPVS backend either.
    for (const h of ['m1', 'w1']) expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': [`${survivor}:0 Masq 1`] });
    await given(c, 'advance 5s\n');
    const now = await ingressIps(c, 'web', 2);
    expect(now).not.toContain(old);
    expect(now).toContain('10.0.0.7');
    for (const h of ['m1', 'w1']) expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': now.map((ip) => `${ip}:0 Masq 1`) });
  });

  it('each published service gets the next mark (0x100, 0x101…) on each node; a node joining later programs them all', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name a -p 8080:80 nginx\nservice create -d --name b -p 9090:80 -p 9091:81 nginx\nhost add late\n--on late swarm join --token $(swarm join-token -q worker) m1:2377\n');
    // m1 saw a, then b.
    expect(await iptables(c, 'm1', 'mangle', 'ingress_sbox')).toEqual([
      'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 MARK set 0x100',
      'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9090 MARK set 0x101',
      'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9091 MARK set 0x101',
      'INPUT MARK all * * 0.0.0.0/0 10.0.0.3/32 MARK set 0x100',
      'INPUT MARK all * * 0.0.0.0/0 10.0.0.5/32 MARK set 0x101',
    ]);
    expect(await ipvs(c, 'm1')).toEqual({ 'FWM 256 rr': ['10.0.0.4:0 Masq 1'], 'FWM 257 rr': ['10.0.0.6:0 Masq 1'] });
    // late learns both at once: its marks are 0x100 and 0x101 too (which service gets which is the
    // node's own order; marks may differ between nodes), each consistent across its rules and IPVS.
    const mangle = await iptables(c, 'late', 'mangle', 'ingress_sbox');
    const markOf = (needle: string) => mangle.find((r) => r.includes(needle))!.split(' ').pop()!;
    expect([markOf('dpt:8080'), markOf('dpt:9090')].sort()).toEqual(['0x100', '0x101']);
    expect(markOf('dpt:9091')).toBe(markOf('dpt:9090'));
    expect(markOf('10.0.0.3/32')).toBe(markOf('dpt:8080'));
    expect(markOf('10.0.0.5/32')).toBe(markOf('dpt:9090'));
    const lb = await ipvs(c, 'late');
    expect(lb[`FWM ${parseInt(markOf('dpt:8080'), 16)} rr`]).toEqual(['10.0.0.4:0 Masq 1']);
    expect(lb[`FWM ${parseInt(markOf('dpt:9090'), 16)} rr`]).toEqual(['10.0.0.6:0 Masq 1']);
    for (const h of ['m1', 'late']) {
      expect((await iptables(c, h, 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS ')).sort()).toEqual([
        'DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 to:172.18.0.2:8080',
        'DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9090 to:172.18.0.2:9090',
        'DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:9091 to:172.18.0.2:9091',
        'DOCKER-INGRESS RETURN all * * 0.0.0.0/0 0.0.0.0/0',
      ]);
    }
    // Rules inserted with -I: the newest on top, RETURN last (m1 saw a's port, then b's two).
    expect((await iptables(c, 'm1', 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS ')).map((r) => r.split(' ').slice(-2).join(' '))).toEqual([
      'dpt:9091 to:172.18.0.2:9091', 'dpt:9090 to:172.18.0.2:9090', 'dpt:8080 to:172.18.0.2:8080', '0.0.0.0/0 0.0.0.0/0',
    ]);
    // Each service's VIP is a /32 alias on ingress_sbox's eth0 (addLBBackend AddAliasIP).
    expect((await nsIfaces(c, 'late', 'ingress_sbox')).find((i) => i.name === 'eth0')!.inet).toEqual(['10.0.0.7/24', '10.0.0.3/32', '10.0.0.5/32']);
  });

  it('a published port chosen by swarmkit (30000 up) is meshed like an explicit one; udp too', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web -p 53:53/udp --publish target=81 nginx\n');
    expect(await c.ok('service', 'ls', '--format', '{{.Ports}}')).toBe('*:30000->81/tcp, *:53->53/udp\n');
    expect((await iptables(c, 'm1', 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS DNAT')).sort()).toEqual([
      'DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:30000 to:172.18.0.2:30000',
      'DOCKER-INGRESS DNAT udp * * 0.0.0.0/0 0.0.0.0/0 udp dpt:53 to:172.18.0.2:53',
    ]);
    expect((await iptables(c, 'm1', 'mangle', 'ingress_sbox')).filter((r) => r.startsWith('PREROUTING ')).sort()).toEqual([
      'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:30000 MARK set 0x100',
      'PREROUTING MARK udp * * 0.0.0.0/0 0.0.0.0/0 udp dpt:53 MARK set 0x100',
    ]);
  });

  it('host-mode ports never touch the mesh: no DNAT, no mark, no IPVS, no ingress address', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name h --replicas 2 --publish published=8080,target=80,mode=host nginx\n');
    for (const h of ['m1', 'w1']) {
      expect((await iptables(c, h, 'nat')).filter((r) => r.includes('DOCKER-INGRESS'))).toEqual([]);
      expect(await iptables(c, h, 'mangle', 'ingress_sbox')).toEqual([]);
      expect(await ipvs(c, h)).toEqual({});
    }
    expect(await vips(c, 'h')).toEqual([]);
    expect(await c.ok('service', 'ls', '--format', '{{.Ports}}')).toBe('\n');
    expect(Object.keys((await netInspect(c, 'ingress')).Containers)).toEqual(['ingress-sbox']);
  });
});

describe('replacing the ingress network (seed 004)', () => {
  it('rm ingress tears down every ingress_sbox; create --ingress rebuilds them on the new subnet', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] });
    await given(c, 'network rm ingress\n');
    for (const h of ['m1', 'w1']) expect(await netns(c, h)).toEqual([]);
    expect((await c.ok('network', 'ls', '--format', '{{.Name}}')).split('\n').filter(Boolean)).toEqual(['bridge', 'docker_gwbridge', 'host', 'none']);
    await given(c, 'network create --driver overlay --ingress --subnet=10.11.0.0/16 --gateway=10.11.0.2 --opt com.docker.network.driver.mtu=1200 my-ingress\n');
    const n = await netInspect(c, 'my-ingress');
    expect(n).toMatchObject({ Ingress: true, Attachable: false, IPAM: { Config: [{ Subnet: '10.11.0.0/16', Gateway: '10.11.0.2' }] } });
    const ns = await overlayNsOf(c, 'my-ingress');
    for (const h of ['m1', 'w1']) expect(await netns(c, h)).toEqual([ns, 'ingress_sbox']);
    // Serial allocation: the explicit gateway (.2) does not move the cursor, so the first node takes .1.
    const sbox = async (h: string) => (await nsIfaces(c, h, 'ingress_sbox')).map((i) => `${i.name} ${i.mtu} ${i.inet[0]}`);
    expect(await sbox('m1')).toEqual(['eth0 1150 10.11.0.1/16', 'eth1 1500 172.18.0.2/16']);
    expect(await sbox('w1')).toEqual(['eth0 1150 10.11.0.3/16', 'eth1 1500 172.18.0.2/16']);
    expect((await nsIfaces(c, 'w1', ns)).find((i) => i.name === 'br0')!.inet).toEqual(['10.11.0.2/16']);
    // Services publishing ports join it.
    await given(c, 'service create -d --name web --replicas 2 --publish 8080:80 nginx\n');
    expect(await vips(c, 'web')).toEqual([['my-ingress', '10.11.0.4/16']]);
    for (const h of ['m1', 'w1']) {
      expect(await ipvs(c, h)).toEqual({ 'FWM 256 rr': ['10.11.0.5:0 Masq 1', '10.11.0.6:0 Masq 1'] });
      expect(await iptables(c, h, 'mangle', 'ingress_sbox')).toContain('INPUT MARK all * * 0.0.0.0/0 10.11.0.4/32 MARK set 0x100');
    }
  });

  it('a docker_gwbridge made before swarm init is kept with its subnet; the mesh DNATs to its address there', async () => {
    const c = cli();
    await given(c, [
      'host add m1', 'host add w1',
      '--on m1 network create --subnet 10.20.0.0/16 --opt com.docker.network.bridge.name=docker_gwbridge --opt com.docker.network.bridge.enable_icc=false --opt com.docker.network.bridge.enable_ip_masquerade=true docker_gwbridge',
      '--on m1 swarm init',
      '--on w1 swarm join --token $(swarm join-token -q worker) m1:2377',
      'service create -d --name web --replicas 2 -p 8080:80 nginx',
    ].join('\n') + '\n');
    expect((await netInspect(c, 'docker_gwbridge', 'm1')).IPAM.Config).toEqual([{ Subnet: '10.20.0.0/16', Gateway: '10.20.0.1' }]);
    expect((await netInspect(c, 'docker_gwbridge', 'w1')).IPAM.Config).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    expect((await nsIfaces(c, 'm1', 'ingress_sbox')).find((i) => i.name === 'eth1')!.inet).toEqual(['10.20.0.2/16']);
    expect(await c.ok('--on', 'm1', 'nsenter', '--net=/var/run/docker/netns/ingress_sbox', 'ip', 'route')).toMatch(/^default via 10\.20\.0\.1 dev eth1 \n/);
    expect((await iptables(c, 'm1', 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS DNAT'))).toEqual(['DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 to:10.20.0.2:8080']);
    expect((await iptables(c, 'w1', 'nat')).filter((r) => r.startsWith('DOCKER-INGRESS DNAT'))).toEqual(['DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:8080 to:172.18.0.2:8080']);
    // A task on m1 gets its gwbridge leg and default route there.
    const nodes = JSON.parse(`[${(await c.ok('service', 'ps', 'web', '--format', '{{json .}}')).trim().split('\n').join(',')}]`) as { Name: string; Node: string }[];
    const onM1 = nodes.find((r) => r.Node === 'm1')!.Name;
    expect(await c.ok('exec', onM1, 'ip', 'route')).toMatch(/^default via 10\.20\.0\.1 dev eth1 \n10\.0\.0\.0\/24 dev eth0 scope link {2}src 10\.0\.0\.\d+ \n10\.20\.0\.0\/16 dev eth1 scope link {2}src 10\.20\.0\.3 \n$/);
  });
});
