/**
 * `docker service create | ls | ps | inspect | scale | rm` as the user sees them: columns, `--format
 * json` keys, the inspect JSON shape with dockerd's inserted defaults, published ports (ingress,
 * auto-assigned from 30000, host mode, conflicts), names, and Docker's messages for refusals — each
 * refusal leaving the log untouched.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TestCli } from '../helpers/cli.js';
import { clis, current, DAEMON, fingerprint, given, inspect, ls, ps, refused, refusedEach, refusedWith, RPC, swarm } from './support.js';

const cli = clis();

describe('service create output', () => {
  it('prints the full ID, then Docker’s convergence progress; -d prints only the ID', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] });
    const out = await c.ok('service', 'create', '--name', 'web', '--replicas', '2', 'nginx');
    const id = out.split('\n')[0]!;
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    expect(out).toBe([
      id,
      'overall progress: 2 out of 2 tasks',
      '1/2: running   [==================================================>]',
      '2/2: running   [==================================================>]',
      `verify: Service ${id} converged`,
      '',
    ].join('\n'));
    const d = await c.ok('service', 'create', '-d', '--name', 'api', 'nginx');
    expect(d).toMatch(/^[0-9a-z]{25}\n$/);
    expect((await inspect(c, 'api')).ID).toBe(d.trim());
  });

  it('without --name dockerd picks a random adjective_surname name', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d nginx\n');
    const [row] = await ls(c);
    expect(row!.Name).toMatch(/^[a-z]+_[a-z]+$/);
    expect((await inspect(c, row!.Name)).Spec.Name).toBe(row!.Name);
  });
});

describe('service ls', () => {
  const c = new TestCli();
  beforeAll(async () => {
    await given(c, 'host add m1\nhost add w1\n--on m1 swarm init\n--on w1 swarm join --token $(swarm join-token -q worker) m1:2377\n' + [
      'service create -d --name web --replicas 3 -p 8080:80 nginx',
      'service create -d --name api -p 80 -p 443 redis:7',
      'service create -d --name agent --mode global busybox',
      'service create -d --name range -p 9000-9001:90-91/udp -p published=7000,target=70,mode=host alpine',
      'service create -d --name capped --replicas 2 --replicas-max-per-node 1 nginx',
    ].join('\n') + '\n');
  });
  it('has Docker’s columns, natural name order, images without digest and ingress ports only', async () => {
    const table = (await c.ok('service', 'ls')).replace(/^[0-9a-z]{12} /gm, '<id>         ');
    expect(table).toBe([
      'ID             NAME      MODE         REPLICAS               IMAGE            PORTS',
      '<id>           agent     global       2/2                    busybox:latest   ',
      '<id>           api       replicated   1/1                    redis:7          *:30000->80/tcp, *:30001->443/tcp',
      '<id>           capped    replicated   2/2 (max 1 per node)   nginx:latest     ',
      '<id>           range     replicated   1/1                    alpine:latest    *:9000-9001->90-91/udp',
      '<id>           web       replicated   3/3                    nginx:latest     *:8080->80/tcp',
      '',
    ].join('\n'));
    const rows = await ls(c);
    expect(rows.map((r) => [r.Name, r.Mode, r.Replicas, r.Image, r.Ports])).toEqual([
      ['agent', 'global', '2/2', 'busybox:latest', ''],
      ['api', 'replicated', '1/1', 'redis:7', '*:30000->80/tcp, *:30001->443/tcp'],
      ['capped', 'replicated', '2/2 (max 1 per node)', 'nginx:latest', ''],
      ['range', 'replicated', '1/1', 'alpine:latest', '*:9000-9001->90-91/udp'],
      ['web', 'replicated', '3/3', 'nginx:latest', '*:8080->80/tcp'],
    ]);
    for (const r of rows) expect(r.ID).toMatch(/^[0-9a-z]{12}$/);
  });

  it('--format json prints one object per line with the keys docker prints, HTML-escaped like Go', async () => {
    const out = await c.ok('service', 'ls', '--format', 'json', '--filter', 'name=web');
    expect(Object.keys(JSON.parse(out))).toEqual(['ID', 'Image', 'Mode', 'Name', 'Ports', 'Replicas']);
    expect(out).toContain('"Ports":"*:8080-\\u003e80/tcp"');
    expect(await c.ok('service', 'ls', '-q', '--filter', 'mode=global')).toMatch(/^[0-9a-z]{12}\n$/);
  });

  it('service ps has Docker’s columns; host-mode ports show in PORTS; --format json keys', async () => {
    const table = await c.ok('service', 'ps', 'range');
    expect(table.split('\n')[0]).toBe('ID             NAME      IMAGE           NODE      DESIRED STATE   CURRENT STATE                    ERROR     PORTS');
    expect(table.split('\n')[1]).toMatch(/^[0-9a-z]{12} {3}range\.1 {3}alpine:latest {3}(m1|w1) {8}Running {9}Running less than a second ago {13}\*:7000->70\/tcp$/);
    const json = await c.ok('service', 'ps', '--format', 'json', 'web');
    const first = JSON.parse(json.split('\n')[0]!);
    expect(Object.keys(first)).toEqual(['CurrentState', 'DesiredState', 'Error', 'ID', 'Image', 'Name', 'Node', 'Ports']);
    expect(first).toMatchObject({ Name: 'web.1', Image: 'nginx:latest', DesiredState: 'Running', CurrentState: 'Running less than a second ago', Error: '', Ports: '' });
    // -q prints task IDs; --no-trunc full IDs and the pinned image.
    expect((await c.ok('service', 'ps', '-q', 'web')).trim().split('\n').every((l) => /^[0-9a-z]{12}$/.test(l))).toBe(true);
    const full = (await ps(c, 'web', '--no-trunc'))[0]!;
    expect(full.ID).toMatch(/^[0-9a-z]{25}$/);
    expect(full.Image).toMatch(/^nginx:latest@sha256:[0-9a-f]{64}$/);
  });

  it('service ps of several services sorts the tasks by name, naturally', async () => {
    const names = (await ps(c, 'web', 'api')).map((r) => r.Name);
    expect(names).toEqual(['api.1', 'web.1', 'web.2', 'web.3']);
  });

  it('service inspect: Docker’s JSON shape with the defaults dockerd inserts, durations in ns', async () => {
    const svc = await inspect(c, 'web');
    expect(svc.ID).toMatch(/^[0-9a-z]{25}$/);
    expect(svc.Version.Index).toBeGreaterThan(0);
    expect(svc.CreatedAt).toBe('2026-01-01T09:00:00Z');
    expect(svc.Spec.Name).toBe('web');
    expect(svc.Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(svc.Spec.TaskTemplate.ContainerSpec).toMatchObject({ StopGracePeriod: 10e9, DNSConfig: {}, Isolation: 'default' });
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toMatch(/^nginx:latest@sha256:[0-9a-f]{64}$/);
    expect(svc.Spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'any', Delay: 5e9, MaxAttempts: 0 });
    expect(svc.Spec.TaskTemplate.Resources).toEqual({ Limits: {}, Reservations: {} });
    const defaults = { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' };
    expect(svc.Spec.UpdateConfig).toEqual(defaults);
    expect(svc.Spec.RollbackConfig).toEqual(defaults);
    const port = { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' };
    expect(svc.Spec.EndpointSpec).toEqual({ Mode: 'vip', Ports: [port] });
    expect(svc.Endpoint.Ports).toEqual([port]);
    expect(svc.UpdateStatus).toBeUndefined();
    expect(svc.PreviousSpec).toBeUndefined();
    // An auto-assigned port: the spec keeps no PublishedPort, Endpoint.Ports has the allocated one.
    const api = await inspect(c, 'api');
    expect(api.Spec.EndpointSpec.Ports[0]).toEqual({ Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress' });
    expect(api.Endpoint.Ports[0]).toEqual({ Protocol: 'tcp', TargetPort: 80, PublishedPort: 30000, PublishMode: 'ingress' });
    expect((await inspect(c, 'agent')).Spec.Mode).toEqual({ Global: {} });
    expect((await inspect(c, 'capped')).Spec.TaskTemplate.Placement.MaxReplicas).toBe(2 - 1);
    // Several at once: an array.
    expect(JSON.parse(await c.ok('service', 'inspect', 'web', 'api')).map((x: { Spec: { Name: string } }) => x.Spec.Name)).toEqual(['web', 'api']);
  });

  it('flags land where dockerd puts them', async () => {
    const d = new TestCli();
    try {
      await given(d, 'host add m1\n--on m1 swarm init\n' + [
        'service create -d --name full --replicas 2 --restart-condition on-failure --restart-delay 10s --restart-max-attempts 3 --restart-window 1m',
        ' --update-parallelism 2 --update-delay 30s --update-order start-first --update-failure-action rollback --update-monitor 10s --update-max-failure-ratio 0.5',
        ' --rollback-parallelism 0 --constraint node.role==manager --placement-pref spread=node.labels.az --reserve-cpu 0.5 --reserve-memory 64MiB',
        ' --limit-cpu 1 --limit-memory 128MiB -e A=1 -l team=x --stop-grace-period 30s --endpoint-mode dnsrr nginx:1.25 nginx -g daemon',
      ].join('') + '\n');
      const s = (await inspect(d, 'full')).Spec;
      expect(s.Labels).toEqual({ team: 'x' });
      expect(s.TaskTemplate.ContainerSpec).toMatchObject({ Args: ['nginx', '-g', 'daemon'], Env: ['A=1'], StopGracePeriod: 30e9 });
      expect(s.TaskTemplate.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 10e9, MaxAttempts: 3, Window: 60e9 });
      expect(s.TaskTemplate.Resources).toEqual({ Limits: { NanoCPUs: 1e9, MemoryBytes: 128 * 1024 ** 2 }, Reservations: { NanoCPUs: 0.5e9, MemoryBytes: 64 * 1024 ** 2 } });
      expect(s.TaskTemplate.Placement).toMatchObject({ Constraints: ['node.role==manager'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.az' } }] });
      expect(s.UpdateConfig).toEqual({ Parallelism: 2, Delay: 30e9, FailureAction: 'rollback', Monitor: 10e9, MaxFailureRatio: 0.5, Order: 'start-first' });
      expect(s.RollbackConfig).toEqual({ Parallelism: 0, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' });
      expect(s.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    } finally {
      d.cleanup();
    }
  });
});

describe('published ports', () => {
  it('auto-assigns from 30000 up, refuses a port in use with swarmkit’s message, allows host vs host', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web -p 8080:80 nginx\nservice create -d --name a -p 80 nginx\nservice create -d --name h -p published=9000,target=80,mode=host nginx\n');
    const webId = (await inspect(c, 'web')).ID;
    const hId = (await inspect(c, 'h')).ID;
    expect(await refusedWith(c, 'service', 'create', '--name', 'x', '-p', '8080:81', 'nginx')).toBe(`${RPC('InvalidArgument')}port '8080' is already in use by service 'web' (${webId}) as an ingress port`);
    expect(await refusedWith(c, 'service', 'create', '--name', 'x', '-p', 'published=8080,target=80,mode=host', 'nginx')).toBe(`${RPC('InvalidArgument')}port '8080' is already in use by service 'web' (${webId}) as an ingress port`);
    expect(await refusedWith(c, 'service', 'create', '--name', 'x', '-p', '9000:80', 'nginx')).toBe(`${RPC('InvalidArgument')}port '9000' is already in use by service 'h' (${hId}) as a host-published port`);
    expect(await refusedWith(c, 'service', 'create', '--name', 'x', '-p', '81:80', '-p', '81:90', 'nginx')).toBe(`${RPC('InvalidArgument')}EndpointSpec: duplicate published ports provided`);
    // Another protocol is another port space; host vs host is allowed (HostPortFilter keeps them apart).
    await given(c, 'service create -d --name udp -p 8080:80/udp nginx\nservice create -d --name h2 -p published=9000,target=80,mode=host nginx\nservice create -d --name b -p 443 nginx\n');
    expect((await ls(c)).map((r) => [r.Name, r.Ports])).toEqual([
      ['a', '*:30000->80/tcp'], ['b', '*:30001->443/tcp'], ['h', ''], ['h2', ''], ['udp', '*:8080->80/udp'], ['web', '*:8080->80/tcp'],
    ]);
    const h = (await current(c, 'h'))[0]!;
    const h2 = (await current(c, 'h2'))[0]!;
    expect(h.Node).not.toBe(h2.Node);
    expect([h.Ports, h2.Ports]).toEqual(['*:9000->80/tcp', '*:9000->80/tcp']);
  });

  it('dnsrr with an ingress port is refused, even without a published port; host mode is fine', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] });
    const msg = `${RPC('InvalidArgument')}EndpointSpec: port published with ingress mode can't be used with dnsrr mode`;
    expect(await refusedWith(c, 'service', 'create', '--name', 'x', '--endpoint-mode', 'dnsrr', '-p', '8080:80', 'nginx')).toBe(msg);
    expect(await refusedWith(c, 'service', 'create', '--name', 'x', '--endpoint-mode', 'dnsrr', '-p', '80', 'nginx')).toBe(msg);
    await given(c, 'service create -d --name x --endpoint-mode dnsrr -p published=81,target=80,mode=host nginx\n');
    expect((await ls(c))[0]).toMatchObject({ Name: 'x', Ports: '' });
  });

  it('an update keeps an auto-assigned port; publish-add/rm change the ports', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name a -p 80 nginx\nservice update -d --env-add X=1 a\nservice update -d --publish-add 8443:443 --publish-rm 80 a\n');
    expect((await ls(c))[0]!.Ports).toBe('*:8443->443/tcp');
  });
});

describe('service scale', () => {
  it('prints `web scaled to N` per service and converges; errors are collected per service', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\nservice create -d --name api nginx\nservice create -d --name g --mode global nginx\n');
    const out = await c.ok('service', 'scale', '-d', 'web=3', 'api=05');
    expect(out).toBe('web scaled to 3\napi scaled to 5\n');
    expect((await ls(c)).map((r) => [r.Name, r.Replicas])).toEqual([['api', '5/5'], ['g', '1/1'], ['web', '3/3']]);
    expect(await refusedWith(c, 'service', 'scale', 'web')).toBe("Error: invalid scale specifier 'web'.");
    expect(await refused(c, 'service', 'scale', 'web=')).toBe([
      "Error: invalid scale specifier 'web='.",
      "See 'docker service scale --help'.",
      '',
      'Usage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]',
      '',
      'Scale one or multiple replicated services',
      '',
    ].join('\n'));
    expect(await refusedWith(c, 'service', 'scale', 'web=x')).toBe('Error: web: invalid replicas value x: strconv.ParseUint: parsing "x": invalid syntax');
    expect(await refusedWith(c, 'service', 'scale', 'web=-1')).toBe('Error: web: invalid replicas value -1: strconv.ParseUint: parsing "-1": invalid syntax');
    expect(await refusedWith(c, 'service', 'scale', 'g=2')).toBe('Error: g: scale can only be used with replicated or replicated-job mode');
    expect(await refusedWith(c, 'service', 'scale', 'nope=2')).toBe('Error: nope: Error response from daemon: service nope not found');
    // One good, one bad: the good one is scaled, the exit is non-zero.
    const r = await c.run('service', 'scale', '-d', 'web=1', 'nope=2');
    expect(r).toMatchObject({ code: 1, stdout: 'web scaled to 1\n', stderr: 'Error: nope: Error response from daemon: service nope not found\n' });
  });
});

describe('names and refusals', () => {
  it('service names: no dots, DNS-label characters, 63 at most, unique', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const invalid = `${RPC('InvalidArgument')}name must be valid as a DNS name component`;
    const names = ['web.v2', '-web', 'web_', 'web!', 'a b', 'a'.repeat(64), 'web'];
    expect(await refusedEach(c, names.map((n) => ['service', 'create', `--name=${n}`, 'nginx']))).toEqual([
      invalid, invalid, invalid, invalid, invalid,
      `${RPC('InvalidArgument')}name must be 63 characters or fewer`,
      `${RPC('AlreadyExists')}name conflicts with an existing object: service web already exists`,
    ]);
    await given(c, `service create -d --name ${'a'.repeat(63)} nginx\nservice create -d --name my_web-2 nginx\n`);
  });

  it('bad flag values are refused before anything is sent', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] });
    const cases: [string[], string][] = [
      [['--replicas', 'x'], 'Error: invalid argument "x" for "--replicas" flag: strconv.ParseUint: parsing "x": invalid syntax'],
      [['--mode', 'global', '--replicas', '2'], 'Error: replicas can only be used with replicated or replicated-job mode'],
      [['--mode', 'sometimes'], 'Error: unknown mode: sometimes, only replicated and global supported'],
      [['-p', '1.2.3.4:80:80'], 'Error: invalid argument "1.2.3.4:80:80" for "-p, --publish" flag: hostip is not supported'],
      [['-p', 'target=80,bogus=1'], 'Error: invalid argument "target=80,bogus=1" for "-p, --publish" flag: invalid field key: bogus'],
      [['--mount', 'type=bind,volume-nocopy'], 'Error: invalid argument "type=bind,volume-nocopy" for "--mount" flag: cannot mix \'volume-*\' options with mount type \'bind\''],
      [['--secret', 'source=s,mode=abc'], 'Error: invalid argument "source=s,mode=abc" for "--secret" flag: invalid mode specified: strconv.ParseUint: parsing "abc": invalid syntax'],
      [['--secret', 'nope'], 'Error: secret not found: nope'],
      [['--placement-pref', 'pack=node.labels.az'], 'Error: invalid argument "pack=node.labels.az" for "--placement-pref" flag: unsupported placement preference pack (only spread is supported)'],
      [['--restart-delay', '5'], 'Error: invalid argument "5" for "--restart-delay" flag: time: invalid duration "5"'],
      // dockerd refuses these while converting the spec, without a gRPC code (daemon/cluster/convert/service.go).
      [['--restart-condition', 'never'], `${DAEMON}invalid RestartCondition: "never"`],
      [['--constraint', 'node.labels.zone=a'], `${RPC('Unknown')}constraint expected one operator from ==, !=`],
      [['--constraint', 'node.labels.zone==a,b'], `${RPC('Unknown')}value 'a,b' is invalid`],
      [['--constraint', 'x==a'], `${RPC('Unknown')}key 'x' is invalid`],
      [['--reserve-cpu', '0.0001'], `${RPC('InvalidArgument')}invalid cpu value 0.0001: Must be at least 0.001`],
      [['--reserve-memory', '1k'], `${RPC('InvalidArgument')}invalid memory value 1024: Must be at least 4MiB`],
      [['--update-order', 'random'], `${DAEMON}unrecognized update order random`],
      [['--frobnicate'], 'Error: unknown flag: --frobnicate'],
    ];
    expect(await refusedEach(c, cases.map(([flags]) => ['service', 'create', '--name', 'web', ...flags, 'nginx']))).toEqual(cases.map(([, line]) => line));
    // swarmkit's validateImage (controlapi/service.go), after dockerd could not pin the reference to a digest.
    const images: [string, string][] = [
      ['', 'ContainerSpec: image reference must be provided'],
      ['nginx:bad:tag', 'ContainerSpec: "nginx:bad:tag" is not a valid repository/tag'],
      ['NGINX', 'ContainerSpec: "NGINX" is not a valid repository/tag'],
      ['a___b', 'ContainerSpec: "a___b" is not a valid repository/tag'],
      ['x@sha256:abc', 'ContainerSpec: "x@sha256:abc" is not a valid repository/tag'],
    ];
    expect(await refusedEach(c, images.map(([img]) => ['service', 'create', '--name', 'web', img]))).toEqual(images.map(([, m]) => `${RPC('InvalidArgument')}${m}`));
    expect(await ls(c)).toEqual([]);
    // What the grammar allows: a registry with a port, nested paths, `__` and `-` separators, a digest.
    await given(c, `service create -d --name a localhost:5000/team/my-app:1.0\nservice create -d --name b a__b\nservice create -d --name c registry.example.com/x@sha256:${'ab'.repeat(32)}\n`);
    expect((await ls(c)).map((r) => r.Image)).toEqual(['localhost:5000/team/my-app:1.0', 'a__b:latest', 'registry.example.com/x']);
    expect(await refusedWith(c, 'service', 'update', '--image', '', 'a')).toBe(`${RPC('InvalidArgument')}ContainerSpec: image reference must be provided`);
  });

  it('unknown services: ps, inspect, rm, update, rollback', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    expect(await refusedWith(c, 'service', 'ps', 'nope')).toBe('Error: no such service: nope');
    const before = await fingerprint(c);
    const r = await c.run('service', 'inspect', 'web', 'nope', '--format', '{{.Spec.Name}}');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, 'web\n', 'Error: no such service: nope\n']);
    const none = await c.run('service', 'inspect', 'nope');
    expect([none.code, none.stdout, none.stderr]).toEqual([1, '[]\n', 'Error: no such service: nope\n']);
    expect(await fingerprint(c)).toEqual(before);
    expect(await refusedWith(c, 'service', 'rm', 'nope')).toBe(`${DAEMON}service nope not found`);
    expect(await refusedWith(c, 'service', 'update', '--image', 'x', 'nope')).toBe(`${DAEMON}service nope not found`);
    expect(await refusedWith(c, 'service', 'rollback', 'nope')).toBe(`${DAEMON}service nope not found`);
    // Services are found by ID, name or unique ID prefix.
    const id = (await inspect(c, 'web')).ID as string;
    expect((await inspect(c, id.slice(0, 5))).Spec.Name).toBe('web');
  });

  it('service rm echoes its arguments and its tasks go away; removing one that is gone fails', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --replicas 2 nginx\nservice create -d --name api nginx\n');
    expect(await c.ok('service', 'rm', 'web', 'api')).toBe('web\napi\n');
    expect(await ls(c)).toEqual([]);
    expect(await c.ok('--on', 'm1', 'ps', '-a', '-q')).toBe('');
    expect(await refusedWith(c, 'service', 'rm', 'web')).toBe(`${DAEMON}service web not found`);
  });
});
