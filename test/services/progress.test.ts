/**
 * What `service create/update/scale/rollback` print while they wait for convergence, as docker/cli's
 * progress monitor does (cli/command/service/progress/progress.go), polled once when the command's
 * batch is done: paused updates fail the command, only up-to-date tasks count, slots map onto
 * 1…replicas without holes, bars and errors as jsonmessage draws them.
 */
import { describe, expect, it } from 'vitest';
import { refused } from '../helpers/refuse.js';
import { clis, given, inspect, log, ps, swarm } from './support.js';

const cli = clis();
const BAR = '[==================================================>]';
const running = (id: string) => `${id}: running   ${BAR}`;
const THREE = { managers: ['m1'], workers: ['w1', 'w2'] };

describe('a paused update fails the command (progress.go: `service update paused: …`)', () => {
  it('update: the ID on stdout, the error on stderr, exit 1; the update is recorded all the same', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web --replicas 3 nginx\n');
    const before = (await log(c)).length;
    const r = await c.run('service', 'update', '--mount-add', 'type=bind,source=data,target=/data', 'web');
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus.State).toBe('paused');
    const culprit = svc.UpdateStatus.Message.split(' ').pop() as string;
    expect(svc.UpdateStatus.Message).toBe(`update paused due to failure or early termination of task ${culprit}`);
    // The first poll sees the pause before drawing anything: only the ID the update printed.
    expect(r.stdout).toBe('web\n');
    expect(r.stderr).toBe(`Error: service update paused: update paused due to failure or early termination of task ${culprit}\n`);
    expect(r.code).toBe(1);
    expect((await log(c)).length).toBeGreaterThan(before);
    expect((await log(c, 'ServiceUpdated')).map((e) => e.event.spec.mounts.length)).toEqual([1]);
    // The failed task is the update's first new task, rejected by the daemon.
    const failed = (await ps(c, 'web', '--no-trunc')).find((row) => row.ID === culprit)!;
    expect(failed.CurrentState).toMatch(/^Rejected /);
  });

  it('-q prints no progress but still fails; -d does not wait and succeeds', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web nginx\nservice create -d --name api nginx\n');
    const q = await c.run('service', 'update', '-q', '--mount-add', 'type=bind,source=data,target=/data', 'web');
    expect(q.stdout).toBe('web\n');
    expect(q.stderr).toMatch(/^Error: service update paused: update paused due to failure or early termination of task [0-9a-z]{25}\n$/);
    expect(q.code).toBe(1);
    const d = await c.run('service', 'update', '-d', '--mount-add', 'type=bind,source=data,target=/data', 'api');
    expect([d.code, d.stdout, d.stderr]).toEqual([0, 'api\n', '']);
    expect((await inspect(c, 'api')).UpdateStatus.State).toBe('paused');
  });

  it('rollback: `service rollback paused: …` when the rolled-back-to spec fails (the rollback config pauses)', async () => {
    const c = cli();
    await swarm(c, THREE, [
      'service create -d --name web --mount type=bind,source=data,target=/data nginx',
      'service update -d --mount-rm /data web',
      'advance 10s',
    ].join('\n') + '\n');
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('completed');
    const r = await c.run('service', 'rollback', 'web');
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus.State).toBe('rollback_paused');
    // updater.go pauseUpdate keeps its wording; only the state says it was a rollback.
    expect(svc.UpdateStatus.Message).toMatch(/^update paused due to failure or early termination of task [0-9a-z]{25}$/);
    expect(r.stdout).toBe('web\n');
    expect(r.stderr).toBe(`Error: service rollback paused: ${svc.UpdateStatus.Message}\n`);
    expect(r.code).toBe(1);
  });

  it('failure action rollback: `rollback: <why>` first, then the rollback’s progress; it converges, exit 0', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web --replicas 3 --update-failure-action rollback nginx\n');
    const r = await c.run('service', 'update', '--mount-add', 'type=bind,source=data,target=/data', 'web');
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus.State).toBe('rollback_started');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'web',
      `rollback: ${svc.UpdateStatus.Message}`,
      'overall progress: rolling back update: 3 out of 3 tasks',
      running('1/3'), running('2/3'), running('3/3'),
      'verify: Service web converged',
      '',
    ].join('\n'));
    expect(svc.UpdateStatus.Message).toMatch(/^update rolled back due to failure or early termination of task [0-9a-z]{25}$/);
  });

  it('a rollback whose own failure action is rollback is never rolled back: `rollback paused due to …`', async () => {
    const c = cli();
    await swarm(c, THREE, [
      'service create -d --name web --rollback-failure-action rollback --mount type=bind,source=data,target=/data nginx',
      'service update -d --mount-rm /data web',
      'advance 10s',
    ].join('\n') + '\n');
    const r = await c.run('service', 'update', '--rollback', 'web');
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus.State).toBe('rollback_paused');
    expect(svc.UpdateStatus.Message).toMatch(/^rollback paused due to failure or early termination of task [0-9a-z]{25}$/);
    expect(r.stderr).toBe(`Error: service rollback paused: ${svc.UpdateStatus.Message}\n`);
    expect(r.code).toBe(1);
  });

  it('a new spec clears a paused status (controlapi UpdateService): scaling a paused service does not fail', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web nginx\nservice update -d --mount-add type=bind,source=data,target=/data web\n');
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('paused');
    const r = await c.run('service', 'scale', 'web=2');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('web scaled to 2');
  });
});

