/**
 * Rolling updates and rollbacks in virtual time (swarmkit manager/orchestrator/update/updater.go;
 * controlapi UpdateService for `service rollback`): parallelism, delay, stop-first and start-first,
 * UpdateStatus in `service inspect`, failure actions during the monitor window, --force.
 */
import { describe, expect, it } from 'vitest';
import type { TestCli } from '../helpers/cli.js';
import { clis, current, given, inspect, log, ps, refusedWith, replicas, RPC, swarm } from './support.js';

const cli = clis();

/** slot name → image of its current task (digest dropped, as `service ps` shows it). */
async function images(c: TestCli, svc: string): Promise<Record<string, string>> {
  return Object.fromEntries((await current(c, svc)).map((r) => [r.Name, r.Image]));
}

const all = (n: number, image: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`web.${i + 1}`, image]));

describe('rolling update', () => {
  it('parallelism 2, delay 10s, stop-first: two slots at a time, 10 s apart, then `update completed` after delay + 1 s', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1', 'w2'] }, 'service create -d --name web --replicas 4 --update-parallelism 2 --update-delay 10s nginx:1.24\n');
    const ids = (await current(c, 'web')).map((r) => r.ID);
    await given(c, 'service update -d --image nginx:1.25 web\n');

    expect(await images(c, 'web')).toEqual({ 'web.1': 'nginx:1.25', 'web.2': 'nginx:1.25', 'web.3': 'nginx:1.24', 'web.4': 'nginx:1.24' });
    let svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toEqual({ State: 'updating', StartedAt: '2026-01-01T09:00:00Z', Message: 'update in progress' });
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toMatch(/^nginx:1\.25@sha256:[0-9a-f]{64}$/);
    expect(svc.PreviousSpec.TaskTemplate.ContainerSpec.Image).toMatch(/^nginx:1\.24@sha256:[0-9a-f]{64}$/);
    expect(svc.Spec.UpdateConfig).toEqual({ Parallelism: 2, Delay: 10e9, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' });

    // The replaced tasks stay in their slots' history with the image they ran; new tasks get new IDs.
    const rows = await ps(c, 'web');
    expect(rows.filter((r) => r.Name === ' \\_ web.1' || r.Name === ' \\_ web.2').map((r) => [r.ID, r.Image, r.DesiredState, r.CurrentState])).toEqual([
      [ids[0], 'nginx:1.24', 'Shutdown', 'Shutdown less than a second ago'],
      [ids[1], 'nginx:1.24', 'Shutdown', 'Shutdown less than a second ago'],
    ]);
    expect((await current(c, 'web')).slice(0, 2).map((r) => r.ID)).not.toContain(ids[0]);

    await given(c, 'advance 9s\n');
    expect(await images(c, 'web')).toEqual({ 'web.1': 'nginx:1.25', 'web.2': 'nginx:1.25', 'web.3': 'nginx:1.24', 'web.4': 'nginx:1.24' });
    await given(c, 'advance 1s\n');
    expect(await images(c, 'web')).toEqual(all(4, 'nginx:1.25'));
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('updating');

    // The last task ran at 10 s; delay (10 s) ≥ monitor (5 s), so the updater watches delay + 1 s more.
    await given(c, 'advance 10s\n');
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('updating');
    await given(c, 'advance 1s\n');
    svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toEqual({ State: 'completed', StartedAt: '2026-01-01T09:00:00Z', CompletedAt: '2026-01-01T09:00:21Z', Message: 'update completed' });
    expect(await replicas(c, 'web')).toBe('4/4');
  });

  it('parallelism 0 replaces every slot at once; the default (1, no delay) finishes within the instant, then monitors 5 s', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 3 --update-parallelism 0 nginx:1.24\nservice create -d --name api --replicas 3 nginx:1.24\n');
    await given(c, 'service update -d --image nginx:1.25 web\nservice update -d --image nginx:1.25 api\n');
    expect(Object.values(await images(c, 'web'))).toEqual(['nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
    expect(Object.values(await images(c, 'api'))).toEqual(['nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
    await given(c, 'advance 4s\n');
    expect((await inspect(c, 'api')).UpdateStatus.State).toBe('updating');
    await given(c, 'advance 1s\n');
    expect((await inspect(c, 'api')).UpdateStatus).toMatchObject({ State: 'completed', CompletedAt: '2026-01-01T09:00:05Z' });
  });

  it('stop-first stops the old task before the new one starts; start-first starts the new one first', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name a nginx:1\nservice create -d --name b --update-order start-first nginx:1\n');
    const oldA = (await current(c, 'a'))[0]!.ID;
    const oldB = (await current(c, 'b'))[0]!.ID;
    await given(c, 'service update -d --image nginx:2 a\nservice update -d --image nginx:2 b\n');
    const newA = (await current(c, 'a'))[0]!.ID;
    const newB = (await current(c, 'b'))[0]!.ID;
    const changes = await log(c, 'TaskStateChanged');
    const at = (id: string, to: string) => changes.find((e) => id.startsWith(e.event.taskId.slice(0, 12)) && e.event.to === to)!.seq;
    expect(at(oldA, 'shutdown')).toBeLessThan(at(newA, 'running'));
    expect(at(newB, 'running')).toBeLessThan(at(oldB, 'shutdown'));
  });

  it('when the new task cannot start: stop-first is one replica short, start-first keeps the old task running', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, [
      'service create -d --name stop --replicas 2 nginx',
      'service create -d --name start --replicas 2 --update-order start-first nginx',
      'service update -d --reserve-memory 100GiB stop',
      'service update -d --reserve-memory 100GiB start',
      'advance 1m',
    ].join('\n') + '\n');
    expect(await replicas(c, 'stop')).toBe('1/2');
    expect(await replicas(c, 'start')).toBe('2/2');
    const start1 = (await ps(c, 'start')).filter((r) => r.Name.endsWith('start.1'));
    expect(start1.map((r) => [r.DesiredState, r.CurrentState.split(' ')[0]])).toEqual([['Running', 'Pending'], ['Running', 'Running']]);
    expect((await inspect(c, 'start')).UpdateStatus.State).toBe('updating');
  });

  it('--force replaces every task (new IDs, same image) and bumps ForceUpdate', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --replicas 2 --update-parallelism 0 nginx\n');
    const before = (await current(c, 'web')).map((r) => r.ID);
    await given(c, 'service update -d --force web\n');
    const after = await current(c, 'web');
    expect(after.map((r) => r.ID).filter((id) => before.includes(id))).toEqual([]);
    expect(after.map((r) => r.Image)).toEqual(['nginx:latest', 'nginx:latest']);
    expect((await inspect(c, 'web')).Spec.TaskTemplate.ForceUpdate).toBe(1);
    await given(c, 'service update -d --force web\n');
    expect((await inspect(c, 'web')).Spec.TaskTemplate.ForceUpdate).toBe(2);
  });

  it('a new spec resets UpdateStatus (controlapi UpdateService): scaling after an update shows none', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx:1\nservice update -d --image nginx:2 web\nadvance 10s\n');
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('completed');
    await given(c, 'service scale -d web=2\n');
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toBeUndefined();
    expect(svc.PreviousSpec.Mode).toEqual({ Replicated: { Replicas: 1 } });
  });

  it('a change outside the task template (update config, replicas) restarts nothing', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --replicas 2 nginx\n');
    const before = await ps(c, 'web');
    await given(c, 'service update -d --update-delay 30s --update-order start-first --rollback-parallelism 3 web\n');
    expect(await ps(c, 'web')).toEqual(before);
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toBeUndefined();
    expect(svc.Spec.UpdateConfig).toMatchObject({ Delay: 30e9, Order: 'start-first' });
    expect(svc.Spec.RollbackConfig).toMatchObject({ Parallelism: 3 });
  });
});

