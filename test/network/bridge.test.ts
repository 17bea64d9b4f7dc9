/**
 * Seed 003's bridge tutorial, as written: frontend and backend, ins01 on frontend, ins03 on backend,
 * ins02 on frontend and then connected to backend. Names resolve through the embedded DNS
 * (127.0.0.11) on user-defined networks only, to containers on a shared network; the default bridge
 * resolves names only through --link (/etc/hosts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, given, ifaces, netInspect, nslookup } from './support.js';

const cli = clis();

/** `exec FROM ping -c 1 TO`: 'ok' when a reply came, otherwise what stderr said. */
async function ping(c: TestCli, from: string, to: string): Promise<string> {
  const r = await c.run('exec', from, 'ping', '-c', '1', to);
  if (r.code === 0) {
    expect(r.stdout).toMatch(new RegExp(`^PING ${to.replace(/\./g, '\\.')} \\((\\d+\\.){3}\\d+\\): 56 data bytes\\n64 bytes from `));
    expect(r.stdout).toContain('1 packets transmitted, 1 packets received, 0% packet loss');
    return 'ok';
  }
  return r.stderr.split('\n')[0]!;
}

describe('seed 003: frontend, backend, ins01, ins02, ins03', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await given(c, [
      'host add host1',
      'network create --driver=bridge frontend',
      'network create --driver=bridge backend',
      'run -td --name ins01 --net frontend busybox',
      'run -td --name ins03 --net backend busybox',
      'run -td --name ins02 --net frontend busybox',
      'network connect backend ins02',
    ].join('\n') + '\n');
  });

  it('each network its own subnet and Linux bridge', async () => {
    expect((await netInspect(c, 'frontend')).IPAM.Config).toEqual([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }]);
    expect((await netInspect(c, 'backend')).IPAM.Config).toEqual([{ Subnet: '172.19.0.0/16', Gateway: '172.19.0.1' }]);
  });

  it('ping by name works across a shared network, and fails with `bad address` otherwise (the seed’s table)', async () => {
    expect(await ping(c, 'ins01', 'ins02')).toBe('ok');
    expect(await ping(c, 'ins01', 'ins03')).toBe("Error: ping: bad address 'ins03'");
    expect(await ping(c, 'ins02', 'ins01')).toBe('ok');
    expect(await ping(c, 'ins02', 'ins03')).toBe('ok');
    expect(await ping(c, 'ins03', 'ins01')).toBe("Error: ping: bad address 'ins01'");
    expect(await ping(c, 'ins03', 'ins02')).toBe('ok');
  });

  it('a name answers with the address on the network the two share', async () => {
    expect(await nslookup(c, 'ins01', 'ins02')).toEqual(['172.18.0.3']);
    expect(await nslookup(c, 'ins03', 'ins02')).toEqual(['172.19.0.3']);
    expect(await nslookup(c, 'ins02', 'ins03')).toEqual(['172.19.0.2']);
    expect(await nslookup(c, 'ins01', 'ins03')).toEqual([]);
    const r = await c.run('exec', 'ins01', 'nslookup', 'ins02');
    expect(r.stdout).toBe('Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tins02\nAddress: 172.18.0.3\n\n');
    // The 12-character container ID is a name too.
    const containers = (await netInspect(c, 'backend')).Containers as Record<string, { Name: string }>;
    const id = Object.keys(containers).find((k) => containers[k]!.Name === 'ins02')!;
    expect(await nslookup(c, 'ins03', id.slice(0, 12))).toEqual(['172.19.0.3']);
  });

  it('ins02 has two interfaces and two addresses; its default route is on the first network', async () => {
    const ifs = await ifaces(c, 'ins02');
    expect(ifs.map((i) => [i.name, i.mtu, i.mac, i.inet])).toEqual([
      ['eth0', 1500, '02:42:ac:12:00:03', ['172.18.0.3/16']],
      ['eth1', 1500, '02:42:ac:13:00:03', ['172.19.0.3/16']],
    ]);
    // Each inside end is the peer of a host-side veth enslaved to the network's bridge.
    const host = await c.ok('ip', 'addr');
    for (const i of ifs) expect(host).toMatch(new RegExp(`^${i.peer}: veth[0-9a-f]{7}@if${i.index}: .* master br-[0-9a-f]{12} $`, 'm'));
    expect(await c.ok('exec', 'ins02', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth0 \n172.18.0.0/16 dev eth0 scope link  src 172.18.0.3 \n172.19.0.0/16 dev eth1 scope link  src 172.19.0.3 \n');
    const backend = await netInspect(c, 'backend');
    expect(Object.values(backend.Containers).map((e) => { const x = e as { Name: string; IPv4Address: string }; return `${x.Name} ${x.IPv4Address}`; }).sort())
      .toEqual(['ins02 172.19.0.3/16', 'ins03 172.19.0.2/16']);
  });

  it('isolation holds by address too: a packet to another network’s container is lost', async () => {
    const r = await c.run('exec', 'ins01', 'ping', '-c', '2', '172.19.0.2');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('PING 172.19.0.2 (172.19.0.2): 56 data bytes\n\n--- 172.19.0.2 ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n');
    expect(await ping(c, 'ins01', '172.18.0.1')).toBe('ok');
  });

  it('disconnected from backend, ins02 no longer resolves ins03; eth1 is gone', async () => {
    const d = cli();
    await given(d, 'host add host1\nnetwork create frontend\nnetwork create backend\nrun -td --name ins02 --net frontend busybox\nrun -td --name ins03 --net backend busybox\nnetwork connect backend ins02\nnetwork disconnect backend ins02\n');
    expect(await ping(d, 'ins02', 'ins03')).toBe("Error: ping: bad address 'ins03'");
    expect(await ping(d, 'ins03', 'ins02')).toBe("Error: ping: bad address 'ins02'");
    expect((await ifaces(d, 'ins02')).map((i) => `${i.name} ${i.inet[0]}`)).toEqual(['eth0 172.18.0.2/16']);
    expect(await d.ok('exec', 'ins02', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth0 \n172.18.0.0/16 dev eth0 scope link  src 172.18.0.2 \n');
  });
});

describe('the default bridge (docker0)', () => {
  it('has no embedded DNS: names resolve only through --link name:alias, and only one way', async () => {
    const c = cli();
    await given(c, 'host add h1\nrun -d --name web busybox\nrun -d --name client --link web:db busybox\n');
    expect((await ifaces(c, 'web')).map((i) => `${i.name} ${i.inet[0]} ${i.mac}`)).toEqual(['eth0 172.17.0.2/16 02:42:ac:11:00:02']);
    expect((await ifaces(c, 'client'))[0]!.inet).toEqual(['172.17.0.3/16']);
    expect(await ping(c, 'client', 'db')).toBe('ok');
    expect(await ping(c, 'client', 'web')).toBe('ok');
    expect((await c.ok('exec', 'client', 'ping', '-c', '1', 'db')).split('\n')[0]).toBe('PING db (172.17.0.2): 56 data bytes');
    expect(await ping(c, 'web', 'client')).toBe("Error: ping: bad address 'client'");
    // By address, the default bridge connects them.
    expect(await ping(c, 'web', '172.17.0.3')).toBe('ok');
    // nslookup asks the host's resolver (the first nameserver of the container's resolv.conf, copied
    // from the host's: its default gateway), not 127.0.0.11: it knows no container names.
    const gw = (await c.ok('ip', 'route')).match(/^default via (\S+) dev eth0/m)![1]!;
    const r = await c.run('exec', 'web', 'nslookup', 'client');
    expect(r.stdout).toBe(`Server:\t\t${gw}\nAddress:\t${gw}:53\n\n`);
    expect(r.stderr).toBe("Error: ** server can't find client: NXDOMAIN\n");
    // docker0 keeps its default options; inspect lists both containers.
    const br = await netInspect(c, 'bridge');
    expect(br.Options).toEqual({
      'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0', 'com.docker.network.bridge.name': 'docker0', 'com.docker.network.driver.mtu': '1500',
    });
    expect(Object.values(br.Containers).map((e) => (e as { Name: string }).Name).sort()).toEqual(['client', 'web']);
  });

  it('a container on a user network cannot resolve a default-bridge container', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create front\nrun -d --name web busybox\nrun -d --name app --network front busybox\n');
    expect(await ping(c, 'app', 'web')).toBe("Error: ping: bad address 'web'");
    expect(await nslookup(c, 'app', 'app')).toEqual(['172.18.0.2']);
  });
});