describe('convergence progress (replicated: slots mapped onto 1…replicas; global: by node)', () => {
  it('scaling down leaves slots 1, 3, 4: the lines are 1/3, 2/3, 3/3, all running, and it converges', async () => {
    const c = cli();
    await swarm(c, THREE, [
      'service create -d --name web --replicas 2 --constraint node.hostname==m1 nginx',
      'service update -d --constraint-rm node.hostname==m1 web',
      'service scale -d web=4',
    ].join('\n') + '\n');
    expect((await ps(c, 'web')).map((r) => `${r.Name}@${r.Node}`).slice(0, 2)).toEqual(['web.1@m1', 'web.2@m1']);
    const out = await c.ok('service', 'scale', 'web=3');
    expect((await ps(c, 'web')).map((r) => r.Name)).toEqual(['web.1', 'web.3', 'web.4']);
    expect(out).toBe(['web scaled to 3', 'overall progress: 3 out of 3 tasks', running('1/3'), running('2/3'), running('3/3'), 'verify: Service web converged', ''].join('\n'));
  });

  it('an update still in its delay counts only up-to-date tasks: no `verify` line until every slot is updated', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web --replicas 3 --update-delay 10s nginx:1\n');
    const out = await c.ok('service', 'update', '--image', 'nginx:2', 'web');
    // Slots 2 and 3 still run the old spec: swarmkit's `_up-to-date` filter leaves them out, their lines stay blank.
    expect(out).toBe(['web', 'overall progress: 1 out of 3 tasks', running('1/3'), '2/3:', '3/3:', ''].join('\n'));
    await given(c, 'advance 20s\n');
    // Every slot updated: the next command that waits on it converges.
    expect(await c.ok('service', 'update', '--update-delay', '0s', 'web')).toBe(
      ['web', 'overall progress: 3 out of 3 tasks', running('1/3'), running('2/3'), running('3/3'), 'verify: Service web converged', ''].join('\n'));
  });

  it('bars follow progress.go numberedStates over 9 steps; an error replaces the bar; no verify while a task waits', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web nginx\n');
    const first = (await ps(c, 'web', '--no-trunc'))[0]!.ID;
    // The replacement waits in READY for the 5 s restart delay: step 7 of 9, int(77.7)/2 = 38.
    await given(c, `task fail ${first}\n`);
    const out = await c.ok('service', 'scale', 'web=2');
    expect(out.split('\n').slice(1, 4)).toEqual([
      'overall progress: 1 out of 2 tasks',
      `1/2: ready     [${'='.repeat(38)}>${' '.repeat(12)}]`,
      running('2/2'),
    ]);
    expect(out).not.toContain('verify:');
    // A task the scheduler cannot place shows its error (truncError: at most 75 bytes).
    const big = await c.ok('service', 'create', '--name', 'big', '--reserve-memory', '100GiB', 'nginx');
    expect(big.split('\n').slice(1)).toEqual(['overall progress: 0 out of 1 tasks', '1/1: no suitable node (insufficient resources on 3 nodes)', '']);
  });

  it('global services: one line per node (12-character node ID); more than 20 replicas: the overall line only', async () => {
    const c = cli();
    await swarm(c, THREE);
    const ids = (await c.ok('node', 'ls', '-q')).trim().split('\n').map((id) => id.slice(0, 12)).sort();
    const g = await c.ok('service', 'create', '--name', 'agent', '--mode', 'global', 'busybox');
    const id = g.split('\n')[0]!;
    expect(g).toBe([id, 'overall progress: 3 out of 3 tasks', ...ids.map(running), `verify: Service ${id} converged`, ''].join('\n'));
    const big = await c.ok('service', 'create', '--name', 'big', '--replicas', '21', 'nginx');
    const bid = big.split('\n')[0]!;
    expect(big).toBe([bid, 'overall progress: 21 out of 21 tasks', `verify: Service ${bid} converged`, ''].join('\n'));
  });

  it('a refused update prints no progress and appends nothing', async () => {
    const c = cli();
    await swarm(c, THREE, 'service create -d --name web nginx\n');
    expect(await refused(c, 'service', 'update', '--restart-condition', 'sometimes', 'web')).toBe('Error: Error response from daemon: invalid RestartCondition: "sometimes"');
  });
});
