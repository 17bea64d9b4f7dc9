/**
 * How services and tasks read, as docker/cli prints them: CURRENT STATE ages (go-units HumanDuration,
 * duration.go), `service ps` order (task/print.go tasksSortable), `service inspect --pretty`
 * (service/formatter.go), and the ports a host-mode task binds (libnetwork's port allocator).
 */
import { describe, expect, it } from 'vitest';
import { refused } from '../helpers/refuse.js';
import { clis, given, inspect, ps, swarm } from './support.js';

const cli = clis();

describe('CURRENT STATE ages: go-units HumanDuration, lower-cased', () => {
  it('seconds and minutes are truncated, hours rounded', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const steps: [string, string][] = [
      ['999ms', 'Running less than a second ago'],
      ['501ms', 'Running 1 second ago'], // 1.5 s: int(1.5) = 1
      ['58s', 'Running 59 seconds ago'], // 59.5 s
      ['1s', 'Running about a minute ago'], // 60.5 s
      ['59s', 'Running about a minute ago'], // 119.5 s: int(1.99) minutes = 1
      ['1s', 'Running 2 minutes ago'],
      ['57m30s', 'Running 59 minutes ago'], // 59 m 59.5 s
      ['29m', 'Running about an hour ago'], // 1 h 28 m 30.5 s: int(1.475 + 0.5) = 1
      ['1m30s', 'Running 2 hours ago'], // 1 h 30 m 0.5 s
      ['45h59m', 'Running 47 hours ago'], // 47 h 29 m 0.5 s
      ['1m', 'Running 2 days ago'], // 47 h 30 m 0.5 s rounds to 48 h
    ];
    for (const [d, want] of steps) {
      await given(c, `advance ${d}\n`);
      expect((await ps(c, 'web'))[0]!.CurrentState, `after ${d} more`).toBe(want);
    }
  });
});

describe('service ps order: by name, newest first within a slot', () => {
  it('tasks a slot got in the same instant: the replacement above the task it replaced, whatever their states', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --restart-delay 0s nginx\n');
    const [first] = (await ps(c, 'web', '--no-trunc')).map((r) => r.ID);
    // A clean exit (complete), its replacement fails, the next one runs: all three created at 0 s.
    await given(c, 'stop web.1\n');
    const second = (await ps(c, 'web', '--no-trunc'))[0]!.ID;
    await given(c, `task fail ${second}\n`);
    const rows = await ps(c, 'web', '--no-trunc');
    expect(rows.map((r) => [r.Name, r.CurrentState.split(' ')[0]])).toEqual([['web.1', 'Running'], [' \\_ web.1', 'Failed'], [' \\_ web.1', 'Complete']]);
    expect(rows.slice(1).map((r) => r.ID)).toEqual([second, first]);
  });
});

