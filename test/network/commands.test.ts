/**
 * `docker network ls | create | rm | inspect | connect | disconnect | prune` with Docker's semantics:
 * columns and natural order (docker/cli cli/command/network/formatter.go), filters (moby
 * daemon/network/filter.go), the inspect JSON (moby api/types/network), removal rules (moby
 * daemon/network.go, swarmkit manager/controlapi/network.go), prune (moby daemon/prune.go), and the
 * worker's partial view of the swarm's networks (cluster.GetNetworkSummaries).
 */
import { describe, expect, it } from 'vitest';
import { clis, DAEMON, given, ifaces, log, netInspect, netNames, netRows, RPC, refusedWith, swarm } from './support.js';

const cli = clis();

describe('network ls', () => {
  it('columns NETWORK ID NAME DRIVER SCOPE, natural order by name, 12-character IDs; -q and --no-trunc', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create net10\nnetwork create net9\nnetwork create Net2\nnetwork create -d bridge a-net\n');
    const lines = (await c.ok('network', 'ls')).split('\n');
    expect(lines[0]).toBe('NETWORK ID     NAME      DRIVER    SCOPE');
    const rows = lines.slice(1).filter(Boolean).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[1])).toEqual(['Net2', 'a-net', 'bridge', 'host', 'net9', 'net10', 'none']);
    expect(rows.map((r) => [r[2], r[3]])).toEqual([
      ['bridge', 'local'], ['bridge', 'local'], ['bridge', 'local'], ['host', 'local'], ['bridge', 'local'], ['bridge', 'local'], ['null', 'local'],
    ]);
    for (const r of rows) expect(r[0]).toMatch(/^[0-9a-f]{12}$/);
    const ids = (await c.ok('network', 'ls', '-q')).split('\n').filter(Boolean);
    expect(ids).toEqual(rows.map((r) => r[0]));
    const full = (await c.ok('network', 'ls', '-q', '--no-trunc')).split('\n').filter(Boolean);
    expect(full.map((x) => x.length)).toEqual(Array(7).fill(64));
    expect(full.map((x) => x.slice(0, 12))).toEqual(ids);
  });

  it('--format json: one object per line with docker/cli’s keys, sorted', async () => {
    const c = cli();
    await given(c, 'host add h1\nadvance 1500ms\nnetwork create --label b=2 --label a=1 --internal lab\n');
    const rows = await netRows(c, undefined);
    const lab = rows.find((r) => r.Name === 'lab')!;
    expect(Object.keys(lab)).toEqual(['CreatedAt', 'Driver', 'ID', 'IPv4', 'IPv6', 'Internal', 'Labels', 'Name', 'Scope']);
    expect(lab).toMatchObject({ CreatedAt: '2026-01-01 09:00:01.5 +0000 UTC', Driver: 'bridge', IPv4: 'true', IPv6: 'false', Internal: 'true', Labels: 'a=1,b=2', Scope: 'local' });
    expect(lab.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(rows.find((r) => r.Name === 'bridge')).toMatchObject({ CreatedAt: '2026-01-01 09:00:00 +0000 UTC', Internal: 'false', Labels: '' });
    expect(await c.ok('network', 'ls', '--format', '{{.Name}}: {{.Driver}}/{{.Scope}}', '--filter', 'name=lab')).toBe('lab: bridge/local\n');
    expect(await c.ok('network', 'ls', '--format', 'table {{.Name}}\t{{.Internal}}', '--filter', 'name=lab')).toBe('NAME      INTERNAL\nlab       true\n');
  });

  it('filters driver, name, scope, type (builtin = bridge, host, none only), label and id', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --label tier=db backend\nnetwork create -d overlay frontend\nnetwork create --label tier=web mybridge\n');
    expect(await netNames(c, undefined, '--filter', 'driver=overlay')).toEqual(['backend', 'frontend', 'ingress']);
    expect(await netNames(c, undefined, '--filter', 'driver=bridge')).toEqual(['bridge', 'docker_gwbridge', 'mybridge']);
    expect(await netNames(c, undefined, '--filter', 'scope=swarm')).toEqual(['backend', 'frontend', 'ingress']);
    expect(await netNames(c, undefined, '--filter', 'scope=local')).toEqual(['bridge', 'docker_gwbridge', 'host', 'mybridge', 'none']);
    expect(await netNames(c, undefined, '--filter', 'name=end')).toEqual(['backend', 'frontend']);
    expect(await netNames(c, undefined, '--filter', 'name=backend', '--filter', 'name=host')).toEqual(['backend', 'host']);
    // ingress and docker_gwbridge are not predefined networks (IsPredefined: bridge, host, none, default).
    expect(await netNames(c, undefined, '--filter', 'type=builtin')).toEqual(['bridge', 'host', 'none']);
    expect(await netNames(c, undefined, '--filter', 'type=custom')).toEqual(['backend', 'docker_gwbridge', 'frontend', 'ingress', 'mybridge']);
    expect(await netNames(c, undefined, '--filter', 'label=tier')).toEqual(['backend', 'mybridge']);
    expect(await netNames(c, undefined, '--filter', 'label=tier=db')).toEqual(['backend']);
    expect(await netNames(c, undefined, '--filter', 'driver=overlay', '--filter', 'name=front')).toEqual(['frontend']);
    const id = (await netInspect(c, 'frontend')).Id as string;
    expect(await netNames(c, undefined, '--filter', `id=${id.slice(0, 5)}`)).toEqual(['frontend']);
    expect(await refusedWith(c, 'network', 'ls', '--filter', 'type=weird')).toBe(`${DAEMON}invalid filter: 'type'='weird'`);
    expect(await refusedWith(c, 'network', 'ls', '--filter', 'color=red')).toBe(`${DAEMON}invalid filter 'color'`);
  });

  it('a manager lists every swarm network; a worker only the overlays it has, plus ingress', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'network create -d overlay mynet\nnetwork create -d overlay other\nservice create -d --name web --network mynet --constraint node.hostname==w1 nginx\n');
    expect(await netNames(c, 'm1')).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'mynet', 'none', 'other']);
    expect(await netNames(c, 'w1')).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'mynet', 'none']);
    expect(await netNames(c, 'w2')).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'none']);
    // Local networks are the host's own: same names, different IDs.
    const idOf = async (h: string, name: string) => (await netRows(c, h)).find((r) => r.Name === name)!.ID;
    expect(new Set([await idOf('m1', 'bridge'), await idOf('w1', 'bridge'), await idOf('w2', 'bridge')]).size).toBe(3);
    // Swarm networks have one ID everywhere.
    const mynet = [await idOf('m1', 'mynet'), await idOf('w1', 'mynet')];
    expect(mynet[0]).toBe(mynet[1]);
    expect(mynet[0]).toMatch(/^[0-9a-z]{12}$/);
    // Once the task leaves w1, so does mynet.
    await given(c, 'service rm web\n');
    expect(await netNames(c, 'w1')).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'none']);
    const r = await c.run('--on', 'w1', 'network', 'inspect', 'mynet');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '[]\n', 'Error: Error response from daemon: network mynet not found\n']);
  });
});

