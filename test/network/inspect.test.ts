/**
 * `docker inspect CONTAINER` / `container inspect`: NetworkSettings as dockerd 28 prints them
 * (api/types/container/network_settings.go, api/types/network/endpoint.go, daemon/inspect.go), for
 * standalone and task containers; and what the inspect commands print for references they do not find
 * (docker/cli cli/command/inspect/inspector.go: the array of what was found, `[]` when nothing was,
 * then one error per missing reference, exit 1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, DAEMON, fingerprint, given, ifaces, netInspect, netns, swarm, type Json } from './support.js';

const cli = clis();

const SETTINGS_KEYS = ['Bridge', 'SandboxID', 'SandboxKey', 'Ports', 'HairpinMode', 'LinkLocalIPv6Address', 'LinkLocalIPv6PrefixLen', 'SecondaryIPAddresses',
  'SecondaryIPv6Addresses', 'EndpointID', 'Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'MacAddress', 'Networks'];
const ENDPOINT_KEYS = ['IPAMConfig', 'Links', 'Aliases', 'MacAddress', 'DriverOpts', 'GwPriority', 'NetworkID', 'EndpointID', 'Gateway', 'IPAddress', 'IPPrefixLen',
  'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'DNSNames'];

async function inspectOne(c: TestCli, ref: string, ...args: string[]): Promise<Json> {
  const arr = JSON.parse(await c.ok(...args, 'inspect', ref)) as Json[];
  expect(arr).toHaveLength(1);
  return arr[0];
}

describe('a standalone container', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await given(c, 'host add h1\nnetwork create frontend\nnetwork create --internal backend\nrun -d --name web busybox\nrun -d --name app --network frontend --link web:db busybox\nnetwork connect backend app\n');
  });

  it('on the default bridge: its endpoint, repeated in the legacy top-level fields; no DNS names', async () => {
    const x = await inspectOne(c, 'web');
    const ns = x.NetworkSettings;
    expect(Object.keys(ns)).toEqual(SETTINGS_KEYS);
    const id12 = (x.Id as string).slice(0, 12);
    const [eth0] = await ifaces(c, 'web');
    const br = await netInspect(c, 'bridge');
    const ep = br.Containers[x.Id];
    expect(ns.Networks.bridge).toEqual({
      IPAMConfig: null, Links: null, Aliases: null, MacAddress: eth0!.mac, DriverOpts: null, GwPriority: 0, NetworkID: br.Id, EndpointID: ep.EndpointID,
      Gateway: '172.17.0.1', IPAddress: '172.17.0.2', IPPrefixLen: 16, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
    });
    expect(Object.keys(ns.Networks.bridge)).toEqual(ENDPOINT_KEYS);
    expect({ ...ns, Networks: undefined }).toEqual({
      Bridge: '', SandboxID: x.Id, SandboxKey: `/var/run/docker/netns/${id12}`, Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: ep.EndpointID, Gateway: '172.17.0.1', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: '172.17.0.2', IPPrefixLen: 16, IPv6Gateway: '', MacAddress: eth0!.mac, Networks: undefined,
    });
    // The sandbox key is the namespace the host lists.
    expect(await netns(c, 'h1')).toContain(id12);
    expect([x.ResolvConfPath, x.HostnamePath, x.HostsPath]).toEqual(['resolv.conf', 'hostname', 'hosts'].map((f) => `/var/lib/docker/containers/${x.Id}/${f}`));
  });

  it('on two user-defined networks: one entry each (keys sorted), DNS names, the --link on the first, no gateway on an internal one', async () => {
    const x = await inspectOne(c, 'app');
    const id12 = (x.Id as string).slice(0, 12);
    const nets = x.NetworkSettings.Networks;
    expect(Object.keys(nets)).toEqual(['backend', 'frontend']);
    const [eth0, eth1] = await ifaces(c, 'app');
    expect(nets.frontend).toMatchObject({ Links: ['web:db'], Gateway: '172.18.0.1', IPAddress: '172.18.0.2', IPPrefixLen: 16, MacAddress: eth0!.mac, DNSNames: ['app', id12], NetworkID: (await netInspect(c, 'frontend')).Id });
    expect(nets.backend).toMatchObject({ Links: null, Gateway: '', IPAddress: '172.19.0.2', MacAddress: eth1!.mac, DNSNames: ['app', id12] });
    expect(nets.backend.EndpointID).toBe((await netInspect(c, 'backend')).Containers[x.Id].EndpointID);
    // Not on the default bridge: the legacy fields are empty.
    expect([x.NetworkSettings.IPAddress, x.NetworkSettings.Gateway, x.NetworkSettings.EndpointID, x.NetworkSettings.MacAddress]).toEqual(['', '', '', '']);
    // `container inspect` prints the same object; --format reads into it.
    expect(JSON.parse(await c.ok('container', 'inspect', 'app'))).toEqual([x]);
    expect(await c.ok('inspect', 'app', '--format', '{{.NetworkSettings.Networks.frontend.IPAddress}} {{.NetworkSettings.SandboxKey}}')).toBe(`172.18.0.2 /var/run/docker/netns/${id12}\n`);
  });

  it('stopped: no sandbox, and the operational data of each entry cleared (its network and DNS names stay)', async () => {
    await given(c, 'stop app\n');
    const x = await inspectOne(c, 'app');
    expect([x.NetworkSettings.SandboxID, x.NetworkSettings.SandboxKey]).toEqual(['', '']);
    expect(x.NetworkSettings.Networks.frontend).toMatchObject({ EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', Links: ['web:db'] });
    expect(x.NetworkSettings.Networks.frontend.NetworkID).toBe((await netInspect(c, 'frontend')).Id);
    expect(x.NetworkSettings.Networks.frontend.DNSNames).toEqual(['app', (x.Id as string).slice(0, 12)]);
  });

  it('on the host network: the default sandbox', async () => {
    await given(c, 'run -d --name hn --network host busybox\n');
    const x = await inspectOne(c, 'hn');
    expect(x.NetworkSettings.SandboxKey).toBe('/var/run/docker/netns/default');
    expect(Object.keys(x.NetworkSettings.Networks)).toEqual(['host']);
    expect(x.NetworkSettings.Networks.host).toMatchObject({ IPAddress: '', Gateway: '', DNSNames: null });
  });
});

describe('a task’s container', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create -d overlay back\nservice create -d --name api --replicas 2 --network back -p 8080:80 nginx\n');
  });

  it('by its name on its node (`web.1.<task id>`): the ingress and its overlay with the allocator’s addresses; no docker_gwbridge entry', async () => {
    const rows = (await c.ok('service', 'ps', 'api', '--format', '{{.Name}} {{.ID}} {{.Node}}', '--no-trunc')).trim().split('\n').map((l) => l.split(' '));
    for (const [slot, taskId, node] of rows) {
      const name = `${slot}.${taskId}`;
      expect(name).toMatch(/^api\.[12]\.[0-9a-z]{25}$/);
      const x = await inspectOne(c, name, '--on', node!);
      expect(x.Name).toBe(`/${name}`);
      const ifs = await ifaces(c, slot!);
      expect(ifs).toHaveLength(3);
      const nets = x.NetworkSettings.Networks;
      expect(Object.keys(nets)).toEqual(['back', 'ingress']);
      const id12 = (x.Id as string).slice(0, 12);
      for (const [net, i] of [['ingress', 0], ['back', 1]] as const) {
        const ip = ifs[i]!.inet[0]!.split('/')[0];
        expect(nets[net]).toEqual({
          IPAMConfig: { IPv4Address: ip }, Links: null, Aliases: null, MacAddress: ifs[i]!.mac, DriverOpts: null, GwPriority: 0, NetworkID: (await netInspect(c, net)).Id,
          EndpointID: (await netInspect(c, net, node)).Containers[x.Id].EndpointID, Gateway: '', IPAddress: ip, IPPrefixLen: 24, IPv6Gateway: '', GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0, DNSNames: [name, id12],
        });
      }
      expect(x.NetworkSettings.SandboxKey).toBe(`/var/run/docker/netns/${id12}`);
      expect(await netns(c, node!)).toContain(id12);
      // Another node's daemon does not have it.
      const other = node === 'm1' ? 'w1' : 'm1';
      const r = await c.run('--on', other, 'container', 'inspect', name);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '[]\n', `${DAEMON}No such container: ${name}\n`]);
    }
  });
});

describe('references that are not found', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'network create front\nrun -d --name c1 --network front busybox\nnetwork create -d overlay ov\n');
  });

  async function run(...args: string[]): Promise<[number, string, string]> {
    const before = await fingerprint(c);
    const r = await c.run(...args);
    expect(await fingerprint(c), `${args.join(' ')} appended nothing`).toEqual(before);
    return [r.code, r.stdout, r.stderr];
  }

  it('network inspect: `[]`, then dockerd’s error; with several, the ones found, then one line per missing one', async () => {
    expect(await run('network', 'inspect', 'nope')).toEqual([1, '[]\n', `${DAEMON}network nope not found\n`]);
    const [code, out, err] = await run('network', 'inspect', 'nope', 'front', 'gone');
    expect(code).toBe(1);
    expect((JSON.parse(out) as Json[]).map((n) => n.Name)).toEqual(['front']);
    expect(err).toBe(`${DAEMON}network nope not found\nError response from daemon: network gone not found\n`);
    // A template prints one line per network found; a lone newline when none was.
    expect(await run('network', 'inspect', 'nope', 'front', '--format', '{{.Name}}')).toEqual([1, 'front\n', `${DAEMON}network nope not found\n`]);
    expect(await run('network', 'inspect', 'nope', '--format', '{{.Name}}')).toEqual([1, '\n', `${DAEMON}network nope not found\n`]);
    // A worker has not instantiated the overlay: not found there.
    expect(await run('--on', 'w1', 'network', 'inspect', 'ov')).toEqual([1, '[]\n', `${DAEMON}network ov not found\n`]);
  });

  it('docker inspect: `Error: No such object`, after trying every kind; it finds networks and services too', async () => {
    expect(await run('inspect', 'nope')).toEqual([1, '[]\n', 'Error: No such object: nope\n']);
    const [code, out, err] = await run('inspect', 'c1', 'nope', 'front', 'ov');
    expect(code).toBe(1);
    const found = JSON.parse(out) as Json[];
    expect([found[0].Name, found[1].Name, found[1].Driver, found[2].Name, found[2].Scope]).toEqual(['/c1', 'front', 'bridge', 'ov', 'swarm']);
    expect(err).toBe('Error: No such object: nope\n');
    await given(c, 'service create -d --name web nginx\n');
    expect(await c.ok('inspect', 'web', '--format', '{{.Spec.Name}}')).toBe('web\n');
    expect(await c.ok('inspect', 'w1', '--format', '{{.Description.Hostname}}')).toBe('w1\n');
    // A worker does not look swarm objects up.
    expect(await run('--on', 'w1', 'inspect', 'web')).toEqual([1, '[]\n', 'Error: No such object: web\n']);
  });

  it('--type: only that kind, and its own error', async () => {
    expect(await run('inspect', '--type', 'container', 'front')).toEqual([1, '[]\n', `${DAEMON}No such container: front\n`]);
    expect(await run('inspect', '--type', 'network', 'c1')).toEqual([1, '[]\n', `${DAEMON}network c1 not found\n`]);
    expect(await run('inspect', '--type', 'volume', 'c1')).toEqual([1, '[]\n', `${DAEMON}get c1: no such volume\n`]);
    expect(await run('inspect', '--type', 'nonsense', 'c1')).toEqual([1, '', 'Error: unknown type: "nonsense": must be one of "config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"\n']);
    expect((await run('inspect', '--type', 'network', 'front', '--format', '{{.Name}}'))).toEqual([0, 'front\n', '']);
  });

  it('container inspect: dockerd’s No such container for each one missing', async () => {
    const [code, out, err] = await run('container', 'inspect', 'c1', 'nope', 'front');
    expect(code).toBe(1);
    expect((JSON.parse(out) as Json[]).map((x) => x.Name)).toEqual(['/c1']);
    expect(err).toBe(`${DAEMON}No such container: nope\nError response from daemon: No such container: front\n`);
  });
});