describe('service inspect --pretty', () => {
  it('follows serviceInspectPrettyTemplate field by field, one object after another', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, [
      'network create -d overlay backend',
      'echo pw | secret create db_pass -',
      'echo cfg | config create app_cfg -',
      "service create -d --name api --label tier=web --label canary --constraint node.role==worker --placement-pref spread=node.labels.az --replicas-max-per-node 2 --replicas 2 --update-delay 10s --update-max-failure-ratio 0.3 --update-failure-action rollback --rollback-monitor 0s --rollback-order start-first --env A=1 --env B=2 --workdir /srv --user nobody --mount type=bind,source=/data,target=/data,readonly --secret db_pass --config source=app_cfg,target=/etc/app.conf --reserve-cpu 0.5 --reserve-memory 512M --limit-cpu 2 --limit-memory 1.5G --network backend -p 8080:80 -p mode=host,target=9090 nginx:1.25 nginx -g 'daemon off;'",
      'service update -d --image nginx:1.26 api',
      'advance 90s',
      'service create -d --name web --mode global busybox',
    ].join('\n') + '\n');
    const api = await inspect(c, 'api');
    const web = await inspect(c, 'web');
    const out = await c.ok('service', 'inspect', '--pretty', 'api', 'web');
    expect(out).toBe([
      '',
      `ID:\t\t${api.ID}`,
      'Name:\t\tapi',
      'Labels:',
      ' canary',
      ' tier=web',
      'Service Mode:\tReplicated',
      ' Replicas:\t2',
      'UpdateStatus:',
      ' State:\t\tcompleted',
      ' Started:\tAbout a minute ago',
      ' Completed:\tAbout a minute ago',
      ' Message:\tupdate completed',
      'Placement:',
      ' Constraints:\t[node.role==worker]',
      ' Preferences:   [spread=node.labels.az]',
      ' Max Replicas Per Node:   2',
      'UpdateConfig:',
      ' Parallelism:\t1',
      ' Delay:\t\t10s',
      ' On failure:\trollback',
      ' Monitoring Period: 5s',
      ' Max failure ratio: 0.3',
      ' Update order:      stop-first',
      'RollbackConfig:',
      ' Parallelism:\t1',
      ' On failure:\tpause',
      ' Max failure ratio: 0',
      ' Rollback order:    start-first',
      'ContainerSpec:',
      ` Image:\t\t${api.Spec.TaskTemplate.ContainerSpec.Image}`,
      ' Args:\t\tnginx -g daemon off; ',
      ' Env:\t\tA=1 B=2 ',
      ' Dir:\t\t/srv',
      ' Init:\t\tfalse',
      ' User: nobody',
      'Mounts:',
      ' Target:\t/data',
      '  Source:\t/data',
      '  ReadOnly:\ttrue',
      '  Type:\t\tbind',
      'Configs:',
      ' Target:\t/etc/app.conf',
      '  Source:\tapp_cfg',
      'Secrets:',
      ' Target:\tdb_pass',
      '  Source:\tdb_pass',
      'Resources:',
      ' Reservations:',
      '  CPU:\t\t0.5',
      '  Memory:\t512MiB',
      ' Limits:',
      '  CPU:\t\t2',
      '  Memory:\t1.5GiB',
      'Networks: backend ',
      'Endpoint Mode:\tvip',
      'Ports:',
      ' PublishedPort = 8080',
      '  Protocol = tcp',
      '  TargetPort = 80',
      '  PublishMode = ingress',
      ' PublishedPort = 0',
      '  Protocol = tcp',
      '  TargetPort = 9090',
      '  PublishMode = host ',
      '',
      '',
      `ID:\t\t${web.ID}`,
      'Name:\t\tweb',
      'Service Mode:\tGlobal',
      'Placement:',
      'UpdateConfig:',
      ' Parallelism:\t1',
      ' On failure:\tpause',
      ' Monitoring Period: 5s',
      ' Max failure ratio: 0',
      ' Update order:      stop-first',
      'RollbackConfig:',
      ' Parallelism:\t1',
      ' On failure:\tpause',
      ' Monitoring Period: 5s',
      ' Max failure ratio: 0',
      ' Rollback order:    stop-first',
      'ContainerSpec:',
      ` Image:\t\t${web.Spec.TaskTemplate.ContainerSpec.Image}`,
      ' Init:\t\tfalse',
      'Resources:',
      'Endpoint Mode:\tvip',
      '',
      '',
    ].join('\n'));
  });

  it('`--format pretty` is the same; --pretty with --format is refused, as are extra options after pretty', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    expect(await c.ok('service', 'inspect', '--format', 'pretty', 'web')).toBe(await c.ok('service', 'inspect', '--pretty', 'web'));
    expect(await refused(c, 'service', 'inspect', '--pretty', '--format', '{{.ID}}', 'web')).toBe('Error: --format is incompatible with human friendly format');
    expect(await refused(c, 'service', 'inspect', '--format', 'pretty{{.ID}}', 'web')).toBe('Error: cannot supply extra formatting options to the pretty template');
  });
});