describe('network create', () => {
  it('prints the new ID: 64 hex for a local bridge, 25 base-36 characters for a swarm overlay', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] });
    expect(await c.ok('network', 'create', 'br')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(await c.ok('network', 'create', '-d', 'overlay', 'ov')).toMatch(/^[0-9a-z]{25}\n$/);
  });

  it('--attachable, --internal, -o and --label land in inspect; the overlay keeps its VNI option', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay --attachable --internal -o encrypted -o com.docker.network.driver.mtu=1400 --label z=1 --label a=2 ov\nnetwork create --internal -o com.docker.network.bridge.name=mybr0 br\n');
    const ov = await netInspect(c, 'ov');
    expect({ Internal: ov.Internal, Attachable: ov.Attachable, Ingress: ov.Ingress, Scope: ov.Scope, Driver: ov.Driver }).toEqual({ Internal: true, Attachable: true, Ingress: false, Scope: 'swarm', Driver: 'overlay' });
    expect(ov.Options).toEqual({ 'com.docker.network.driver.mtu': '1400', 'com.docker.network.driver.overlay.vxlanid_list': '4097', encrypted: '' });
    expect(Object.keys(ov.Labels)).toEqual(['a', 'z']);
    const br = await netInspect(c, 'br');
    expect({ Internal: br.Internal, Scope: br.Scope, Driver: br.Driver, Options: br.Options }).toEqual({ Internal: true, Scope: 'local', Driver: 'bridge', Options: { 'com.docker.network.bridge.name': 'mybr0' } });
    // The bridge device takes the name given; an internal bridge gets no MASQUERADE rule.
    expect(await c.ok('--on', 'm1', 'ip', 'addr')).toMatch(/\d+: mybr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 /);
    expect(await c.ok('--on', 'm1', 'iptables', '-t', 'nat', '-nvL')).not.toContain('mybr0');
  });

  it('a user bridge gets its own Linux bridge br-<id12> with the gateway, a route and a MASQUERADE rule', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create front\n');
    const id = ((await netInspect(c, 'front')).Id as string).slice(0, 12);
    expect(await c.ok('ip', 'addr')).toContain(`: br-${id}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue \n`);
    expect(await c.ok('ip', 'addr')).toContain(`    inet 172.18.0.1/16 brd 172.18.255.255 scope global br-${id}\n`);
    expect(await c.ok('ip', 'route')).toContain(`172.18.0.0/16 dev br-${id} scope link  src 172.18.0.1 \n`);
    expect(await c.ok('iptables', '-t', 'nat', '-nvL')).toMatch(new RegExp(`MASQUERADE +all +-- +\\* +!br-${id} +172\\.18\\.0\\.0/16 +0\\.0\\.0\\.0/0`));
    await given(c, 'network rm front\n');
    expect(await c.ok('ip', 'addr')).not.toContain(`br-${id}`);
    expect(await c.ok('ip', 'route')).not.toContain('172.18.0.0/16');
    expect(await c.ok('iptables', '-t', 'nat', '-nvL')).not.toContain('172.18.0.0/16');
  });
});

