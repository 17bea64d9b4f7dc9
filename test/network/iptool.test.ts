/**
 * `ip` beyond `ip a` and `ip route`: a device (`ip addr show eth1`, `show dev`), `ip link`, `-4`/`-6`,
 * `-br`, and iproute2's refusals — the same code on a host, inside a namespace and in a container.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, fingerprint, ifaces, overlayNsOf, parseIpAddr, swarm } from './support.js';

const cli = clis();

describe('ip', () => {
  let c: TestCli;
  let full: string;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay back\nservice create -d --name api --network back nginx\n');
    full = await c.ok('exec', 'api.1', 'ip', 'addr');
  });

  it('addr show IFNAME (or dev IFNAME): that interface’s block of `ip addr`', async () => {
    const blocks = full.split(/\n(?=\d+: )/);
    const eth1 = blocks.find((b) => /^\d+: eth1@/.test(b))!;
    expect(await c.ok('exec', 'api.1', 'ip', 'addr', 'show', 'eth1')).toBe(eth1.endsWith('\n') ? eth1 : `${eth1}\n`);
    expect(await c.ok('exec', 'api.1', 'ip', 'a', 'show', 'dev', 'eth1')).toBe(await c.ok('exec', 'api.1', 'ip', 'addr', 'show', 'eth1'));
    const r = await c.run('exec', 'api.1', 'ip', 'addr', 'show', 'eth7');
    expect([r.code, r.stderr]).toEqual([1, 'Error: Device "eth7" does not exist.\n']);
  });

  it('link: the interfaces without their addresses; -4: the address lines alone; -6: nothing (no IPv6)', async () => {
    const link = await c.ok('exec', 'api.1', 'ip', 'link');
    expect(link).not.toMatch(/inet /);
    expect(parseIpAddr(link).map((i) => [i.name, i.mac])).toEqual(parseIpAddr(full).map((i) => [i.name, i.mac]));
    const v4 = await c.ok('exec', 'api.1', 'ip', '-4', 'addr');
    expect(v4).not.toMatch(/link\//);
    expect(parseIpAddr(v4).map((i) => [i.name, i.inet])).toEqual(parseIpAddr(full).map((i) => [i.name, i.inet]));
    expect(await c.ok('exec', 'api.1', 'ip', '-6', 'addr')).toBe('');
  });

  it('-br: iproute2’s brief columns', async () => {
    const ifs = await ifaces(c, 'api.1');
    const lines = (await c.ok('exec', 'api.1', 'ip', '-br', 'a')).split('\n').filter(Boolean);
    expect(lines[0]).toBe(`${'lo'.padEnd(16)} ${'UNKNOWN'.padEnd(14)} 127.0.0.1/8 `);
    expect(lines.slice(1)).toEqual(ifs.map((i) => `${`${i.name}@if${i.peer}`.padEnd(16)} ${'UP'.padEnd(14)} ${i.inet[0]} `));
  });

  it('on a host and inside a namespace; the VXLAN device by name; refusals; nothing appended', async () => {
    const before = await fingerprint(c);
    const gw = await c.ok('--on', 'm1', 'ip', '-4', 'a', 'show', 'docker_gwbridge');
    expect(gw).toMatch(/^\d+: docker_gwbridge: <[^>]+> mtu 1500 qdisc noqueue \n    inet 172\.18\.0\.1\/16 brd 172\.18\.255\.255 scope global docker_gwbridge\n/);
    const ns = await overlayNsOf(c, 'back');
    const vx = await c.ok('--on', 'm1', 'nsenter', `--net=/var/run/docker/netns/${ns}`, 'ip', '-d', 'link', 'show', 'vxlan0');
    expect(parseIpAddr(vx).map((i) => [i.name, i.vxlanId, i.master])).toEqual([['vxlan0', 4097, 'br0']]);
    for (const [args, err] of [
      [['ip'], 'Error: Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }'],
      [['ip', 'tunnel'], 'Error: Object "tunnel" is unknown, try "ip help".'],
      [['ip', '-x', 'a'], 'Error: Option "-x" is unknown, try "ip -help".'],
      [['ip', 'a', 'flush'], 'Error: Command "flush" is unknown, try "ip addr help".'],
    ] as const) {
      const r = await c.run('--on', 'm1', ...args);
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([1, '', `${err}\n`]);
    }
    expect(await fingerprint(c)).toEqual(before);
  });
});