describe('failure actions: a new task that fails within the monitor window', () => {
  it('pause (the default): UpdateStatus paused with the task ID, the remaining slots keep the old image', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 3 --update-delay 10s nginx:1.24\nservice update -d --image nginx:1.25 web\nadvance 2s\n');
    const fresh = (await ps(c, 'web', '--no-trunc')).find((r) => r.Name === 'web.1')!;
    expect(fresh.Image).toBe('nginx:1.25@sha256:' + fresh.Image.split('@sha256:')[1]);
    await given(c, `task fail ${fresh.ID}\nadvance 1m\n`);
    const svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toEqual({ State: 'paused', StartedAt: '2026-01-01T09:00:00Z', Message: `update paused due to failure or early termination of task ${fresh.ID}` });
    const imgs = await images(c, 'web');
    expect([imgs['web.2'], imgs['web.3']]).toEqual(['nginx:1.24', 'nginx:1.24']);
    // The failed slot itself is still healed by the restart supervisor.
    expect(await replicas(c, 'web')).toBe('3/3');
  });

  it('a failure after the monitor window does not count: the update completes, the task just restarts', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx:1.24\nservice update -d --image nginx:1.25 web\nadvance 6s\n');
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('completed');
    await given(c, `task fail ${(await current(c, 'web'))[0]!.ID}\nadvance 5s\n`);
    expect((await inspect(c, 'web')).UpdateStatus.State).toBe('completed');
    expect(await replicas(c, 'web')).toBe('1/1');
  });

  it('rollback: the previous spec comes back (rollback_started → rollback_completed) and every task runs the old image', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'], workers: ['w1'] }, 'service create -d --name web --replicas 3 --update-failure-action rollback --update-delay 10s nginx:1.24\nservice update -d --image nginx:bad web\nadvance 1s\n');
    const bad = (await ps(c, 'web', '--no-trunc')).find((r) => r.Name === 'web.1')!;
    await given(c, `task fail ${bad.ID}\n`);
    let svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toEqual({ State: 'rollback_started', StartedAt: '2026-01-01T09:00:00Z', Message: `update rolled back due to failure or early termination of task ${bad.ID}` });
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toMatch(/^nginx:1\.24@/);
    await given(c, 'advance 10s\n');
    svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toMatchObject({ State: 'rollback_completed', Message: 'rollback completed' });
    expect(svc.UpdateStatus.CompletedAt).toBeDefined();
    expect(await images(c, 'web')).toEqual(all(3, 'nginx:1.24'));
    expect(await replicas(c, 'web')).toBe('3/3');
    // updater.go rollbackUpdate drops the previous spec: there is nothing left to roll back to.
    expect(svc.PreviousSpec).toBeUndefined();
    expect(await refusedWith(c, 'service', 'rollback', 'web')).toBe(`${RPC('FailedPrecondition')}service ${svc.ID} does not have a previous spec`);
  });
});

