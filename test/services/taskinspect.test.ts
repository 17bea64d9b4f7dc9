/**
 * `docker inspect TASK` (moby daemon/cluster/convert/task.go TaskFromGRPC): the task's spec, status,
 * container status and network attachments, found by `docker inspect` in docker/cli's order (a task's
 * ID is not a container's, so the task answers) and by `--type task`; and `docker inspect` of secrets
 * and configs, with `secret inspect --format`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, DAEMON, fingerprint, ifaces, netInspect, swarm, type Json } from '../network/support.js';

const cli = clis();

async function inspectTask(c: TestCli, ref: string, ...args: string[]): Promise<Json> {
  const arr = JSON.parse(await c.ok(...args, 'inspect', ref)) as Json[];
  expect(arr).toHaveLength(1);
  return arr[0];
}

async function run(c: TestCli, ...args: string[]): Promise<[number, string, string]> {
  const before = await fingerprint(c);
  const r = await c.run(...args);
  expect(await fingerprint(c), `${args.join(' ')} appended nothing`).toEqual(before);
  return [r.code, r.stdout, r.stderr];
}

describe('docker inspect TASK', () => {
  let c: TestCli;
  beforeAll(async () => {
    c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, [
      'network create -d overlay --opt encrypted back',
      'service create -d --name web --replicas 2 -p 8080:80 --network back nginx',
      'service create -d --name stuck --constraint node.labels.zone==nowhere busybox',
      'service create -d --name agent --mode global busybox',
      'echo hunter2 | secret create pw -',
    ].join('\n') + '\n');
  });

  it('a running task: its service, slot, node, spec, container status and an attachment per network', async () => {
    const id = (await c.ok('service', 'ps', '-q', '--no-trunc', '-f', 'desired-state=running', 'web')).split('\n')[0]!;
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    const t = await inspectTask(c, id);
    expect(Object.keys(t)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Labels', 'Spec', 'ServiceID', 'Slot', 'NodeID', 'Status', 'DesiredState', 'NetworksAttachments', 'Volumes']);
    const svc = JSON.parse(await c.ok('service', 'inspect', 'web'))[0] as Json;
    expect(t.ID).toBe(id);
    expect(t.ServiceID).toBe(svc.ID);
    expect(t.Labels).toEqual({});
    expect(t.Volumes).toBeNull();
    // The spec it was made from: the service's task template, network targets as IDs.
    expect(t.Spec).toEqual(svc.Spec.TaskTemplate);
    const back = await netInspect(c, 'back');
    expect(t.Spec.Networks).toEqual([{ Target: back.Id }]);
    // Its node, and the container the agent reported, as that node's daemon shows it.
    const row = (await c.ok('service', 'ps', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.Node}}', 'web')).split('\n').find((l) => l.startsWith(id))!;
    const [, name, host] = row.split(' ');
    expect(t.Slot).toBe(Number(name!.split('.')[1]));
    expect(t.NodeID).toBe(JSON.parse(await c.ok('node', 'inspect', host!))[0].ID);
    const ctr = JSON.parse(await c.ok('--on', host!, 'container', 'inspect', `${name}.${id}`))[0] as Json;
    expect(t.Status).toEqual({
      Timestamp: t.Status.Timestamp, State: 'running', Message: 'started',
      ContainerStatus: { ContainerID: ctr.Id, PID: ctr.State.Pid, ExitCode: 0 }, PortStatus: {},
    });
    expect(t.Status.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(t.DesiredState).toBe('running');
    // Ingress first (it publishes a port), then its own overlay; the addresses its container's interfaces hold.
    const ifs = await ifaces(c, name!, host!);
    const atts = t.NetworksAttachments as Json[];
    expect(atts.map((a) => a.Network.Spec.Name)).toEqual(['ingress', 'back']);
    expect(atts.map((a) => a.Addresses[0])).toEqual([ifs[0]!.inet[0], ifs[1]!.inet[0]]);
    expect(atts[0].Addresses[0]).toMatch(/^10\.0\.0\.\d+\/24$/);
    expect(atts[1].Addresses[0]).toMatch(/^10\.0\.1\.\d+\/24$/);
    // swarmkit's own ingress asks for nothing; a user's overlay keeps its driver and options; the VNI and pool are the allocator's.
    const ingress = await netInspect(c, 'ingress');
    expect(atts[0].Network).toEqual({
      ID: ingress.Id, Version: atts[0].Network.Version, CreatedAt: ingress.Created, UpdatedAt: ingress.Created,
      Spec: { Name: 'ingress', Labels: {}, DriverConfiguration: {}, Ingress: true, IPAMOptions: { Driver: {} }, Scope: 'swarm' },
      DriverState: { Name: 'overlay', Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4096' } },
      IPAMOptions: { Driver: { Name: 'default' }, Configs: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }] },
    });
    expect(atts[1].Network.Spec).toEqual({ Name: 'back', Labels: {}, DriverConfiguration: { Name: 'overlay', Options: { encrypted: '' } }, IPAMOptions: { Driver: { Name: 'default' } }, Scope: 'swarm' });
    expect(atts[1].Network.DriverState).toEqual({ Name: 'overlay', Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' } });
  });

  it('is found by its full name and a unique ID prefix; a template reads its fields', async () => {
    const id = (await c.ok('service', 'ps', '-q', '--no-trunc', 'stuck')).trim();
    expect((await inspectTask(c, id.slice(0, 6))).ID).toBe(id);
    expect(await c.ok('inspect', '--type', 'task', '-f', '{{.Status.State}} {{.DesiredState}}', id)).toBe('pending running\n');
    const web = (await c.ok('service', 'ps', '--no-trunc', '--format', '{{.Name}}.{{.ID}}', 'web')).split('\n')[0]!;
    // The full name is also its container's name: docker inspect tries containers first, and finds it on its node.
    expect(JSON.parse(await c.ok('inspect', '--type', 'task', web))[0].ID).toBe(web.split('.')[2]);
    expect((await inspectTask(c, web)).Id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a task the scheduler cannot place: no node, no container, the scheduler’s error', async () => {
    const t = await inspectTask(c, (await c.ok('service', 'ps', '-q', '--no-trunc', 'stuck')).trim());
    expect(t.NodeID).toBeUndefined();
    expect(t.NetworksAttachments).toBeUndefined();
    expect(t.Status).toEqual({ Timestamp: t.Status.Timestamp, State: 'pending', Message: 'pending task scheduling', Err: 'no suitable node (scheduling constraints not satisfied on 3 nodes)', PortStatus: {} });
  });

  it('a global task has no slot; a failed one keeps its exit code and no PID', async () => {
    const g = await inspectTask(c, (await c.ok('service', 'ps', '-q', '--no-trunc', 'agent')).split('\n')[0]!);
    expect(g.Slot).toBeUndefined();
    expect(g.NodeID).toMatch(/^[0-9a-z]{25}$/);
    const id = (await c.ok('service', 'ps', '-q', '--no-trunc', '-f', 'desired-state=running', 'web')).split('\n')[0]!;
    await c.ok('task', 'fail', id, '--exit-code', '3');
    const t = await inspectTask(c, id);
    expect([t.Status.State, t.Status.Err, t.Status.ContainerStatus.PID, t.Status.ContainerStatus.ExitCode, t.DesiredState])
      .toEqual(['failed', 'task: non-zero exit (3)', 0, 3, 'shutdown']);
  });

  it('errors: not found, an ambiguous prefix, a worker; nothing appended', async () => {
    expect(await run(c, 'inspect', '--type', 'task', 'nope')).toEqual([1, '[]\n', `${DAEMON}task nope not found\n`]);
    const ids = (await c.ok('service', 'ps', '-q', '--no-trunc', 'web', 'agent', 'stuck')).trim().split('\n');
    const byFirst = new Map<string, number>();
    for (const x of ids) byFirst.set(x[0]!, (byFirst.get(x[0]!) ?? 0) + 1);
    const [p, n] = [...byFirst].find(([, k]) => k > 1) ?? ['', 0];
    expect(n, 'two of these tasks share a first character (fixed seed)').toBeGreaterThan(1);
    expect(await run(c, 'inspect', '--type', 'task', p)).toEqual([1, '[]\n', `${DAEMON}task ${p} is ambiguous (${n} matches found)\n`]);
    expect((await run(c, '--on', 'w1', 'inspect', ids[0]!))[2]).toBe(`Error: No such object: ${ids[0]}\n`);
  });

  it('secrets and configs: docker inspect finds them by name; secret inspect --format; dockerd’s not found', async () => {
    const sec = await inspectTask(c, 'pw');
    expect(sec.Spec).toEqual({ Name: 'pw', Labels: {} });
    expect(await c.ok('secret', 'inspect', '-f', '{{.Spec.Name}} {{.ID}}', 'pw')).toBe(`pw ${sec.ID}\n`);
    expect(await run(c, 'secret', 'inspect', 'pw', 'nope')).toEqual([1, expect.stringContaining('"Name": "pw"'), `${DAEMON}secret nope not found\n`]);
    expect(await run(c, 'secret', 'inspect', '--pretty', '-f', '{{.ID}}', 'pw')).toEqual([1, '', 'Error: cannot supply extra formatting options to the pretty template\n']);
  });
});
