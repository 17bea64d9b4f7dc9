/**
 * The shipped networking replays, checked by what they show: the key views of each transcript
 * (`engine run FILE`), not only their hashes (test/replays.test.ts checks those).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clis, parseIpAddr, parseIpvs, ruleLines, transcript } from './support.js';

const cli = clis();
const dir = join(__dirname, '..', '..', 'replays');

/** Runs a replay and returns a lookup of its blocks by the command typed (the nth occurrence). */
async function play(file: string): Promise<(cmd: string, nth?: number) => string> {
  const c = cli();
  const r = await c.run('run', join(dir, file));
  expect(r.code, r.stderr).toBe(0);
  const blocks = transcript(r.stdout);
  return (cmd: string, nth = 0) => {
    const found = blocks.filter((b) => b.cmd === cmd);
    if (!found[nth]) throw new Error(`no block #${nth} for \`${cmd}\` in ${file}; commands: ${blocks.map((b) => b.cmd).join(' | ')}`);
    return found[nth]!.out;
  };
}

const names = (ls: string) => ls.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[1]);
const v4 = (out: string) => parseIpAddr(out).filter((i) => i.name !== 'lo').map((i) => `${i.name} ${i.mtu} ${i.inet.join(',')}`);

describe('replays/bridge-networks.swarm (seed 003)', () => {
  let at: (cmd: string, nth?: number) => string;
  beforeAll(async () => {
    at = await play('bridge-networks.swarm');
  });

  it('network ls before and after the two user bridges; at the end backend is gone', () => {
    expect(names(at('network ls'))).toEqual(['bridge', 'host', 'none']);
    expect(names(at('network ls', 1))).toEqual(['backend', 'bridge', 'frontend', 'host', 'none']);
    expect(names(at('network ls', 2))).toEqual(['bridge', 'frontend', 'host', 'none']);
  });

  it('the seed’s ping table', () => {
    expect(at('exec ins01 ping -c 3 ins02')).toMatch(/^PING ins02 \(172\.18\.0\.3\): 56 data bytes\n(64 bytes from 172\.18\.0\.3: seq=\d ttl=64 time=\d\.\d{3} ms\n){3}/);
    expect(at('exec ins01 ping -c 3 ins03')).toBe("Error: ping: bad address 'ins03'\n");
    expect(at('exec ins02 ping -c 3 ins01')).toContain('PING ins01 (172.18.0.2)');
    expect(at('exec ins02 ping -c 3 ins03')).toContain('PING ins03 (172.19.0.2)');
    expect(at('exec ins03 ping -c 3 ins01')).toBe("Error: ping: bad address 'ins01'\n");
    expect(at('exec ins03 ping -c 3 ins02')).toContain('PING ins02 (172.19.0.3)');
    expect(at('exec ins02 ping -c 3 ins03', 1)).toBe("Error: ping: bad address 'ins03'\n");
  });

  it('ins02: two interfaces then one; its routes; backend’s containers', () => {
    expect(v4(at('exec ins02 ip addr'))).toEqual(['eth0 1500 172.18.0.3/16', 'eth1 1500 172.19.0.3/16']);
    expect(at('exec ins02 ip route')).toBe('default via 172.18.0.1 dev eth0 \n172.18.0.0/16 dev eth0 scope link  src 172.18.0.3 \n172.19.0.0/16 dev eth1 scope link  src 172.19.0.3 \n');
    const backend = JSON.parse(at('network inspect backend'))[0];
    expect(backend.IPAM.Config).toEqual([{ Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' }]);
    expect(Object.values(backend.Containers).map((e) => { const x = e as { Name: string; IPv4Address: string; MacAddress: string }; return `${x.Name} ${x.IPv4Address} ${x.MacAddress}`; }).sort())
      .toEqual(['ins02 172.19.0.3/16 02:42:ac:13:00:03', 'ins03 172.19.0.2/16 02:42:ac:13:00:02']);
    expect(v4(at('exec ins02 ip addr', 1))).toEqual(['eth0 1500 172.18.0.3/16']);
  });

  it('the default bridge: --link web:db resolves both names one way only; rm refusals', () => {
    expect(at('exec client ping -c 2 db')).toContain('PING db (172.17.0.2)');
    expect(at('exec client ping -c 2 web')).toContain('PING web (172.17.0.2)');
    expect(at('exec web ping -c 2 client')).toBe("Error: ping: bad address 'client'\n");
    expect(at('network rm backend')).toMatch(/^Error: Error response from daemon: error while removing network: network backend has active endpoints \(name:"ins03" id:"[0-9a-f]{12}"\)\n$/);
    expect(at('network rm bridge')).toBe('Error: Error response from daemon: bridge is a pre-defined network and cannot be removed\n');
    expect(at('network rm backend', 1)).toBe('backend\n');
  });
});

describe('replays/ingress-namespaces.swarm (seed 002)', () => {
  let at: (cmd: string, nth?: number) => string;
  beforeAll(async () => {
    at = await play('ingress-namespaces.swarm');
  });

  it('swarm init made ingress and docker_gwbridge; ingress_sbox sits on docker_gwbridge at 172.18.0.2', () => {
    expect(names(at('network ls'))).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'none']);
    const gw = JSON.parse(at('network inspect docker_gwbridge'))[0];
    expect(gw.IPAM.Config).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    expect(gw.Containers).toEqual({ 'ingress-sbox': expect.objectContaining({ Name: 'gateway_ingress-sbox', IPv4Address: '172.18.0.2/16', MacAddress: '02:42:ac:12:00:02' }) });
    expect(at('--on manager1 ip a')).toMatch(/^\d+: docker_gwbridge: .*\n.*\n {4}inet 172\.18\.0\.1\/16 brd 172\.18\.255\.255 scope global docker_gwbridge$/m);
  });

  it('the namespaces of manager1: 1-<ingress id> and ingress_sbox, whose legs are 10.0.0.2 and 172.18.0.2', () => {
    const ingress = JSON.parse(at('network inspect ingress'))[0];
    expect(at('--on manager1 ls /var/run/docker/netns')).toBe(`1-${ingress.Id.slice(0, 10)}\ningress_sbox\n`);
    expect(v4(at('--on manager1 nsenter --net=ingress_sbox ip a'))).toEqual(['eth0 1450 10.0.0.2/24', 'eth1 1500 172.18.0.2/16']);
    expect(ingress.IPAM.Config).toEqual([{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }]);
    expect(ingress.Options).toEqual({ 'com.docker.network.driver.overlay.vxlanid_list': '4096' });
    expect(ingress.Peers.map((p: { IP: string }) => p.IP)).toEqual(['192.168.33.10', '192.168.33.11', '192.168.33.12']);
  });

  it('my-nginx -p 80:80: VIP 10.0.0.5, DNAT on worker2, mark 0x100, IPVS over the five tasks', () => {
    expect(at('service ls')).toMatch(/ my-nginx +replicated +5\/5 +nginx:latest +\*:80->80\/tcp\n$/);
    expect(JSON.parse(at("service inspect my-nginx --format '{{json .Endpoint.VirtualIPs}}'"))).toEqual([{ NetworkID: expect.any(String), Addr: '10.0.0.5/24' }]);
    expect(ruleLines(at('--on worker2 iptables -t nat -nvL'))).toContain('DOCKER-INGRESS DNAT tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:80 to:172.18.0.2:80');
    expect(ruleLines(at('--on worker2 nsenter --net=/var/run/docker/netns/ingress_sbox iptables -nvL -t mangle'))).toEqual([
      'PREROUTING MARK tcp * * 0.0.0.0/0 0.0.0.0/0 tcp dpt:80 MARK set 0x100',
      'INPUT MARK all * * 0.0.0.0/0 10.0.0.5/32 MARK set 0x100',
    ]);
    expect(parseIpvs(at('--on worker2 nsenter --net=/var/run/docker/netns/ingress_sbox ipvsadm -Ln'))).toEqual({
      'FWM 256 rr': ['10.0.0.6:0 Masq 1', '10.0.0.7:0 Masq 1', '10.0.0.8:0 Masq 1', '10.0.0.9:0 Masq 1', '10.0.0.10:0 Masq 1'],
    });
  });

  it('mynet 10.0.1.0/24 appears only on worker1, where api runs; api.1 looks like seed 001', () => {
    expect(JSON.parse(at("network inspect mynet --format '{{json .IPAM.Config}}'"))).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
    const w1 = at('--on worker1 ls /var/run/docker/netns').split('\n').filter((n) => n.startsWith('1-') || n === 'ingress_sbox');
    const w2 = at('--on worker2 ls /var/run/docker/netns').split('\n').filter((n) => n.startsWith('1-') || n === 'ingress_sbox');
    expect(w1).toHaveLength(3);
    expect(w2).toHaveLength(2);
    expect(w1.filter((n) => !w2.includes(n))).toHaveLength(1);
    const ifs = parseIpAddr(at('exec api.1 ip addr')).filter((i) => i.name !== 'lo');
    expect(ifs.map((i) => `${i.name}@if${i.peer} ${i.mtu} ${i.mac} ${i.inet[0]}`)).toEqual([
      `eth0@if${ifs[0]!.index + 1} 1450 02:42:0a:00:01:03 10.0.1.3/24`,
      `eth1@if${ifs[1]!.index + 1} 1500 02:42:ac:12:00:05 172.18.0.5/16`,
    ]);
    expect(at('exec api.1 ip route')).toBe('default via 172.18.0.1 dev eth1 \n10.0.1.0/24 dev eth0 scope link  src 10.0.1.3 \n172.18.0.0/16 dev eth1 scope link  src 172.18.0.5 \n');
    expect(at('exec api.1 nslookup api')).toContain('Name:\tapi\nAddress: 10.0.1.2\n');
    expect(at('exec api.1 nslookup tasks.api')).toContain('Name:\ttasks.api\nAddress: 10.0.1.3\n');
  });
});

describe('replays/custom-ingress.swarm (seed 004)', () => {
  let at: (cmd: string, nth?: number) => string;
  beforeAll(async () => {
    at = await play('custom-ingress.swarm');
  });

  it('the hand-made docker_gwbridge is kept on manager1; worker1 gets the default one', () => {
    expect(JSON.parse(at("--on manager1 network inspect docker_gwbridge --format '{{json .IPAM.Config}}'"))).toEqual([{ Subnet: '10.11.0.0/16', Gateway: '10.11.0.1' }]);
    expect(JSON.parse(at("--on worker1 network inspect docker_gwbridge --format '{{json .IPAM.Config}}'"))).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    expect(v4(at('--on manager1 nsenter --net=/var/run/docker/netns/ingress_sbox ip a'))).toEqual(['eth0 1450 10.0.0.2/24', 'eth1 1500 10.11.0.2/16']);
  });

  it('the ingress cannot go while web publishes, and there is only one', () => {
    expect(at('network rm ingress')).toMatch(/\nError: Error response from daemon: rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service [0-9a-z]{25} depends on it\n$/);
    expect(at('network create -d overlay --ingress second-ingress')).toMatch(/^Error: Error response from daemon: rpc error: code = AlreadyExists desc = ingress network \([0-9a-z]{25}\) is already present\n$/);
    expect(at('network create -d overlay --ingress another-ingress')).toMatch(/^Error: Error response from daemon: rpc error: code = AlreadyExists desc = ingress network \([0-9a-z]{25}\) is already present\n$/);
  });

  it('my-ingress replaces it: 10.11.0.0/16 gateway .2, MTU 1200 − 50, web’s VIP and tasks on it', () => {
    expect(names(at('network ls'))).toEqual(['bridge', 'docker_gwbridge', 'host', 'none']);
    expect(names(at('network ls', 1))).toEqual(['bridge', 'docker_gwbridge', 'host', 'my-ingress', 'none']);
    expect(JSON.parse(at("network inspect my-ingress --format '{{json .IPAM.Config}}'"))).toEqual([{ Subnet: '10.11.0.0/16', Gateway: '10.11.0.2' }]);
    expect(JSON.parse(at("service inspect web --format '{{json .Endpoint.VirtualIPs}}'"))).toEqual([{ NetworkID: expect.any(String), Addr: '10.11.0.4/16' }]);
    // web's VIP is a /32 alias on ingress_sbox's eth0 (libnetwork addLBBackend).
    expect(v4(at('--on worker1 nsenter --net=/var/run/docker/netns/ingress_sbox ip a'))).toEqual(['eth0 1150 10.11.0.3/16,10.11.0.4/32', 'eth1 1500 172.18.0.2/16']);
    // worker1's dockerd gave 256 to the first web's load balancer: marks are not reused (fwMarkCtr).
    expect(parseIpvs(at('--on worker1 nsenter --net=/var/run/docker/netns/ingress_sbox ipvsadm -Ln'))).toEqual({ 'FWM 257 rr': ['10.11.0.5:0 Masq 1', '10.11.0.6:0 Masq 1'] });
  });
});

describe('replays/frontier.swarm (seed 000)', () => {
  let at: (cmd: string, nth?: number) => string;
  beforeAll(async () => {
    at = await play('frontier.swarm');
  });

  it('mynet is listed by the manager; the service spreads over node-1, node-2 and master1', () => {
    expect(names(at('network ls'))).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'mynet', 'none']);
    const rows = at('service ps frontier').split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s{2,}/)[3]);
    expect(rows.sort()).toEqual(['master1', 'node-1', 'node-2']);
  });

  it('node-4 has neither mynet nor its namespace until a task lands there', () => {
    const before = at('--on node-4 ls /var/run/docker/netns').split('\n').filter(Boolean);
    expect(before).toHaveLength(2);
    expect(before).toContain('ingress_sbox');
    expect(names(at('--on node-4 network ls'))).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'none']);
    const after = at('--on node-4 ls /var/run/docker/netns', 1).split('\n').filter(Boolean);
    expect(after.filter((n) => n.startsWith('1-'))).toHaveLength(2);
    expect(after.filter((n) => /^[0-9a-f]{12}$/.test(n)).length).toBeGreaterThan(0);
    expect(names(at('--on node-4 network ls', 1))).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'mynet', 'none']);
  });

  it('the VIP answers for frontier; Peers are the live nodes that have mynet (node-4 crashed)', () => {
    expect(at('exec frontier.1 nslookup frontier')).toBe('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tfrontier\nAddress: 10.0.1.2\n');
    const peers = JSON.parse(at("network inspect mynet --format '{{json .Peers}}'")) as { Name: string; IP: string }[];
    expect(peers.map((p) => p.IP)).toEqual(['192.168.33.10', '192.168.33.11', '192.168.33.12', '192.168.33.13']);
    for (const p of peers) expect(p.Name).toMatch(/^[0-9a-f]{12}$/);
  });
});