describe('service rollback', () => {
  it('restores the previous spec with the rollback config; its progress reads `rolling back update`', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web --replicas 2 nginx:1.24\nservice update -d --image nginx:1.25 web\nadvance 10s\n');
    const out = await c.ok('service', 'rollback', 'web');
    expect(out.split('\n').slice(0, 3)).toEqual(['web', 'rollback: manually requested rollback', 'overall progress: rolling back update: 2 out of 2 tasks']);
    let svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toMatchObject({ State: 'rollback_started', Message: 'manually requested rollback', StartedAt: '2026-01-01T09:00:10Z' });
    expect(svc.Spec.TaskTemplate.ContainerSpec.Image).toMatch(/^nginx:1\.24@/);
    // controlapi swaps the specs: the spec rolled back from is now the previous one.
    expect(svc.PreviousSpec.TaskTemplate.ContainerSpec.Image).toMatch(/^nginx:1\.25@/);
    expect(await images(c, 'web')).toEqual(all(2, 'nginx:1.24'));
    await given(c, 'advance 5s\n');
    svc = await inspect(c, 'web');
    expect(svc.UpdateStatus).toMatchObject({ State: 'rollback_completed', Message: 'rollback completed', CompletedAt: '2026-01-01T09:00:15Z' });
    // `update --rollback` is the same request: back to 1.25.
    await given(c, 'service update -d --rollback web\n');
    expect(await images(c, 'web')).toEqual(all(2, 'nginx:1.25'));
  });

  it('refuses a service that was never updated: `service <id> does not have a previous spec`', async () => {
    const c = cli();
    await swarm(c, { managers: ['m1'] }, 'service create -d --name web nginx\n');
    const id = (await inspect(c, 'web')).ID;
    const line = `${RPC('FailedPrecondition')}service ${id} does not have a previous spec`;
    expect(await refusedWith(c, 'service', 'rollback', 'web')).toBe(line);
    expect(await refusedWith(c, 'service', 'update', '--rollback', 'web')).toBe(line);
  });
});