describe('host-mode ports without a published number: the host daemon picks one from its ephemeral range', () => {
  it('serially per host and protocol from 32768, skipping ports in use, never reusing one until the daemon restarts', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, [
      'service create -d --name hp --replicas 2 -p mode=host,target=80 -p mode=host,target=53,protocol=udp -p mode=host,published=8443,target=443 nginx',
    ].join('\n') + '\n');
    const ports = async (svc: string) => Object.fromEntries((await ps(c, svc)).filter((r) => !r.Name.startsWith(' ')).map((r) => [r.Node, r.Ports]));
    expect(await ports('hp')).toEqual({ m1: '*:32768->80/tcp,*:32768->53/udp,*:8443->443/tcp', w1: '*:32768->80/tcp,*:32768->53/udp,*:8443->443/tcp' });
    // A port published as such is in use: the allocator steps over it.
    await given(c, 'service create -d --name fixed --replicas 2 -p mode=host,published=32770,target=8080 nginx\nservice rm hp\n');
    await given(c, 'service create -d --name next --replicas 2 -p mode=host,target=80 -p mode=host,target=81 nginx\n');
    expect(await ports('next')).toEqual({ m1: '*:32769->80/tcp,*:32771->81/tcp', w1: '*:32769->80/tcp,*:32771->81/tcp' });
    // A task that stops shows no ports; its replacement binds the next one.
    const onW1 = (await ps(c, 'next', '--no-trunc')).find((r) => r.Node === 'w1')!;
    await given(c, `task fail ${onW1.ID}\nadvance 5s\n`);
    const rows = (await ps(c, 'next')).filter((r) => r.Node === 'w1');
    expect(rows.map((r) => [r.CurrentState.split(' ')[0], r.Ports])).toEqual([['Running', '*:32772->80/tcp,*:32773->81/tcp'], ['Failed', '']]);
    // A rebooted daemon's allocator starts over (the old containers are gone).
    await given(c, 'host crash w1\nhost boot w1\nadvance 5s\n');
    expect((await ps(c, 'next')).filter((r) => r.Node === 'w1')[0]!.Ports).toBe('*:32768->80/tcp,*:32769->81/tcp');
    expect((await c.ok('verify')).trim()).toMatch(/^ok: /);
  });
});

describe('--network-add / --network-rm (docker/cli updateNetworks)', () => {
  it('removes by name, ID or ID prefix; adds once; keeps the attachments sorted by ID; aliases and driver options', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay n1\nnetwork create -d overlay n2\nnetwork create -d overlay n3\n');
    const id = async (n: string) => (await c.ok('network', 'inspect', '--format', '{{.Id}}', n)).trim();
    const [n1, n2, n3] = [await id('n1'), await id('n2'), await id('n3')];
    await given(c, 'service create -d --name web --network n1 --network name=n2,alias=db,alias=Cache,driver-opt=Com.Example=On nginx\n');
    const nets = async () => (await inspect(c, 'web')).Spec.TaskTemplate.Networks;
    // The long form is read as docker/cli reads it: CSV, each field lower-cased.
    expect(await nets()).toEqual([{ Target: n1 }, { Target: n2, Aliases: ['db', 'cache'], DriverOpts: { 'com.example': 'on' } }]);
    await given(c, `service update -d --network-rm ${n1} web\n`);
    expect(await nets()).toEqual([{ Target: n2, Aliases: ['db', 'cache'], DriverOpts: { 'com.example': 'on' } }]);
    await given(c, `service update -d --network-rm ${n2.slice(0, 6)} --network-add n3 --network-add name=n1,alias=x web\n`);
    expect(await nets()).toEqual([{ Target: n1, Aliases: ['x'] }, { Target: n3 }].sort((a, b) => (a.Target < b.Target ? -1 : 1)));
    await given(c, 'service update -d --network-rm n1 web\n');
    expect(await nets()).toEqual([{ Target: n3 }]);
    expect(await refused(c, 'service', 'update', '--network-add', 'n3', 'web')).toBe('Error: service is already attached to network n3');
    expect(await refused(c, 'service', 'update', '--network-rm', 'nosuch', 'web')).toBe('Error: Error response from daemon: network nosuch not found');
    expect(await refused(c, 'service', 'update', '--network-add', 'name=n1,colour=red', 'web')).toBe('Error: invalid argument "name=n1,colour=red" for "--network-add" flag: invalid field key colour');
    expect(await refused(c, 'service', 'update', '--network-add', 'alias=a', 'web')).toBe('Error: invalid argument "alias=a" for "--network-add" flag: network name/id is not specified');
    expect(await refused(c, 'service', 'create', '--network', 'name=n1,ip=1.2.3', 'nginx')).toBe('Error: invalid argument "name=n1,ip=1.2.3" for "--network" flag: ParseAddr("1.2.3"): unable to parse IP');
  });

  it('an attachment change is a task change: the tasks are replaced', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'network create -d overlay n1\nservice create -d --name web nginx\n');
    const before = (await ps(c, 'web', '--no-trunc'))[0]!.ID;
    await given(c, 'service update -d --network-add name=n1,alias=db web\n');
    const rows = await ps(c, 'web', '--no-trunc');
    expect(rows.map((r) => [r.ID === before, r.DesiredState])).toEqual([[false, 'Running'], [true, 'Shutdown']]);
  });
});
