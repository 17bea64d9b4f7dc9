/**
 * Volumes created on the task's node, mounts the node's dockerd refuses (moby
 * daemon/cluster/executor/container/validate.go, rejected by swarmkit's exec.Resolve before the task
 * starts), and standalone containers on a host: run, ps, kill, stop, start, rm, exec
 * (moby daemon/kill.go, stop.go, delete.go).
 */
import { describe, expect, it } from 'vitest';
import { clis, current, DAEMON, given, log, ps, refusedWith, swarm } from './support.js';

const cli = clis();

describe('volumes', () => {
  it('--mount type=volume creates the named volume on the node of each task, and only there', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name db --replicas 2 --mount type=volume,source=data,target=/data --mount type=volume,target=/cache nginx\n');
    const nodes = (await current(c, 'db')).map((r) => r.Node).sort();
    const idle = ['m1', 'w1', 'w2'].find((h) => !nodes.includes(h))!;
    for (const h of nodes) {
      const out = (await c.ok('--on', h, 'volume', 'ls')).split('\n');
      expect(out[0]).toBe('DRIVER    VOLUME NAME');
      // The named volume, and one anonymous volume (64 hex characters) for /cache.
      expect(out.filter((l) => /^local {5}data$/.test(l))).toHaveLength(1);
      expect(out.filter((l) => /^local {5}[0-9a-f]{64}$/.test(l))).toHaveLength(1);
    }
    expect(await c.ok('--on', idle, 'volume', 'ls', '-q')).toBe('');
    const [v] = JSON.parse(await c.ok('--on', nodes[0]!, 'volume', 'inspect', 'data'));
    expect(v).toMatchObject({ Driver: 'local', Name: 'data', Mountpoint: '/var/lib/docker/volumes/data/_data', Scope: 'local' });
  });

  it('a restarted task reuses its node’s named volume', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name db --mount source=data,target=/data nginx\n');
    await given(c, `task fail ${(await current(c, 'db'))[0]!.ID}\nadvance 5s\n`);
    expect((await log(c, 'VolumeCreated')).map((e) => e.event.name)).toEqual(['data']);
    expect(await c.ok('--on', 'm1', 'volume', 'ls', '-q')).toBe('data\n');
  });
});

describe('mounts the node refuses', () => {
  it.each<[string, string]>([
    ['type=volume,source=data,target=data', 'invalid mount target, must be an absolute path: data'],
    ['type=bind,source=relative,target=/x', 'invalid bind mount source, must be an absolute path: relative'],
    ['type=volume,source=/abs,target=/x', 'invalid volume mount source, must not be an absolute path: /abs'],
    ['type=tmpfs,source=x,target=/x', 'invalid tmpfs source, source must be empty'],
  ])('%s → REJECTED: %s', async (mount, err) => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, `service create -d --name web --mount ${mount} nginx\n`);
    // The task is rejected; its replacement, prepared at once while it waits out the restart delay,
    // is rejected too — and the next restart waits for that delay (no tight restart loop).
    const rows = await ps(c, 'web', '--no-trunc');
    expect(rows.map((r) => [r.Node, r.DesiredState, r.CurrentState, r.Error])).toEqual([
      ['m1', 'Ready', 'Rejected less than a second ago', `"${err}"`],
      ['m1', 'Shutdown', 'Rejected less than a second ago', `"${err}"`],
    ]);
    const [short] = await ps(c, 'web');
    expect(short!.Error).toBe(`"${err.slice(0, 29)}…"`);
    // Rejected by the agent before it accepted the task, with swarmkit's message.
    const changes = (await log(c, 'TaskStateChanged')).filter((e) => e.event.taskId === rows[1]!.ID);
    expect(changes.map((e) => `${e.event.from}→${e.event.to}:${e.event.message}`)).toEqual(['new→pending:pending task scheduling', 'assigned→rejected:resolving controller failed']);
    await given(c, 'advance 4s\n');
    expect(await ps(c, 'web')).toHaveLength(2);
    await given(c, 'advance 1s\n');
    expect((await ps(c, 'web')).map((r) => `${r.DesiredState} ${r.CurrentState}`)).toEqual([
      'Ready Rejected less than a second ago', 'Shutdown Rejected 5 seconds ago', 'Shutdown Rejected 5 seconds ago',
    ]);
    // No volume is ever created for a rejected task.
    expect(await c.ok('--on', 'm1', 'volume', 'ls', '-q')).toBe('');
  });
});

