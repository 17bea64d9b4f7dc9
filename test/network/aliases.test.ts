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