describe('network inspect', () => {
  it('a bridge: Docker’s keys in Docker’s order, no Peers; Containers keyed by container ID', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create --label k=v front\nrun -d --name c1 --network front busybox\n');
    const n = await netInspect(c, 'front');
    expect(Object.keys(n)).toEqual(['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels']);
    const cid = (await c.ok('ps', '-q', '--no-trunc')).trim();
    expect(n).toMatchObject({
      Name: 'front', Created: '2026-01-01T09:00:00Z', Scope: 'local', Driver: 'bridge', EnableIPv4: true, EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
      Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Labels: { k: 'v' },
    });
    expect(n.Id).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(n.Containers)).toEqual([cid]);
    expect(n.Containers[cid]).toMatchObject({ Name: 'c1', MacAddress: '02:42:ac:12:00:02', IPv4Address: '172.18.0.2/16', IPv6Address: '' });
    expect(n.Containers[cid].EndpointID).toMatch(/^[0-9a-f]{64}$/);
    // The output is Docker's: an indented array, 4 spaces.
    expect(await c.ok('network', 'inspect', 'front')).toMatch(/^\[\n {4}\{\n {8}"Name": "front",\n/);
    // By name, full ID or unique ID prefix; several at once.
    expect((await netInspect(c, n.Id)).Name).toBe('front');
    expect((await netInspect(c, n.Id.slice(0, 6))).Name).toBe('front');
    expect(JSON.parse(await c.ok('network', 'inspect', 'front', 'bridge')).map((x: { Name: string }) => x.Name)).toEqual(['front', 'bridge']);
    expect(await c.ok('network', 'inspect', 'front', 'bridge', '--format', '{{.Name}} {{.Driver}}')).toBe('front bridge\nbridge bridge\n');
  });

  it('the ingress on a node: its ingress-sbox endpoint, VNI 4096, a Peer per node (networkdb IDs, not hostnames)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] });
    const n = await netInspect(c, 'ingress', 'w1');
    expect(Object.keys(n)).toEqual(['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels', 'Peers']);
    expect(n).toMatchObject({
      Name: 'ingress', Scope: 'swarm', Driver: 'overlay', IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }] },
      Internal: false, Attachable: false, Ingress: true, Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4096' }, Labels: {},
    });
    expect(n.Id).toMatch(/^[0-9a-z]{25}$/);
    expect(n.Containers).toEqual({ 'ingress-sbox': { Name: 'ingress-endpoint', EndpointID: n.Containers['ingress-sbox'].EndpointID, MacAddress: '02:42:0a:00:00:03', IPv4Address: '10.0.0.3/24', IPv6Address: '' } });
    expect(n.Peers.map((p: { IP: string }) => p.IP)).toEqual(['192.168.99.100', '192.168.99.101']);
    for (const p of n.Peers) expect(p.Name).toMatch(/^[0-9a-f]{12}$/);
    // Containers are this node's endpoints only.
    expect(Object.values((await netInspect(c, 'ingress', 'm1')).Containers)).toEqual([expect.objectContaining({ IPv4Address: '10.0.0.2/24' })]);
  });

  it('docker_gwbridge: local, ICC off, masquerade on; Containers sorted by key as Go’s encoding/json writes maps', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web -p 80:80 nginx\n');
    const n = await netInspect(c, 'docker_gwbridge');
    expect(n).toMatchObject({ Scope: 'local', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] } });
    expect(n.Options).toEqual({ 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.name': 'docker_gwbridge' });
    expect(n.Peers).toBeUndefined();
    const keys = Object.keys(n.Containers);
    expect(keys).toHaveLength(2);
    expect(keys).toEqual([...keys].sort());
    // libnetwork's setupDefaultGW names these endpoints gateway_<sandbox id[:12]>.
    expect(n.Containers['ingress-sbox']).toMatchObject({ Name: 'gateway_ingress-sbox', MacAddress: '02:42:ac:12:00:02', IPv4Address: '172.18.0.2/16' });
    const task = keys.find((k) => k !== 'ingress-sbox')!;
    expect(task).toMatch(/^[0-9a-f]{64}$/);
    expect(n.Containers[task].Name).toBe(`gateway_${task.slice(0, 12)}`);
    expect(n.Containers[task].IPv4Address).toBe('172.18.0.3/16');
    // The ingress's Containers too: the task's container ID sorts before "ingress-sbox" or after, by key.
    const ing = await netInspect(c, 'ingress');
    expect(Object.keys(ing.Containers)).toEqual(Object.keys(ing.Containers).sort());
  });
});