describe('standalone containers', () => {
  it('run -d --name, ps, ps -a, kill, start, stop, exec, rm and rm -f, on the host typed on', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] });
    const id = (await c.ok('--on', 'w1', 'run', '-d', '--name', 'web', '-e', 'A=1', 'nginx')).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const table = (await c.ok('--on', 'w1', 'ps')).split('\n');
    // IMAGE is the reference as typed (docker/cli ContainerContext.Image: familiar, digest cut).
    expect(table[0]).toBe('CONTAINER ID   IMAGE     COMMAND                  CREATED                  STATUS                  PORTS     NAMES');
    expect(table[1]).toBe(`${id.slice(0, 12)}   nginx     "/docker-entrypoint.…"   Less than a second ago   Up Less than a second             web`);
    // Another host does not see it.
    expect(await c.ok('--on', 'm1', 'ps', '-a', '-q')).toBe('');
    expect(await refusedWith(c, '--on', 'm1', 'kill', 'web')).toBe(`${DAEMON}No such container: web`);

    expect(await c.ok('--on', 'w1', 'exec', 'web', 'printenv', 'A')).toBe('1\n');
    expect(await refusedWith(c, '--on', 'w1', 'run', '-d', '--name', 'web', 'nginx')).toBe(
      `${DAEMON}Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`);
    expect(await refusedWith(c, '--on', 'w1', 'rm', 'web')).toBe(`${DAEMON}cannot remove container "/web": container is running: stop the container before removing or force remove`);

    expect(await c.ok('--on', 'w1', 'kill', 'web')).toBe('web\n');
    const status = async () => (await c.ok('--on', 'w1', 'ps', '-a', '--format', '{{.Names}} {{.Status}}')).trim();
    expect(await status()).toBe('web Exited (137) Less than a second ago');
    expect(await c.ok('--on', 'w1', 'ps', '-q')).toBe('');
    expect(await refusedWith(c, '--on', 'w1', 'kill', 'web')).toBe(`${DAEMON}container ${id} is not running`);
    expect(await refusedWith(c, '--on', 'w1', 'exec', 'web', 'true')).toBe(`${DAEMON}container ${id} is not running`);
    // Stopping a stopped container is not an error (dockerd answers 304).
    expect(await c.ok('--on', 'w1', 'stop', 'web')).toBe('web\n');

    expect(await c.ok('--on', 'w1', 'start', 'web')).toBe('web\n');
    expect(await status()).toBe('web Up Less than a second');
    await given(c, 'advance 2m\n');
    expect(await status()).toBe('web Up 2 minutes');
    expect(await c.ok('--on', 'w1', 'stop', 'web')).toBe('web\n');
    expect(await status()).toBe('web Exited (0) Less than a second ago');
    expect(await c.ok('--on', 'w1', 'rm', 'web')).toBe('web\n');
    expect(await c.ok('--on', 'w1', 'ps', '-a', '-q')).toBe('');

    await given(c, '--on w1 run -d --name again nginx\n');
    expect(await c.ok('--on', 'w1', 'rm', '-f', 'again')).toBe('again\n');
    expect(await c.ok('--on', 'w1', 'ps', '-a', '-q')).toBe('');
  });

  it('docker ps on a node lists its task containers as <service>.<slot>.<task id>; exec works on them', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --replicas 2 -e GREETING=hi nginx:1.25\n');
    const tasks = await ps(c, 'web', '--no-trunc');
    const names = (await c.ok('--on', 'm1', 'ps', '--format', '{{.Names}} {{.Image}}')).trim().split('\n').sort();
    expect(names).toEqual(tasks.map((t) => `${t.Name}.${t.ID} nginx:1.25`).sort());
    expect(await c.ok('exec', 'web.2', 'printenv', 'GREETING')).toBe('hi\n');
    expect(await refusedWith(c, 'exec', 'web.9', 'true')).toBe(`${DAEMON}No such container: web.9`);
    // A task container cannot be removed while running without -f; with -f it dies (137) and is replaced.
    expect(await refusedWith(c, '--on', 'm1', 'rm', `web.1.${tasks[0]!.ID}`)).toMatch(/container is running/);
    await given(c, `--on m1 rm -f web.1.${tasks[0]!.ID}\nadvance 5s\n`);
    const web1 = (await ps(c, 'web')).filter((r) => r.Name.endsWith('web.1'));
    expect(web1.map((r) => r.CurrentState.split(' ')[0])).toEqual(['Running', 'Failed']);
    expect(web1[1]!.Error).toBe('"task: non-zero exit (137)"');
  });

  it('docker ps --format: every field of docker/cli’s ContainerContext, and their column titles', async () => {
    const c = cli();
    await given(c, 'host add h1\nnetwork create front\nnetwork create back\nrun -d --name app --network front -l tier=web -v a-rather-long-volume-name:/data busybox\nnetwork connect back app\nadvance 3m\n');
    const [row] = (await c.ok('ps', '--format', 'json')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const id = (JSON.parse(await c.ok('container', 'inspect', 'app'))[0].Id as string).slice(0, 12);
    expect(row).toEqual({
      Command: '"sh"', CreatedAt: '2026-01-01 09:00:00 +0000 UTC', ID: id, Image: 'busybox', Labels: 'tier=web', LocalVolumes: '1',
      Mounts: 'a-rather-long-…', Names: 'app', Networks: 'back,front', Platform: null, Ports: '', RunningFor: '3 minutes ago', Size: '0B',
      State: 'running', Status: 'Up 3 minutes',
    });
    expect(await c.ok('ps', '--no-trunc', '--format', '{{.Mounts}} {{.ID}}')).toBe(`a-rather-long-volume-name ${JSON.parse(await c.ok('container', 'inspect', 'app'))[0].Id}\n`);
    expect(await c.ok('ps', '--format', 'table {{.Names}}\t{{.Networks}}\t{{.RunningFor}}\t{{.CreatedAt}}\t{{.LocalVolumes}}'))
      .toBe('NAMES     NETWORKS     CREATED         CREATED AT                      LOCAL VOLUMES\napp       back,front   3 minutes ago   2026-01-01 09:00:00 +0000 UTC   1\n');
    // volume ls: docker/cli's volumeContext; usage and cluster fields are N/A unless asked for.
    expect(JSON.parse(await c.ok('volume', 'ls', '--format', 'json'))).toEqual({
      Availability: 'N/A', Driver: 'local', Group: 'N/A', Labels: '', Links: 'N/A', Mountpoint: '/var/lib/docker/volumes/a-rather-long-volume-name/_data',
      Name: 'a-rather-long-volume-name', Scope: 'local', Size: 'N/A', Status: 'N/A',
    });
  });
});
