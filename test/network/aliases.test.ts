/**
 * Service aliases (`--network name=N,alias=A`; a stack service's own name): the embedded DNS answers the
 * alias with the VIP (task addresses in dnsrr mode) and `tasks.<alias>` with the task addresses, on that
 * network only, as libnetwork's addServiceBinding records them; updates and removal take them back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCli } from '../helpers/cli.js';
import { clis, ifaces, nslookup, swarm, vips } from './support.js';

const cli = clis();

describe('service aliases', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'network create -d overlay back',
      'network create -d overlay other',
      'service create -d --name client --network back --network other busybox',
      'service create -d --name db --replicas 2 --network name=back,alias=primary,alias=store nginx',
      'service create -d --name rr --endpoint-mode dnsrr --replicas 2 --network name=back,alias=cache nginx',
    ].join('\n') + '\n');
  });

  const taskIps = async (svc: string, n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 1; i <= n; i++) out.push((await ifaces(c, `${svc}.${i}`))[0]!.inet[0]!.split('/')[0]!);
    const num = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    return out.sort((a, b) => num(a) - num(b));
  };

  it('an alias answers the VIP; tasks.<alias> the task addresses; on the alias’s network only', async () => {
    const vip = (await vips(c, 'db')).find(([net]) => net === 'back')![1].split('/')[0];
    expect(await nslookup(c, 'client.1', 'primary')).toEqual([vip]);
    expect(await nslookup(c, 'client.1', 'store')).toEqual([vip]);
    expect(await nslookup(c, 'client.1', 'tasks.primary')).toEqual(await taskIps('db', 2));
    // The service's container inspect keeps Aliases null: swarmkit passes service aliases to libnetwork, not to the endpoint.
    const [insp] = JSON.parse(await c.ok('inspect', 'db.1'));
    expect(insp.NetworkSettings.Networks.back.Aliases).toBeNull();
  });

  it('dnsrr: the alias answers the task addresses', async () => {
    expect(await nslookup(c, 'client.1', 'cache')).toEqual(await taskIps('rr', 2));
  });

  it('an update that changes the aliases moves the names; removing the service takes them back', async () => {
    await c.ok('service', 'update', '-d', '--network-rm', 'back', '--network-add', 'name=back,alias=keeper', 'db');
    await c.ok('advance', '1m');
    const vip = (await vips(c, 'db')).find(([net]) => net === 'back')![1].split('/')[0];
    expect(await nslookup(c, 'client.1', 'keeper')).toEqual([vip]);
    expect(await nslookup(c, 'client.1', 'primary')).toEqual([]);
    expect(await nslookup(c, 'client.1', 'tasks.keeper')).toEqual(await taskIps('db', 2));
    expect(await nslookup(c, 'client.1', 'tasks.primary')).toEqual([]);
    await c.ok('service', 'rm', 'db', 'rr');
    await c.ok('advance', '1m');
    for (const name of ['keeper', 'tasks.keeper', 'cache', 'tasks.cache', 'db']) expect(await nslookup(c, 'client.1', name), name).toEqual([]);
    const names = Object.keys(JSON.parse(await c.ok('state', '--json')).dns as Record<string, unknown>);
    expect(names.filter((k) => /\/(tasks\.)?(keeper|cache|primary|store)$/.test(k))).toEqual([]);
  });
});

describe('stack services reach each other by their name in the stack', () => {
  it('docker/cli adds the service’s own name as an alias on each of its networks', async () => {
    const c = cli();
    const dir = c.dir;
    writeFileSync(join(dir, 'stack.yml'), [
      'version: "3.8"',
      'services:',
      '  web:',
      '    image: nginx',
      '  api:',
      '    image: nginx',
      '    networks:',
      '      default:',
      '        aliases: [backend]',
    ].join('\n') + '\n');
    await swarm(c, { managers: ['m1'] }, `stack deploy -c ${join(dir, 'stack.yml')} app\n`);
    expect(JSON.parse(await c.ok('service', 'inspect', 'app_api', '-f', '{{json .Spec.TaskTemplate.Networks}}'))[0].Aliases).toEqual(['backend', 'api']);
    const vip = (await vips(c, 'app_api')).find(([net]) => net === 'app_default')![1].split('/')[0];
    expect(await nslookup(c, 'app_web.1', 'api')).toEqual([vip]);
    expect(await nslookup(c, 'app_web.1', 'backend')).toEqual([vip]);
    expect(await nslookup(c, 'app_web.1', 'app_api')).toEqual([vip]);
  });
});

describe('container aliases: run --network-alias, network connect --alias', () => {
  it('the embedded DNS answers them on their network; inspect lists them; disconnect takes them back; the default bridge refuses them', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, [
      'network create front',
      'network create other',
      'network create -d overlay --attachable ov',
      '--on m1 run -d --name db --network front --network-alias database --network-alias pg busybox',
      '--on m1 run -d --name client --network front busybox',
      '--on m1 network connect other client',
      '--on m1 network connect --alias cache other db',
      '--on m1 network connect --alias shared ov db',
      '--on m1 network connect ov client',
    ].join('\n') + '\n');
    const ipOn = async (net: string) => (JSON.parse(await c.ok('--on', 'm1', 'inspect', 'db'))[0].NetworkSettings.Networks[net].IPAddress as string);
    expect(await nslookup(c, 'client', 'database')).toEqual([await ipOn('front')]);
    expect(await nslookup(c, 'client', 'pg')).toEqual([await ipOn('front')]);
    expect(await nslookup(c, 'client', 'cache')).toEqual([await ipOn('other')]);
    expect(await nslookup(c, 'client', 'shared')).toEqual([await ipOn('ov')]);
    const nets = JSON.parse(await c.ok('--on', 'm1', 'inspect', 'db'))[0].NetworkSettings.Networks;
    const id12 = (JSON.parse(await c.ok('--on', 'm1', 'inspect', 'db'))[0].Id as string).slice(0, 12);
    expect([nets.front.Aliases, nets.front.DNSNames]).toEqual([['database', 'pg'], ['db', 'database', 'pg', id12]]);
    expect([nets.other.Aliases, nets.ov.Aliases]).toEqual([['cache'], ['shared']]);
    await c.ok('--on', 'm1', 'network', 'disconnect', 'other', 'db');
    await c.ok('--on', 'm1', 'network', 'disconnect', 'ov', 'db');
    expect(await nslookup(c, 'client', 'cache')).toEqual([]);
    expect(await nslookup(c, 'client', 'shared')).toEqual([]);
    expect(await nslookup(c, 'client', 'database')).toEqual([await ipOn('front')]);
    // dockerd's validateEndpointSettings: only user-defined networks take aliases.
    const bad = await c.run('--on', 'm1', 'run', '-d', '--name', 'xx', '--network-alias', 'a', 'busybox');
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([1, '', 'Error: Error response from daemon: invalid config for network default: invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks\n']);
    // The advanced --network syntax gives each network its own aliases; it does not mix with --network-alias.
    await c.ok('--on', 'm1', 'run', '-d', '--name', 'multi', '--network', 'name=front,alias=mf', '--network', 'name=other,alias=mo', 'busybox');
    const multi = JSON.parse(await c.ok('--on', 'm1', 'inspect', 'multi'))[0].NetworkSettings.Networks;
    expect([multi.front.Aliases, multi.other.Aliases]).toEqual([['mf'], ['mo']]);
    expect(await nslookup(c, 'client', 'mo')).toEqual([multi.other.IPAddress]);
    const both = await c.run('--on', 'm1', 'run', '-d', '--name', 'yy', '--network', 'name=front,alias=a', '--network-alias', 'b', 'busybox');
    expect([both.code, both.stderr]).toEqual([1, 'Error: conflicting options: cannot specify both --network-alias and per-network alias\n']);
    const bad2 = await c.run('--on', 'm1', 'network', 'connect', '--alias', 'a', 'bridge', 'client');
    expect([bad2.code, bad2.stderr]).toEqual([1, 'Error: Error response from daemon: invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks\n']);
  });
});

describe('a stopped container does not hold its network', () => {
  it('network rm and network prune remove a network whose only container is stopped (libnetwork counts endpoints)', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create appnet\nnetwork create other\n--on m1 run -d --name web1 --net appnet busybox\n--on m1 run -d --name web2 --net other busybox\n--on m1 stop web1\n--on m1 stop web2\n');
    expect(await c.ok('--on', 'm1', 'network', 'rm', 'appnet')).toBe('appnet\n');
    expect(await c.ok('--on', 'm1', 'network', 'prune', '-f')).toContain('other\n');
    expect(await c.ok('--on', 'm1', 'network', 'ls', '--format', '{{.Name}}')).not.toMatch(/appnet|other/);
  });
});