describe('network rm', () => {
  it('echoes each name; continues past a failure and exits 1; -f ignores a missing network', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create a\nnetwork create b\nrun -d --name c1 --network b busybox\n');
    const r = await c.run('network', 'rm', 'a', 'b', 'nope');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('a\n');
    // One error line per failed argument (docker/cli remove.go prints each and goes on).
    expect(r.stderr).toMatch(/^Error: Error response from daemon: error while removing network: network b has active endpoints \(name:"c1" id:"[0-9a-f]{12}"\)\nError response from daemon: network nope not found\n$/);
    expect(await netNames(c)).toEqual(['b', 'bridge', 'host', 'none']);
    expect(await c.ok('network', 'rm', '-f', 'nope')).toBe('');
  });

  it('the predefined networks cannot be removed, with dockerd’s message', async () => {
    const c = cli();
    await given(c, 'host add h1\n');
    for (const n of ['bridge', 'host', 'none']) expect(await refusedWith(c, 'network', 'rm', n)).toBe(`${DAEMON}${n} is a pre-defined network and cannot be removed`);
  });

  it('an overlay in use by a service, or by a task, is refused with swarmkit’s FailedPrecondition', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay mynet\nservice create -d --name web --network mynet nginx\n');
    const net = (await netInspect(c, 'mynet')).Id;
    const svc = (await c.ok('service', 'inspect', 'web', '--format', '{{.ID}}')).trim();
    expect(await refusedWith(c, 'network', 'rm', 'mynet')).toBe(`${RPC('FailedPrecondition')}network ${net} is in use by service ${svc}`);
    await given(c, 'service rm web\nnetwork rm mynet\n');
    expect(await netNames(c, undefined, '--filter', 'driver=overlay')).toEqual(['ingress']);
  });

  it('removing an overlay releases its gateway and subnet: only its gateway is left once its services are gone', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay a\nservice create -d --name web --network a --constraint node.hostname==w1 nginx\nservice rm web\n');
    const before = (await log(c, 'AddressReleased')).length;
    const r = await c.run('network', 'rm', 'a');
    expect(r).toEqual({ code: 0, stdout: 'a\n', stderr: '' });
    expect((await log(c, 'AddressReleased')).slice(before).map((e) => e.event.ip)).toEqual(['10.0.1.1']);
    expect((await log(c, 'NetworkRemoved')).map((e) => e.event.networkId)).toHaveLength(1);
    await given(c, 'network create -d overlay b\n');
    expect((await netInspect(c, 'b')).IPAM.Config).toEqual([{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
  });
});

describe('network connect / disconnect', () => {
  it('connect adds an interface (eth1) with its own address and DNS name; disconnect removes both', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create front\nnetwork create back\nrun -d --name c1 --network front busybox\nrun -d --name c2 --network back busybox\nnetwork connect back c1\n');
    expect((await ifaces(c, 'c1')).map((i) => `${i.name}@if${i.peer} ${i.inet[0]} ${i.mac}`)).toEqual([
      expect.stringMatching(/^eth0@if\d+ 172\.18\.0\.2\/16 02:42:ac:12:00:02$/),
      expect.stringMatching(/^eth1@if\d+ 172\.19\.0\.3\/16 02:42:ac:13:00:03$/),
    ]);
    expect(await c.ok('exec', 'c1', 'ip', 'route')).toBe('default via 172.18.0.1 dev eth0 \n172.18.0.0/16 dev eth0 scope link  src 172.18.0.2 \n172.19.0.0/16 dev eth1 scope link  src 172.19.0.3 \n');
    expect(await c.ok('exec', 'c2', 'nslookup', 'c1')).toContain('Name:\tc1\nAddress: 172.19.0.3\n');
    expect(Object.values((await netInspect(c, 'back')).Containers).map((x) => (x as { Name: string }).Name).sort()).toEqual(['c1', 'c2']);
    await given(c, 'network disconnect back c1\n');
    expect((await ifaces(c, 'c1')).map((i) => i.name)).toEqual(['eth0']);
    expect((await c.run('exec', 'c2', 'nslookup', 'c1')).stderr).toContain("** server can't find c1: NXDOMAIN");
    expect(Object.values((await netInspect(c, 'back')).Containers).map((x) => (x as { Name: string }).Name)).toEqual(['c2']);
    // The address went back to the pool: the next container on back gets it.
    await given(c, 'run -d --name c3 --network back busybox\n');
    expect((await ifaces(c, 'c3'))[0]!.inet).toEqual(['172.19.0.3/16']);
  });

  it('refuses a second connect, a disconnect from a network it is not on, an unknown container or network', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create front\nrun -d --name c1 --network front busybox\n');
    const cid = (await c.ok('ps', '-q', '--no-trunc')).trim();
    expect(await refusedWith(c, 'network', 'connect', 'front', 'c1')).toBe(`${DAEMON}endpoint with name c1 already exists in network front`);
    expect(await refusedWith(c, 'network', 'disconnect', 'bridge', 'c1')).toBe(`${DAEMON}container ${cid} is not connected to network bridge`);
    expect(await refusedWith(c, 'network', 'connect', 'front', 'nosuch')).toBe(`${DAEMON}No such container: nosuch`);
    expect(await refusedWith(c, 'network', 'connect', 'nope', 'c1')).toBe(`${DAEMON}network nope not found`);
    expect(await refusedWith(c, 'network', 'connect', 'host', 'c1')).toBe(`${DAEMON}container cannot be disconnected from host network or connected to host network`);
  });
});

describe('network prune', () => {
  it('removes unused local networks and, on a manager, unused overlays; prints them and a blank line', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create unused\nnetwork create used\nrun -d --name c1 --network used busybox\nnetwork create -d overlay ov-free\nnetwork create -d overlay ov-busy\nservice create -d --name web --network ov-busy nginx\n');
    const out = await c.ok('network', 'prune', '-f');
    expect(out).toBe('Deleted Networks:\nov-free\nunused\n\n');
    expect(await netNames(c)).toEqual(['bridge', 'docker_gwbridge', 'host', 'ingress', 'none', 'ov-busy', 'used']);
    // Nothing left to prune: nothing printed.
    expect(await c.ok('network', 'prune', '-f')).toBe('');
  });

  it('without -f it only asks', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create unused\n');
    expect(await c.ok('network', 'prune')).toBe('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
    expect(await netNames(c)).toContain('unused');
  });
});
